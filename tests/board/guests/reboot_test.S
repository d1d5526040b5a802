/* M-mode: print "boot" on the UART, then ask the test/syscon device for a reset. */
    .section .text.entry
    .globl _start
_start:
    bnez  a0, park
    li    t0, 0x10000000
    la    t1, msg
1:  lbu   t2, 0(t1)
    beqz  t2, 2f
    sb    t2, 0(t0)
    addi  t1, t1, 1
    j     1b
2:  li    t0, 0x100000
    li    t1, 0x7777
    sw    t1, 0(t0)
park:
    wfi
    j     park
    .section .rodata
msg:
    .asciz "boot\n"
