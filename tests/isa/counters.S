/* Counters (Zicntr): cycle, time and instret readable in M mode and moving
   forward; instret counting retired instructions exactly; minstret and
   mcycle writable in M; and the mcounteren / scounteren gates: S needs the
   mcounteren bit, U needs the mcounteren and scounteren bits, else an
   illegal instruction.

   instret is checked exactly (cases 3, 4): on QEMU that needs -icount
   (test_isa.py and difftest pass it), as QEMU otherwise reads its host's
   cycle counter for instret. */
#include "isa.h"

/* in the current (S or U) mode: reading `csr` must trap */
#define MUST_TRAP(n, csr) TEST_TRAP(n, CAUSE_ILLEGAL, csrr a0, csr)

TEST_BEGIN
    /* M mode: all readable, non-decreasing */
    TEST_CASE(1, a0, 1, rdcycle a1; rdcycle a2; sltu a0, a2, a1; xori a0, a0, 1)
    TEST_CASE(2, a0, 1, rdtime a1; rdtime a2; sltu a0, a2, a1; xori a0, a0, 1)
    /* instret: exactly the instructions retired in between */
    TEST_CASE(3, a0, 4, rdinstret a1; nop; nop; nop; rdinstret a2; sub a0, a2, a1)
    TEST_CASE(4, a0, 1, rdinstret a1; rdinstret a2; sub a0, a2, a1)
    /* a trap does not retire the trapping instruction */
    li gp, 5
    ARM_TRAP
    rdinstret s0
    csrw mhartid, zero
    rdinstret s1
    DISARM_TRAP
    sub a0, s1, s0
    /* between the reads: the handler's instructions (counted) and not the trapping csrw */
    la t0, trap_slots
    ld t1, TRAP_COUNT(t0)
    CHECK(t1, 1)
    /* time moves when the program runs long enough */
    TEST_CASE(6, a0, 1, rdtime a1; li a2, 20000; 1: addi a2, a2, -1; bnez a2, 1b; rdtime a3; sltu a0, a1, a3)
    /* minstret and mcycle are writable in M mode */
    TEST_CASE(7, a0, 1, li a1, 1000000; csrw minstret, a1; csrr a2, minstret; sub a2, a2, a1; sltiu a0, a2, 10)
    TEST_CASE(8, a0, 1, li a1, 0x123456789; csrw mcycle, a1; csrr a2, mcycle; sltu a0, a2, a1; xori a0, a0, 1)
    /* the unprivileged names read the machine counters */
    TEST_CASE(9, a0, 1, csrr a1, minstret; rdinstret a2; sub a0, a2, a1)

    /* S mode with mcounteren = 0: every counter traps */
    csrw mcounteren, zero
    csrw scounteren, zero
    GOTO_S(s_none)
s_none:
    MUST_TRAP(10, cycle)
    MUST_TRAP(11, time)
    MUST_TRAP(12, instret)
    ENTER_M
    /* S mode with only CY and IR: time still traps */
    csrwi mcounteren, 5
    GOTO_S(s_some)
s_some:
    TEST_CASE(13, a0, 1, rdcycle a1; rdcycle a2; sltu a0, a2, a1; xori a0, a0, 1)
    TEST_CASE(14, a0, 1, rdinstret a1; rdinstret a2; sub a0, a2, a1)
    MUST_TRAP(15, time)
    /* S mode may not touch the machine counters at all */
    MUST_TRAP(16, mcycle)
    MUST_TRAP(17, minstret)
    /* scounteren is S-mode's own */
    TEST_CASE(18, a0, 7, csrwi scounteren, 7; csrr a0, scounteren)
    ENTER_M
    /* U mode: needs both enables */
    csrwi mcounteren, 7
    csrwi scounteren, 2
    GOTO_U(u_some)
u_some:
    TEST_CASE(19, a0, 1, rdtime a1; rdtime a2; sltu a0, a2, a1; xori a0, a0, 1)
    MUST_TRAP(20, cycle)
    MUST_TRAP(21, instret)
    MUST_TRAP(22, scounteren)
    ENTER_M
    csrwi mcounteren, 2
    csrwi scounteren, 7
    GOTO_U(u_mgate)
u_mgate:
    TEST_CASE(23, a0, 1, rdtime a1; rdtime a2; sltu a0, a2, a1; xori a0, a0, 1)
    MUST_TRAP(24, cycle)
    MUST_TRAP(25, instret)
    ENTER_M
    /* back in M mode the gates do not apply */
    csrw mcounteren, zero
    TEST_CASE(26, a0, 1, rdinstret a1; rdinstret a2; sub a0, a2, a1)
    TEST_END
