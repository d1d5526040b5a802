/* Interrupts: the CLINT software interrupt (msip) and timer (mtimecmp) in
   M mode, wfi waking on a pending interrupt with MIE clear, a timer
   interrupt delegated to S the way an SBI does it (M-mode code setting
   STIP), the Sstc stimecmp timer, M-level interrupts taken in S whatever
   MIE says, delegated interrupts never taken in M, and priorities
   (MSI before MTI, SSI before STI).

   Timing-dependent by nature: every wait polls until a deadline on mtime
   far beyond when the interrupt is due, and no case depends on exactly
   where an interrupt lands. */
#include "isa.h"

/* how long a wait may take before the case fails: 0.2 s of mtime (the
   interrupts themselves are due within 20 ticks) */
#define WAIT_TICKS 2000000
#define MENVCFG_STCE (1 << 63)

/* t4 = the mtime by which a wait must be over */
#define WAIT_DEADLINE li t6, CLINT_MTIME; ld t4, 0(t6); li t6, WAIT_TICKS; add t4, t4, t6;
/* fail if mtime has passed the deadline in t4, else go back to `label` */
#define WAIT_AGAIN(label) li t6, CLINT_MTIME; ld t6, 0(t6); bltu t6, t4, label; j fail;

/* spin until the trap count is at least `count` */
#define WAIT_TRAPS(count) \
    WAIT_DEADLINE 1: la t6, trap_slots; ld t5, TRAP_COUNT(t6); li t6, count; bgeu t5, t6, 2f; \
    WAIT_AGAIN(1b) 2:

/* mtimecmp = mtime + ticks */
#define TIMER_IN(ticks) li t0, CLINT_MTIME; ld t1, 0(t0); addi t1, t1, ticks; li t0, CLINT_MTIMECMP; sd t1, 0(t0);
#define TIMER_OFF li t0, CLINT_MTIMECMP; li t1, -1; sd t1, 0(t0);

TEST_BEGIN
    TIMER_OFF
    li t0, CLINT_MSIP; sw zero, 0(t0)

    /* a software interrupt through the CLINT's msip */
    li gp, 1
    SET_HOOK_M(hook_log)
    ARM_TRAP
    li t0, 1 << IRQ_M_SOFT; csrs mie, t0
    csrsi mstatus, MSTATUS_MIE
    li t0, CLINT_MSIP; li t1, 1; sw t1, 0(t0)
    WAIT_TRAPS(1)
    csrci mstatus, MSTATUS_MIE
    CHECK_TRAP_SLOT(TRAP_CAUSE, IRQ(IRQ_M_SOFT))
    CHECK_TRAP_SLOT(TRAP_MODE, 3)
    /* the hook cleared msip: mip.MSIP is clear again */
    TEST_CASE(2, a0, 0, csrr a0, mip; andi a0, a0, 1 << IRQ_M_SOFT)
    /* MPIE held the old MIE; the interrupt's mepc is where it landed */
    TRAP_STATUS_CHECK(3, MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP)

    /* the timer: mtimecmp in the near future */
    li gp, 4
    ARM_TRAP
    csrw mie, zero
    li t0, 1 << IRQ_M_TIMER; csrs mie, t0
    TIMER_IN(20)
    csrsi mstatus, MSTATUS_MIE
    WAIT_TRAPS(1)
    csrci mstatus, MSTATUS_MIE
    CHECK_TRAP_SLOT(TRAP_CAUSE, IRQ(IRQ_M_TIMER))
    TEST_CASE(5, a0, 0, csrr a0, mip; andi a0, a0, 1 << IRQ_M_TIMER)
    /* mtime moves forward and mtimecmp reads back */
    TEST_CASE(6, a0, 1, li t0, CLINT_MTIME; ld a1, 0(t0); ld a2, 0(t0); sltu a0, a2, a1; xori a0, a0, 1)
    TEST_CASE(7, a0, 0x123456789a, li t0, CLINT_MTIMECMP; li a1, 0x123456789a; sd a1, 0(t0); ld a0, 0(t0))
    TIMER_OFF

    /* wfi wakes on a pending enabled interrupt even with MIE clear, and
       nothing is taken */
    li gp, 8
    ARM_TRAP
    csrw mie, zero
    li t0, 1 << IRQ_M_TIMER; csrs mie, t0
    csrci mstatus, MSTATUS_MIE
    TIMER_IN(20)
    WAIT_DEADLINE
1:  wfi
    csrr a0, mip
    andi a0, a0, 1 << IRQ_M_TIMER
    bnez a0, 2f
    WAIT_AGAIN(1b)
2:  CHECK_TRAP_SLOT(TRAP_COUNT, 0)
    TIMER_OFF
    TEST_CASE(9, a0, 0, csrr a0, mip; andi a0, a0, 1 << IRQ_M_TIMER)
    DISARM_TRAP

    /* a delegated timer interrupt, SBI style: the M timer handler sets STIP,
       S takes the supervisor timer interrupt */
    li gp, 10
    ARM_TRAP
    SET_HOOK_M(hook_stip)
    li t0, 1 << IRQ_S_TIMER; csrw mideleg, t0
    li t0, (1 << IRQ_M_TIMER) | (1 << IRQ_S_TIMER); csrw mie, t0
    li t0, MSTATUS_SPP | MSTATUS_SPIE; csrc mstatus, t0
    TIMER_IN(20)
    GOTO_S(s_timer)
s_timer:
    csrsi sstatus, MSTATUS_SIE
    WAIT_TRAPS(2)
    csrci sstatus, MSTATUS_SIE
    CHECK_TRAP_SLOT(TRAP_CAUSE, IRQ(IRQ_S_TIMER))
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    /* the S handler masked STIE in sie; SPP = S, SPIE = the old SIE */
    TEST_CASE(11, a0, 0, csrr a0, sie; andi a0, a0, 1 << IRQ_S_TIMER)
    TRAP_STATUS_CHECK(12, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE)
    ENTER_M
    li t0, 1 << IRQ_S_TIMER; csrc mip, t0
    CLEAR_HOOKS

    /* Sstc: stimecmp raises the supervisor timer interrupt by itself */
    li gp, 13
    ARM_TRAP
    li t0, MENVCFG_STCE; csrs menvcfg, t0
    csrwi mcounteren, 2
    li t0, 1 << IRQ_S_TIMER; csrw mideleg, t0; csrw mie, t0
    GOTO_S(s_sstc)
s_sstc:
    csrw stimecmp, zero        /* in the past: pending at once */
    TEST_CASE(14, a0, 1 << IRQ_S_TIMER, csrr a0, sip; andi a0, a0, 1 << IRQ_S_TIMER)
    li t0, -1; csrw stimecmp, t0
    TEST_CASE(15, a0, 0, csrr a0, sip; andi a0, a0, 1 << IRQ_S_TIMER)
    li gp, 16
    rdtime t0; addi t0, t0, 20; csrw stimecmp, t0
    csrsi sstatus, MSTATUS_SIE
    WAIT_TRAPS(1)
    csrci sstatus, MSTATUS_SIE
    CHECK_TRAP_SLOT(TRAP_CAUSE, IRQ(IRQ_S_TIMER))
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    li t0, -1; csrw stimecmp, t0
    ENTER_M
    li t0, MENVCFG_STCE; csrc menvcfg, t0
    csrw mcounteren, zero

    /* an M-level interrupt is taken in S even with MIE clear */
    li gp, 17
    ARM_TRAP
    SET_HOOK_M(hook_log)
    csrw mideleg, zero
    li t0, 1 << IRQ_M_SOFT; csrw mie, t0
    csrci mstatus, MSTATUS_MIE
    GOTO_S(s_msi)
s_msi:
    li t0, CLINT_MSIP; li t1, 1; sw t1, 0(t0)
    WAIT_TRAPS(1)
    CHECK_TRAP_SLOT(TRAP_CAUSE, IRQ(IRQ_M_SOFT))
    CHECK_TRAP_SLOT(TRAP_MODE, 3)
    ENTER_M
    /* a delegated interrupt is never taken in M, even with MIE set */
    li gp, 18
    ARM_TRAP
    li t0, 1 << IRQ_S_SOFT; csrw mideleg, t0; csrw mie, t0; csrs mip, t0
    csrsi mstatus, MSTATUS_MIE
    nop; nop; nop; nop
    csrci mstatus, MSTATUS_MIE
    CHECK_TRAP_SLOT(TRAP_COUNT, 0)
    /* ... and S takes it once SIE is set */
    li t0, MSTATUS_SPP | MSTATUS_SPIE; csrc mstatus, t0
    GOTO_S(s_ssi)
s_ssi:
    csrsi sstatus, MSTATUS_SIE
    WAIT_TRAPS(1)
    csrci sstatus, MSTATUS_SIE
    CHECK_TRAP_SLOT(TRAP_CAUSE, IRQ(IRQ_S_SOFT))
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    /* S clears its own SSIP */
    csrci sip, 1 << IRQ_S_SOFT
    TEST_CASE(19, a0, 0, csrr a0, sip; andi a0, a0, 1 << IRQ_S_SOFT)
    ENTER_M
    csrw mideleg, zero

    /* priority: interrupts pending together are taken MSI before MTI (for
       M), SSI before STI (for S). (The spec puts every M-level one first:
       MEI, MSI, MTI, SEI, SSI, STI; QEMU 7.2 without AIA takes the lowest
       number first, so only the orders both agree on are tested.) */
    li gp, 20
    ARM_TRAP
    SET_HOOK_M(hook_log)
    la t0, trap_slots; sd zero, TRAP_AUX(t0)
    li t0, CLINT_MSIP; li t1, 1; sw t1, 0(t0)
    li t0, CLINT_MTIMECMP; sd zero, 0(t0)
    li t0, (1 << IRQ_M_SOFT) | (1 << IRQ_M_TIMER); csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    WAIT_TRAPS(2)
    csrci mstatus, MSTATUS_MIE
    la s0, irq_log
    TEST_CASE(21, a0, IRQ(IRQ_M_SOFT), ld a0, 0(s0))
    TEST_CASE(22, a0, IRQ(IRQ_M_TIMER), ld a0, 8(s0))
    TEST_CASE(23, a0, 0, csrr a0, mip; andi a0, a0, (1 << IRQ_M_SOFT) | (1 << IRQ_M_TIMER))
    CLEAR_HOOKS
    li gp, 24
    ARM_TRAP
    SET_HOOK_S(hook_log_s)
    la t0, trap_slots; sd zero, TRAP_AUX(t0)
    li t0, (1 << IRQ_S_SOFT) | (1 << IRQ_S_TIMER); csrw mideleg, t0; csrw mie, t0; csrs mip, t0
    li t0, MSTATUS_SPP | MSTATUS_SPIE; csrc mstatus, t0
    GOTO_S(s_prio)
s_prio:
    csrsi sstatus, MSTATUS_SIE
    WAIT_TRAPS(2)
    csrci sstatus, MSTATUS_SIE
    TEST_CASE(25, a0, IRQ(IRQ_S_SOFT), ld a0, 0(s0))
    TEST_CASE(26, a0, IRQ(IRQ_S_TIMER), ld a0, 8(s0))
    ENTER_M
    CLEAR_HOOKS
    li t0, 1 << IRQ_S_TIMER; csrc mip, t0
    csrw mie, zero
    csrw mideleg, zero
    TEST_END

/* M hook: log the cause in irq_log[TRAP_AUX++] and silence its source */
hook_log:
    ld t2, TRAP_AUX(t0)
    la t3, irq_log
    add t3, t3, t2
    sd t1, 0(t3)
    addi t2, t2, 8
    sd t2, TRAP_AUX(t0)
    slli t1, t1, 1             /* the cause code without the interrupt bit */
    srli t1, t1, 1
    li t2, IRQ_M_SOFT
    bne t1, t2, 1f
    li t2, CLINT_MSIP; sw zero, 0(t2); j 9f
1:  li t2, IRQ_M_TIMER
    bne t1, t2, 2f
    li t2, CLINT_MTIMECMP; li t3, -1; sd t3, 0(t2); j 9f
2:  li t2, 1
    sll t2, t2, t1
    csrc mip, t2
    csrc mie, t2
9:  j mtrap_return

/* S hook: log the cause in irq_log[TRAP_AUX++], mask it in sie, clear SSIP */
hook_log_s:
    ld t2, TRAP_AUX(t0)
    la t3, irq_log
    add t3, t3, t2
    sd t1, 0(t3)
    addi t2, t2, 8
    sd t2, TRAP_AUX(t0)
    li t2, 1
    sll t2, t2, t1
    csrc sie, t2
    csrc sip, t2
    j strap_return

/* M hook for the SBI-style timer: turn the machine timer into STIP */
hook_stip:
    li t2, CLINT_MTIMECMP; li t3, -1; sd t3, 0(t2)
    li t2, 1 << IRQ_S_TIMER; csrs mip, t2
    j mtrap_return

    .data
    .balign 8
irq_log:
    .fill 8, 8, 0
