/* Privileged transitions: M -> S -> U through mret and sret, ecall from
   each mode with its cause, what a trap and mret/sret do to
   MPP/MPIE/MIE and SPP/SPIE/SIE, medeleg delegation to S (and its limits),
   CSR privilege, illegal instructions with their bits in mtval,
   breakpoints, access faults with mtval, and the TVM, TW and TSR traps. */
#include "isa.h"

#define MSTATUS_FIELD(reg, mask) csrr reg, mstatus; li t6, mask; and reg, reg, t6;
/* the status register the last trap saw, masked */
#define TRAP_STATUS_FIELD(reg, mask) la t6, trap_slots; ld reg, TRAP_STATUS(t6); li t6, mask; and reg, reg, t6;

TEST_BEGIN
    /* ecall from M */
    li gp, 1
    ARM_TRAP
1:  ecall
    CHECK_TRAPPED(CAUSE_ECALL_M)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    CHECK_TRAP_SLOT(TRAP_MODE, 3)
    /* a trap from M saves MIE in MPIE, clears MIE, sets MPP = M; mret restores MIE */
    li gp, 2
    csrsi mstatus, MSTATUS_MIE
    ARM_TRAP
    ecall
    CHECK_TRAPPED(CAUSE_ECALL_M)
    TRAP_STATUS_FIELD(a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE)
    CHECK(a0, MSTATUS_MPP | MSTATUS_MPIE)
    MSTATUS_FIELD(a0, MSTATUS_MIE)
    CHECK(a0, MSTATUS_MIE)
    csrci mstatus, MSTATUS_MIE
    /* mret: MIE <- MPIE, MPIE <- 1, MPP <- U, and jump to mepc in mode MPP */
    li gp, 3
    li t0, MSTATUS_MPP; csrs mstatus, t0
    li t0, MSTATUS_MPIE; csrc mstatus, t0
    csrsi mstatus, MSTATUS_MIE
    la t0, 1f; csrw mepc, t0
    mret
    j fail
1:  MSTATUS_FIELD(a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE)
    CHECK(a0, MSTATUS_MPIE)
    csrr a0, mhartid          /* still in M: no trap */

    /* M -> S: S can read sstatus, not mstatus */
    li t0, MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP; csrc mstatus, t0
    GOTO_S(in_s)
in_s:
    TEST_NO_TRAP(4, csrr a0, sstatus)
    TEST_TRAP(5, CAUSE_ILLEGAL, csrr a0, mstatus)
    TEST_TRAP(6, CAUSE_ILLEGAL, csrr a0, mscratch)
    TEST_TRAP(7, CAUSE_ILLEGAL, mret)
    /* ecall from S: cause 9, MPP = S */
    li gp, 8
    ARM_TRAP
1:  ecall
    CHECK_TRAPPED(CAUSE_ECALL_S)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    TRAP_STATUS_FIELD(a0, MSTATUS_MPP)
    CHECK(a0, MSTATUS_MPP_S)
    /* S -> U through sret: SIE <- SPIE, SPIE <- 1, SPP <- U */
    li t0, MSTATUS_SPP; csrc sstatus, t0
    li t0, MSTATUS_SPIE; csrs sstatus, t0
    la t0, in_u; csrw sepc, t0
    sret
in_u:
    TEST_TRAP(9, CAUSE_ILLEGAL, csrr a0, sstatus)
    TEST_TRAP(10, CAUSE_ILLEGAL, sret)
    TEST_TRAP(11, CAUSE_ILLEGAL, wfi)
    TEST_TRAP(12, CAUSE_ILLEGAL, sfence.vma)
    /* ecall from U: cause 8, MPP = U */
    li gp, 13
    ARM_TRAP
1:  ecall
    CHECK_TRAPPED(CAUSE_ECALL_U)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    TRAP_STATUS_FIELD(a0, MSTATUS_MPP)
    CHECK(a0, 0)
    ENTER_M
    /* the sret above set SIE from SPIE and SPIE to 1, SPP to U */
    TEST_CASE(14, a0, MSTATUS_SIE | MSTATUS_SPIE, MSTATUS_FIELD(a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP))
    csrci mstatus, MSTATUS_SIE

    /* sret from M goes to the mode in SPP */
    li gp, 15
    li t0, MSTATUS_SPP | MSTATUS_SPIE; csrs mstatus, t0
    la t0, 1f; csrw sepc, t0
    sret
    j fail
1:  TEST_TRAP(16, CAUSE_ILLEGAL, csrr a0, mstatus)      /* in S now */
    TEST_CASE(17, a0, MSTATUS_SIE | MSTATUS_SPIE, csrr a0, sstatus; andi a0, a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP)
    csrci sstatus, MSTATUS_SIE
    ENTER_M

    /* illegal instructions: mtval holds the instruction bits */
    li gp, 18
    ARM_TRAP
1:  .word 0x02000057                    /* a vector instruction: no V */
    CHECK_TRAPPED(CAUSE_ILLEGAL)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0x02000057)
    li gp, 19
    ARM_TRAP
1:  .word 0xffffffff
    CHECK_TRAPPED(CAUSE_ILLEGAL)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0xffffffff)
    /* a reserved compressed encoding (c.addi4spn with a zero immediate) */
    li gp, 20
    ARM_TRAP
1:  .half 0x0004
    CHECK_TRAPPED(CAUSE_ILLEGAL)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0x0004)
    /* the all-zero halfword is illegal */
    li gp, 21
    ARM_TRAP
1:  .half 0x0000
    CHECK_TRAPPED(CAUSE_ILLEGAL)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0)
    /* breakpoint: epc at the ebreak */
    li gp, 22
    ARM_TRAP
    .option push; .option norvc
1:  ebreak
    .option pop
    CHECK_TRAPPED(CAUSE_BREAKPOINT)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0)          /* mtval may be 0 for ebreak; QEMU 7.2 writes 0 */

    /* access faults: nothing answers at 0x20000 */
    li s0, 0x20000
    TEST_TRAP(23, CAUSE_LOAD_ACCESS, ld a0, 0(s0))
    CHECK_TRAP_SLOT(TRAP_TVAL, 0x20000)
    TEST_TRAP(24, CAUSE_STORE_ACCESS, sw a0, 4(s0))
    CHECK_TRAP_SLOT(TRAP_TVAL, 0x20004)
    li gp, 25
    ARM_TRAP
    SET_RESUME(1f)
    jalr ra, 0(s0)
    j fail
1:  CHECK_TRAPPED(CAUSE_FETCH_ACCESS)
    CHECK_TRAP_SLOT(TRAP_EPC, 0x20000)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0x20000)

    /* medeleg: a trap taken in M is never delegated, whatever medeleg says
       (bit 11 should be read-only zero; QEMU 7.2 lets it be set) */
    li t0, 1 << CAUSE_ECALL_M; csrs medeleg, t0
    TEST_TRAP(26, CAUSE_ECALL_M, ecall)
    CHECK_TRAP_SLOT(TRAP_MODE, 3)
    li t0, (1 << CAUSE_ILLEGAL) | (1 << CAUSE_ECALL_U) | (1 << CAUSE_ECALL_S) | (1 << CAUSE_LOAD_ACCESS)
    csrw medeleg, t0
    TEST_CASE(27, a0, (1 << CAUSE_ILLEGAL) | (1 << CAUSE_ECALL_U) | (1 << CAUSE_ECALL_S) | (1 << CAUSE_LOAD_ACCESS), csrr a0, medeleg)
    /* a delegated cause raised in M still goes to M */
    TEST_TRAP(28, CAUSE_ILLEGAL, .word 0x02000057)
    CHECK_TRAP_SLOT(TRAP_MODE, 3)
    /* in S: delegated causes go to the S handler, with scause/sepc/stval/SPP */
    li t0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE; csrc mstatus, t0
    GOTO_S(deleg_s)
deleg_s:
    li gp, 29
    ARM_TRAP
1:  .word 0x02000057
    CHECK_TRAPPED(CAUSE_ILLEGAL)
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0x02000057)
    TRAP_STATUS_FIELD(a0, MSTATUS_SPP)
    CHECK(a0, MSTATUS_SPP)
    li gp, 30
    ARM_TRAP
1:  ecall
    CHECK_TRAPPED(CAUSE_ECALL_S)
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    TEST_TRAP(31, CAUSE_LOAD_ACCESS, li s0, 0x20000; lw a0, 8(s0))
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    CHECK_TRAP_SLOT(TRAP_TVAL, 0x20008)
    /* a cause not delegated still goes to M */
    TEST_TRAP(32, CAUSE_STORE_ACCESS, li s0, 0x20000; sw a0, 8(s0))
    CHECK_TRAP_SLOT(TRAP_MODE, 3)
    /* into U with SIE set: a delegated trap from U sets SPP = U, SPIE = SIE, clears SIE */
    li t0, MSTATUS_SPIE; csrs sstatus, t0
    li t0, MSTATUS_SPP; csrc sstatus, t0
    la t0, deleg_u; csrw sepc, t0
    sret
deleg_u:
    li gp, 33
    ARM_TRAP
1:  ecall
    CHECK_TRAPPED(CAUSE_ECALL_U)
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    TRAP_STATUS_FIELD(a0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE)
    CHECK(a0, MSTATUS_SPIE)
    TEST_TRAP(34, CAUSE_ILLEGAL, csrr a0, sepc)
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    /* ecalls are delegated: go back to M through a breakpoint */
    ENTER_M_BREAK
    csrw medeleg, zero

    /* TVM: satp and sfence.vma trap in S */
    li t0, MSTATUS_TVM; csrs mstatus, t0
    GOTO_S(tvm_s)
tvm_s:
    TEST_TRAP(35, CAUSE_ILLEGAL, csrr a0, satp)
    TEST_TRAP(36, CAUSE_ILLEGAL, csrw satp, zero)
    TEST_TRAP(37, CAUSE_ILLEGAL, sfence.vma)
    TEST_TRAP(38, CAUSE_ILLEGAL, sfence.vma a0, zero)
    ENTER_M
    li t0, MSTATUS_TVM; csrc mstatus, t0
    GOTO_S(notvm_s)
notvm_s:
    TEST_NO_TRAP(39, csrr a0, satp; sfence.vma)
    ENTER_M
    /* TW: wfi traps in S */
    li t0, MSTATUS_TW; csrs mstatus, t0
    GOTO_S(tw_s)
tw_s:
    TEST_TRAP(40, CAUSE_ILLEGAL, wfi)
    ENTER_M
    li t0, MSTATUS_TW; csrc mstatus, t0
    /* without TW, wfi in S completes when an enabled interrupt is pending
       (even with SIE clear, so it is not taken; delegated, so M does not
       take it either) */
    csrsi mideleg, 1 << IRQ_S_SOFT
    csrsi mip, 1 << IRQ_S_SOFT
    csrsi mie, 1 << IRQ_S_SOFT
    csrci mstatus, MSTATUS_SIE | MSTATUS_MIE
    GOTO_S(notw_s)
notw_s:
    TEST_NO_TRAP(41, wfi)
    ENTER_M
    csrci mie, 1 << IRQ_S_SOFT
    csrci mip, 1 << IRQ_S_SOFT
    csrci mideleg, 1 << IRQ_S_SOFT
    /* TSR: sret traps in S */
    li t0, MSTATUS_TSR; csrs mstatus, t0
    GOTO_S(tsr_s)
tsr_s:
    TEST_TRAP(42, CAUSE_ILLEGAL, sret)
    ENTER_M
    li t0, MSTATUS_TSR; csrc mstatus, t0
    /* TSR does not stop M from using sret */
    TEST_CASE(43, a0, 0, li t0, MSTATUS_TSR | MSTATUS_SPP; csrs mstatus, t0; la t0, 1f; csrw sepc, t0; sret; j fail; 1: li a0, 0)
    ENTER_M
    li t0, MSTATUS_TSR; csrc mstatus, t0

    TEST_END
