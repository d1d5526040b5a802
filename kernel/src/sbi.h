// SBI (Supervisor Binary Interface) calls this kernel makes: TIME, IPI,
// RFENCE, HSM and SRST.  Nothing else is needed from the firmware.
#ifndef SBI_H
#define SBI_H
#include "types.h"

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

struct sbiret {
  long error;
  long value;
};

struct sbiret sbi_call(uint64 ext, uint64 fid, uint64 a0, uint64 a1, uint64 a2, uint64 a3);
void sbi_set_timer(uint64 stime);
void sbi_send_ipi(uint64 hart_mask);
void sbi_remote_sfence_vma(uint64 hart_mask, uint64 start, uint64 size);
long sbi_hart_start(uint64 hartid, uint64 start_addr, uint64 opaque);
long sbi_hart_status(uint64 hartid);
void sbi_system_reset(uint32 type, uint32 reason);

#endif
