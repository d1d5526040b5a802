/* The RSP tests' guest: M-mode at 0x80000000 (--bios none), entered on every
   hart from the reset ROM with a0 = hart id. Hart 0 runs main(); the others
   count in park_loop forever, so several threads are alive and running. */
    .section .text.start
    .globl _start
_start:
    csrr  t0, mhartid
    bnez  t0, park
    la    sp, stack_top
    la    t0, trap_vector
    csrw  mtvec, t0
    li    t0, 0x5ca1ab1e
    csrw  mscratch, t0
    li    t0, 0x2000              /* mstatus.FS = initial: the FPU is usable */
    csrs  mstatus, t0
    li    a1, 0                   /* the device tree address differs between machines */
    call  main
    .globl after_main
after_main:
    la    t0, poweroff_at_end
    ld    t0, 0(t0)
    beqz  t0, spin
    li    t0, 0x100000            /* the virt test device: 0x5555 powers off */
    li    t1, 0x5555
    sw    t1, 0(t0)
spin:
    .globl spin_loop
spin_loop:
    la    t0, spin_count
    ld    t1, 0(t0)
    addi  t1, t1, 1
    sd    t1, 0(t0)
    j     spin_loop

park:
    li    s1, 0
    .globl park_loop
park_loop:
    addi  s1, s1, 1
    j     park_loop

    .balign 4
trap_vector:
    csrr  t0, mepc
    addi  t0, t0, 4
    csrw  mepc, t0
    mret

    .bss
    .balign 16
    .space 8192
    .globl stack_top
stack_top:
