/* S-mode entry for the board's guest programs: a0 = hart id, a1 = FDT/opaque. */
    .section .text.entry
    .globl _start
_start:
    la    sp, stacks
    addi  t0, a0, 1
    slli  t0, t0, 13
    add   sp, sp, t0          /* an 8 KiB stack per hart */
    call  main
1:  wfi
    j     1b

    .globl secondary_entry
secondary_entry:
    la    t0, entry_state     /* what hart_start left: s11 (a hart reset clears it), sip */
    sd    s11, 0(t0)
    csrr  t1, sip
    sd    t1, 8(t0)
    la    sp, stacks
    addi  t0, a0, 1
    slli  t0, t0, 13
    add   sp, sp, t0
    call  secondary
1:  wfi
    j     1b

/* Trap vector: save the caller-saved registers, call trap(scause, stval). */
    .balign 4
    .globl trap_entry
trap_entry:
    addi  sp, sp, -128
    sd    ra, 0(sp)
    sd    t0, 8(sp)
    sd    t1, 16(sp)
    sd    t2, 24(sp)
    sd    a0, 32(sp)
    sd    a1, 40(sp)
    sd    a2, 48(sp)
    sd    a3, 56(sp)
    sd    a4, 64(sp)
    sd    a5, 72(sp)
    sd    a6, 80(sp)
    sd    a7, 88(sp)
    sd    t3, 96(sp)
    sd    t4, 104(sp)
    sd    t5, 112(sp)
    sd    t6, 120(sp)
    csrr  a0, scause
    csrr  a1, stval
    call  trap
    ld    ra, 0(sp)
    ld    t0, 8(sp)
    ld    t1, 16(sp)
    ld    t2, 24(sp)
    ld    a0, 32(sp)
    ld    a1, 40(sp)
    ld    a2, 48(sp)
    ld    a3, 56(sp)
    ld    a4, 64(sp)
    ld    a5, 72(sp)
    ld    a6, 80(sp)
    ld    a7, 88(sp)
    ld    t3, 96(sp)
    ld    t4, 104(sp)
    ld    t5, 112(sp)
    ld    t6, 120(sp)
    addi  sp, sp, 128
    sret

    .bss
    .balign 8
    .globl entry_state
entry_state:
    .space 16
    .balign 4096
    .globl stacks
stacks:
    .space 8192 * 8
