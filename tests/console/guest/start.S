/* The console tests' guest: M-mode at 0x80000000 (--bios none), entered on
   every hart from the reset ROM with a0 = hart id. Hart 0 runs main(); the
   others wait for an interrupt that never comes (state "wfi"). */
    .section .text.start
    .globl _start
_start:
    csrr  t0, mhartid
    bnez  t0, park
    la    sp, stack_top
    call  main
1:  j     1b

park:
    wfi
    j     park

    .bss
    .balign 16
    .space 4096
    .globl stack_top
stack_top:
