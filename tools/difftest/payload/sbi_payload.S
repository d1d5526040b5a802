/* A small S-mode program for an SBI firmware (OpenSBI's fw_jump starts it
   at 0x80200000 with a0 = hart id, a1 = device tree): it prints through the
   legacy console, asks the SBI BASE extension what it is, takes a trap of
   its own (an ebreak, delegated to S by the firmware), runs a little integer
   and floating-point work, prints a checksum, and powers off through SRST.
   Everything it does is deterministic: no timer, no interrupts. */
    .option nopic
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    la sp, stack_top
    la t0, strap
    csrw stvec, t0
    la a0, hello
    call puts
    /* SBI BASE: spec version and whether SRST is there */
    li a7, 0x10; li a6, 0; ecall
    mv s0, a1
    li a7, 0x10; li a6, 3; li a0, 0x53525354; ecall
    mv s1, a1
    beqz s1, fail
    /* a trap taken in S mode */
    li s2, 0
    ebreak
    li t0, 1
    bne s2, t0, fail
    /* some work: a checksum over a table, integer and double */
    la a0, table
    li a1, 256
    li a2, 0
    fcvt.d.w fa0, zero
1:  slli t0, a1, 3
    add t0, t0, a0
    sd a1, -8(t0)
    mul t1, a1, a1
    xor a2, a2, t1
    fcvt.d.w fa1, a1
    fmadd.d fa0, fa1, fa1, fa0
    addi a1, a1, -1
    bnez a1, 1b
    fcvt.l.d t2, fa0
    add a2, a2, t2
    la a0, sum_msg
    call puts
    mv a0, a2
    call puthex
    li a0, '\n'
    call putc
    la a0, bye
    call puts
    /* SRST: shutdown, no reason */
    li a7, 0x53525354; li a6, 0; li a0, 0; li a1, 0; ecall
fail:
    la a0, failed
    call puts
    li a7, 0x53525354; li a6, 0; li a0, 0; li a1, 1; ecall
1:  j 1b

/* the S trap handler: count an ebreak and skip it */
    .balign 4
strap:
    csrr t0, scause
    li t1, 3
    bne t0, t1, fail
    addi s2, s2, 1
    csrr t0, sepc
    lhu t1, 0(t0)
    andi t1, t1, 3
    li t2, 3
    addi t0, t0, 2
    bne t1, t2, 1f
    addi t0, t0, 2
1:  csrw sepc, t0
    sret

putc:                       /* a0 = character, legacy console putchar */
    li a7, 1
    ecall
    ret

puts:                       /* a0 = NUL-terminated string */
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s0, 8(sp)
    mv s0, a0
1:  lbu a0, 0(s0)
    beqz a0, 2f
    call putc
    addi s0, s0, 1
    j 1b
2:  ld ra, 0(sp)
    ld s0, 8(sp)
    addi sp, sp, 16
    ret

puthex:                     /* a0 = value, 16 hex digits */
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    mv s0, a0
    li s1, 60
1:  srl a0, s0, s1
    andi a0, a0, 15
    li t0, 10
    blt a0, t0, 2f
    addi a0, a0, 'a' - '0' - 10
2:  addi a0, a0, '0'
    call putc
    addi s1, s1, -4
    bgez s1, 1b
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    addi sp, sp, 32
    ret

    .section .rodata
hello:   .asciz "sbi_payload: hello from S mode\n"
sum_msg: .asciz "sbi_payload: checksum "
bye:     .asciz "sbi_payload: powering off\n"
failed:  .asciz "sbi_payload: FAILED\n"

    .bss
    .balign 16
table:  .skip 8 * 256
stack:  .skip 4096
stack_top:
