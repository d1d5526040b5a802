// RISC-V privileged-architecture helpers: named CSR accessors, status and
// interrupt bits, and the Sv39 page-table format.
#ifndef RISCV_H
#define RISCV_H
#include "types.h"

#define CSR_READ(name) ({ uint64 __v; asm volatile("csrr %0, " #name : "=r"(__v)); __v; })
#define CSR_WRITE(name, v) asm volatile("csrw " #name ", %0" : : "r"((uint64)(v)))
#define CSR_SET(name, v) asm volatile("csrs " #name ", %0" : : "r"((uint64)(v)))
#define CSR_CLEAR(name, v) asm volatile("csrc " #name ", %0" : : "r"((uint64)(v)))

// sstatus
#define SSTATUS_SIE  (1L << 1)    // supervisor interrupt enable
#define SSTATUS_SPIE (1L << 5)    // SIE before the trap
#define SSTATUS_SPP  (1L << 8)    // previous mode: 1 = supervisor, 0 = user
#define SSTATUS_FS   (3L << 13)   // FPU state: off/initial/clean/dirty
#define SSTATUS_FS_OFF     (0L << 13)
#define SSTATUS_FS_INITIAL (1L << 13)
#define SSTATUS_FS_CLEAN   (2L << 13)
#define SSTATUS_FS_DIRTY   (3L << 13)
#define SSTATUS_SUM  (1L << 18)   // supervisor may touch user pages

// sie / sip
#define SIE_SSIE (1L << 1)        // software (IPI)
#define SIE_STIE (1L << 5)        // timer
#define SIE_SEIE (1L << 9)        // external (PLIC)

// scause
#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9
#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS     1
#define EXC_ILLEGAL_INSN    2
#define EXC_BREAKPOINT      3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS     5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS    7
#define EXC_ECALL_U         8
#define EXC_INSN_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

static inline uint64 r_sstatus(void) { return CSR_READ(sstatus); }
static inline void w_sstatus(uint64 x) { CSR_WRITE(sstatus, x); }
static inline uint64 r_sip(void) { return CSR_READ(sip); }
static inline void w_sip(uint64 x) { CSR_WRITE(sip, x); }
static inline uint64 r_sie(void) { return CSR_READ(sie); }
static inline void w_sie(uint64 x) { CSR_WRITE(sie, x); }
static inline uint64 r_sepc(void) { return CSR_READ(sepc); }
static inline void w_sepc(uint64 x) { CSR_WRITE(sepc, x); }
static inline uint64 r_stvec(void) { return CSR_READ(stvec); }
static inline void w_stvec(uint64 x) { CSR_WRITE(stvec, x); }
static inline uint64 r_satp(void) { return CSR_READ(satp); }
static inline void w_satp(uint64 x) { CSR_WRITE(satp, x); }
static inline void w_sscratch(uint64 x) { CSR_WRITE(sscratch, x); }
static inline uint64 r_scause(void) { return CSR_READ(scause); }
static inline uint64 r_stval(void) { return CSR_READ(stval); }
static inline uint64 r_time(void) { uint64 x; asm volatile("rdtime %0" : "=r"(x)); return x; }
static inline uint64 r_instret(void) { uint64 x; asm volatile("rdinstret %0" : "=r"(x)); return x; }
static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r"(x)); }
static inline uint64 r_sp(void) { uint64 x; asm volatile("mv %0, sp" : "=r"(x)); return x; }
static inline uint64 r_fp(void) { uint64 x; asm volatile("mv %0, s0" : "=r"(x)); return x; }

static inline void intr_on(void) { CSR_SET(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { CSR_CLEAR(sstatus, SSTATUS_SIE); }
static inline int intr_get(void) { return (r_sstatus() & SSTATUS_SIE) != 0; }

static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void wfi(void) { asm volatile("wfi"); }

// Sv39: VA = VPN[2] 9 bits | VPN[1] 9 | VPN[0] 9 | offset 12; bits 63..39
// must copy bit 38.  Users get the lower half below MAXVA (bit 38 clear).
#define PGSIZE 4096
#define PGSHIFT 12
#define PGROUNDUP(sz) (((sz) + PGSIZE - 1) & ~(uint64)(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(uint64)(PGSIZE - 1))
#define MEGAPAGE (1UL << 21)

#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)
#define PTE_G (1L << 5)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)
#define PTE_COW (1L << 8)   // RSW bit: read-only now, private copy on write
#define PTE_FLAGS(pte) ((pte) & 0x3FF)
#define PA2PTE(pa) ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_LEAF(pte) ((pte) & (PTE_R | PTE_W | PTE_X))

#define PXMASK 0x1FF
#define PXSHIFT(level) (PGSHIFT + (9 * (level)))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pt) (SATP_SV39 | (((uint64)(pt)) >> 12))

// One past the highest user address: bit 38 stays clear so no sign extension.
#define MAXVA (1L << 38)

#endif
