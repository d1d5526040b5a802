/* Entry of the demo: S-mode, a0 = hart id, a1 = device tree (or HSM opaque). */
    .section .text.entry
    .globl _start
_start:
    la    sp, stacks
    addi  t0, a0, 1
    slli  t0, t0, 12
    add   sp, sp, t0          /* a 4 KiB stack per hart */
    call  demo_main
1:  wfi
    j     1b

    .globl secondary_entry
secondary_entry:
    la    sp, stacks
    addi  t0, a0, 1
    slli  t0, t0, 12
    add   sp, sp, t0
    call  secondary_main
1:  wfi
    j     1b

    .bss
    .balign 4096
    .globl stacks
stacks:
    .space 4096 * 8
