/*
 * Benchmark start: M-mode at 0x8000_0000 (QEMU -bios none style) sets up
 * Sv39 and runs main() in U-mode, so every access is translated.
 *
 *   VA 0x0000_0000 1 GiB -> PA 0x0        devices (S only): syscon, UART
 *   VA 0x4000_0000 1 GiB -> PA 0x8000_0000 the image again, for U (PC-relative code runs here)
 *   VA 0x8000_0000 1 GiB -> PA 0x8000_0000 the image, for S (the trap handler)
 *   VA 0xC000_0000 8 MiB -> PA 0x8080_0000 a heap in 4 KiB pages (2048 PTEs)
 *
 * ecall from U (delegated to S): a7 = 0 returns at once, 1 prints a0's low
 * byte on the UART, 93 exits with status a0 through the sifive_test device.
 */
#define USER_OFFSET (0x80000000 - 0x40000000)

.section .text.init
.globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0

  la t0, pt_root
  li t1, 0xc7                          /* V R W A D: devices */
  sd t1, 0(t0)
  li t1, (0x80000 << 10) | 0xdf        /* V R W X U A D: the image for U */
  sd t1, 8(t0)
  li t1, (0x80000 << 10) | 0xcf        /* V R W X A D: the image for S */
  sd t1, 16(t0)
  la t1, pt_l1
  srli t1, t1, 12
  slli t1, t1, 10
  ori t1, t1, 1
  sd t1, 24(t0)

  /* L1[0..3] -> the four L0 tables */
  la t0, pt_l1
  la t1, pt_l0
  li t2, 4
1:
  srli t3, t1, 12
  slli t3, t3, 10
  ori t3, t3, 1
  sd t3, 0(t0)
  addi t0, t0, 8
  li t4, 4096
  add t1, t1, t4
  addi t2, t2, -1
  bnez t2, 1b

  /* 2048 leaf PTEs: heap page i -> PA 0x8080_0000 + i * 4096, U R W A D */
  la t0, pt_l0
  li t1, 0x80800000 >> 12
  li t2, 2048
2:
  slli t3, t1, 10
  ori t3, t3, 0xd7
  sd t3, 0(t0)
  addi t0, t0, 8
  addi t1, t1, 1
  addi t2, t2, -1
  bnez t2, 2b

  la t0, pt_root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma

  li t0, 1 << 8                        /* ecall from U goes to S */
  csrw medeleg, t0
  la t0, strap
  csrw stvec, t0
  li t0, 3 << 13                       /* FS on */
  csrs mstatus, t0
  li t0, 3 << 11
  csrc mstatus, t0
  li t0, 1 << 11                       /* MPP = S */
  csrs mstatus, t0
  la t0, s_entry
  csrw mepc, t0
  mret

s_entry:
  li t0, 1 << 8                        /* SPP = U */
  csrc sstatus, t0
  la t0, user_start
  li t1, USER_OFFSET
  sub t0, t0, t1
  csrw sepc, t0
  sret

user_start:
  la sp, user_stack_top                /* PC-relative: the U alias */
  call main
  li a7, 93
  ecall
3: j 3b

.balign 4
strap:
  beqz a7, 4f
  li t0, 1
  beq a7, t0, 5f
  li t0, 0x100000                      /* exit(a0) */
  li t1, 0x5555
  beqz a0, 6f
  slli t1, a0, 16
  li t2, 0x3333
  or t1, t1, t2
6:
  sw t1, 0(t0)
7: j 7b
5:
  li t0, 0x10000000                    /* putchar(a0) */
8:
  lbu t1, 5(t0)
  andi t1, t1, 0x20
  beqz t1, 8b
  sb a0, 0(t0)
4:
  csrr t0, sepc
  addi t0, t0, 4
  csrw sepc, t0
  sret

park:
  wfi
  j park

.bss
.balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4 * 4096
.balign 16
user_stack: .zero 65536
user_stack_top:
