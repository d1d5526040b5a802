/* A function whose first instruction the SBI test rewrites (no RVC: 4-byte slots). */
    .option norvc
    .text
    .globl patchme
    .balign 4
patchme:
    addi  a0, zero, 1
    ret
