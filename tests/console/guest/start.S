/* The console tests' guest: M-mode at 0x80000000 (--bios none), entered on
   every hart from the reset ROM with a0 = hart id. Hart 0 runs main(); the
   others count for a while (a million instructions), then wait for an
   interrupt that never comes (state "wfi"): a change the console's status
   bar only shows if it keeps looking while the machine runs. */
    .section .text.start
    .globl _start
_start:
    csrr  t0, mhartid
    bnez  t0, park
    la    sp, stack_top
    call  main
1:  j     1b

park:
    li    t0, 500000
1:  addi  t0, t0, -1
    bnez  t0, 1b
2:  wfi
    j     2b

    .bss
    .balign 16
    .space 4096
    .globl stack_top
stack_top:
