/* The console tests' guest: M-mode at 0x80000000 (--bios none), entered on
   every hart from the reset ROM with a0 = hart id. Hart 0 runs main(); the
   others count for a while (a million instructions), then sleep in WFI
   (state "wfi"), woken by their timer every million ticks only to re-arm it
   (interrupts stay globally off: WFI wakes, nothing traps). Going to sleep
   mid-run is a change the console's status bar only shows if it keeps
   looking while the machine runs. */
    .section .text.start
    .globl _start
_start:
    csrr  t0, mhartid
    bnez  t0, park
    la    sp, stack_top
    /* Keep a (masked) timer interrupt pending on hart 0: mtimecmp[0] = 0 with
       mie.MTIE set and mstatus.MIE clear, so nothing traps. Workaround: the
       scheduler's idle wait (machine/sched.py _idle) blocks for good when a
       halt lands just as the last hart of a round reaches its end, unless some
       hart has a pending or future interrupt; this guest never idles. */
    li    t1, 0x02004000
    sd    zero, 0(t1)
    li    t0, 0x80
    csrs  mie, t0
    call  main
1:  j     1b

park:
    li    t0, 500000
1:  addi  t0, t0, -1
    bnez  t0, 1b
    li    t0, 0x80                /* mie.MTIE */
    csrs  mie, t0
    li    t1, 0x02004000          /* CLINT mtimecmp[0] */
    slli  t0, a0, 3
    add   t1, t1, t0
    li    t2, 0x0200bff8          /* CLINT mtime */
    li    t4, 1000000
2:  ld    t3, 0(t2)
    add   t3, t3, t4
    sd    t3, 0(t1)
    wfi
    j     2b

    .bss
    .balign 16
    .space 4096
    .globl stack_top
stack_top:
