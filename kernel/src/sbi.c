// SBI calls: ecall to the M-mode firmware (OpenSBI, or trapscope's own).
#include "types.h"
#include "sbi.h"

struct sbiret sbi_call(uint64 ext, uint64 fid, uint64 a0, uint64 a1, uint64 a2, uint64 a3)
{
  register uint64 r_a0 asm("a0") = a0;
  register uint64 r_a1 asm("a1") = a1;
  register uint64 r_a2 asm("a2") = a2;
  register uint64 r_a3 asm("a3") = a3;
  register uint64 r_a6 asm("a6") = fid;
  register uint64 r_a7 asm("a7") = ext;
  asm volatile("ecall"
               : "+r"(r_a0), "+r"(r_a1)
               : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
               : "memory");
  struct sbiret ret = {(long)r_a0, (long)r_a1};
  return ret;
}

void sbi_set_timer(uint64 stime)
{
  sbi_call(SBI_EXT_TIME, 0, stime, 0, 0, 0);
}

void sbi_send_ipi(uint64 hart_mask)
{
  sbi_call(SBI_EXT_IPI, 0, hart_mask, 0, 0, 0);
}

// Ask the harts in hart_mask to sfence.vma [start, start+size); size -1 = all.
void sbi_remote_sfence_vma(uint64 hart_mask, uint64 start, uint64 size)
{
  sbi_call(SBI_EXT_RFENCE, 1, hart_mask, 0, start, size);
}

long sbi_hart_start(uint64 hartid, uint64 start_addr, uint64 opaque)
{
  return sbi_call(SBI_EXT_HSM, 0, hartid, start_addr, opaque, 0).error;
}

long sbi_hart_status(uint64 hartid)
{
  struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0, 0);
  return r.error ? r.error : r.value;
}

void sbi_system_reset(uint32 type, uint32 reason)
{
  sbi_call(SBI_EXT_SRST, 0, type, reason, 0, 0);
}
