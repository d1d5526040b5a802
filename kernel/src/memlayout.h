// Physical and virtual memory layout.
//
// Physical (QEMU virt and trapscope's board):
//   0x00100000 test/syscon (poweroff / reboot)
//   0x0c000000 PLIC
//   0x10000000 UART 16550A, IRQ 10
//   0x80000000 RAM; SBI firmware below 0x80200000; this kernel from 0x80200000
//
// Kernel virtual: identity map of the devices and of RAM from KERNBASE up,
// plus the trampoline page at the top.  So every kernel pointer is also a
// physical address: the monitor reads kernel data by physical address.
//
// User virtual (one page table per address space, no kernel mappings):
//   0x10000 ...          ELF segments (static glibc links at 0x10000), brk above
//   ... MMAP_TOP         mmap areas, allocated top-down
//   USTACK_TOP-8M .. USTACK_TOP  the stack area (lazy)
//   SIGTRAMP             one page, user R-X: `li a7, 139; ecall`
//   TRAPFRAME(slot)      one page per thread, kernel-only (no PTE_U)
//   TRAMPOLINE           uservec/userret, kernel-only, same VA in both tables
#ifndef MEMLAYOUT_H
#define MEMLAYOUT_H
#include "riscv.h"

#define SYSCON 0x100000L
#define SYSCON_PASS 0x5555
#define SYSCON_FAIL 0x3333
#define SYSCON_RESET 0x7777

#define PLIC 0x0c000000L
#define PLIC_SIZE 0x400000L
#define PLIC_PRIORITY(irq) (PLIC + 4 * (irq))
#define PLIC_SENABLE(hart) (PLIC + 0x2080 + (hart) * 0x100)
#define PLIC_SPRIORITY(hart) (PLIC + 0x201000 + (hart) * 0x2000)
#define PLIC_SCLAIM(hart) (PLIC + 0x201004 + (hart) * 0x2000)

#define UART0 0x10000000L
#define UART0_IRQ 10

#define KERNBASE 0x80200000L

#define TRAMPOLINE (MAXVA - PGSIZE)
#define TRAPFRAME(slot) (TRAMPOLINE - ((uint64)(slot) + 1) * PGSIZE)
#define SIGTRAMP (MAXVA - (4L << 20))
#define USTACK_TOP (MAXVA - (16L << 20))
#define MMAP_TOP (USTACK_TOP - USTACK_MAX - (64L << 20))
#define MMAP_BOTTOM (1L << 32)   // top-down mmap never goes below 4 GiB
#define ELF_DYN_BASE 0x40000000L  // where ET_DYN (static-pie) images load

#endif
