/* C: every RV64C instruction, written with its c. mnemonic: loads and
   stores (sp-relative and register-based, integer and double, at their
   largest offsets), immediates (c.li, c.lui of both signs, c.addi, c.addiw,
   c.addi16sp, c.addi4spn), the register ALU forms, shifts, branches,
   c.j/c.jr/c.jalr (link = pc + 2), c.mv/c.add, c.nop and c.ebreak; and
   4-byte instructions at 2-byte-aligned addresses. */
#include "isa.h"

TEST_BEGIN
    mv s2, sp                      /* the frame's stack, put back at the end */
    la s0, cdata

    /* immediates */
    TEST_CASE(1, a0, 0xffffffffffffffe0, c.li a0, -32)
    TEST_CASE(2, a0, 31, c.li a0, 31)
    TEST_CASE(3, a0, 0x1f000, c.lui a0, 0x1f)
    TEST_CASE(4, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
    TEST_CASE(5, a0, 0xfffffffffffff000, c.lui a0, 0xfffff)
    TEST_CASE(6, a0, 7, c.li a0, 10; c.addi a0, -3)
    TEST_CASE(7, a0, 42, c.li a0, 11; c.addi a0, 31)
    TEST_CASE(8, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
    TEST_CASE(9, a0, 0xffffffff80000005, li a0, 0x1234567880000005; c.addiw a0, 0)
    TEST_CASE(10, a0, 0, li a0, 0xffffffff00000001; c.addiw a0, -1)

    /* c.addi16sp and c.addi4spn */
    la sp, cdata
    TEST_CASE(11, a0, 496, c.addi16sp sp, 496; sub a0, sp, s0)
    TEST_CASE(12, a0, 0xfffffffffffffff0, c.addi16sp sp, -512; sub a0, sp, s0)
    la sp, cdata
    TEST_CASE(13, a0, 1020, c.addi4spn a0, sp, 1020; sub a0, a0, s0)
    TEST_CASE(14, a1, 4, c.addi4spn a1, sp, 4; sub a1, a1, s0)

    /* register-based loads and stores */
    li a1, 0x1122334455667788
    TEST_CASE(15, a2, 0x1122334455667788, c.sd a1, 0(s0); c.ld a2, 0(s0))
    TEST_CASE(16, a2, 0x55667788, c.sw a1, 8(s0); c.lw a2, 8(s0))
    TEST_CASE(17, a2, 0xffffffff88776655, li a1, 0x88776655; c.sw a1, 124(s0); c.lw a2, 124(s0))
    TEST_CASE(18, a2, 0x0102030405060708, li a1, 0x0102030405060708; c.sd a1, 248(s0); c.ld a2, 248(s0))
    TEST_CASE(19, a3, 0x400921fb54442d18, li a1, 0x400921fb54442d18; fmv.d.x fa0, a1; c.fsd fa0, 16(s0); c.fld fa1, 16(s0); fmv.x.d a3, fa1)
    TEST_CASE(20, a3, 0xc000000000000000, mv a5, s0; li a1, 0xc000000000000000; fmv.d.x fa0, a1; c.fsd fa0, 248(a5); c.fld fa1, 248(a5); fmv.x.d a3, fa1; c.ld a3, 248(a5))
    /* a load into its own base register */
    TEST_CASE(21, a4, 0x1122334455667788, mv a4, s0; c.ld a4, 0(a4))

    /* sp-relative loads and stores */
    la sp, cdata
    TEST_CASE(22, a2, 0x0a0b0c0d0e0f1011, li a1, 0x0a0b0c0d0e0f1011; c.sdsp a1, 504(sp); c.ldsp a2, 504(sp))
    TEST_CASE(23, a2, 0xfffffffff0e0d0c0, li a1, 0xf0e0d0c0; c.swsp a1, 252(sp); c.lwsp a2, 252(sp))
    TEST_CASE(24, a2, 0x3ff0000000000000, li a1, 0x3ff0000000000000; fmv.d.x ft0, a1; c.fsdsp ft0, 256(sp); c.fldsp ft1, 256(sp); fmv.x.d a2, ft1)
    TEST_CASE(25, t3, 0x7777, li t2, 0x7777; c.sdsp t2, 0(sp); c.ldsp t3, 0(sp))
    TEST_CASE(26, t3, 0x6666, li t2, 0x6666; c.swsp t2, 4(sp); c.lwsp t3, 4(sp))

    /* register ALU forms */
    TEST_CASE(27, s1, 0xf000, li s1, 0xf0f0; li a3, 0xff00; c.and s1, a3)
    TEST_CASE(28, s1, 0xfff0, li s1, 0xf0f0; li a3, 0xff00; c.or s1, a3)
    TEST_CASE(29, s1, 0x0ff0, li s1, 0xf0f0; li a3, 0xff00; c.xor s1, a3)
    TEST_CASE(30, s1, 0xfffffffffffff1f0, li s1, 0xf0f0; li a3, 0xff00; c.sub s1, a3)
    TEST_CASE(31, s1, 0xffffffff80000000, li s1, 0x7fffffff; li a3, 0x100000001; c.addw s1, a3)
    TEST_CASE(32, s1, 0x000000007fffffff, li s1, 0x80000000; li a3, 0xffffffff00000001; c.subw s1, a3)
    TEST_CASE(33, s1, 0x1f, li s1, 0xffff; c.andi s1, 0x1f)
    TEST_CASE(34, s1, 0xffe0, li s1, 0xffff; c.andi s1, -32)
    TEST_CASE(35, a0, 0x43, li a0, 0x21; li a1, 0x22; c.add a0, a1)
    TEST_CASE(36, a0, 0x22, li a0, 0x21; li a1, 0x22; c.mv a0, a1)
    TEST_CASE(37, t4, 0x55, li t4, 0; li t5, 0x55; c.mv t4, t5)

    /* shifts (c.slli on any register, c.srli/c.srai on x8-x15) */
    TEST_CASE(38, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
    TEST_CASE(39, t0, 0x0000000100000000, li t0, 1; c.slli t0, 32)
    TEST_CASE(40, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
    TEST_CASE(41, a0, 0x4000000000000000, li a0, 0x8000000000000000; c.srli a0, 1)
    TEST_CASE(42, a0, 0xffffffffffffffff, li a0, 0x8000000000000000; c.srai a0, 63)
    TEST_CASE(43, a0, 0xffffffff80000000, li a0, 0x8000000000000000; c.srai a0, 32)

    /* branches and jumps */
    TEST_CASE(44, a0, 1, li a0, 0; li s1, 0; c.beqz s1, 1f; j fail; 1: li a0, 1)
    TEST_CASE(45, a0, 1, li a0, 0; li s1, 5; c.beqz s1, 2f; li a0, 1; 2: nop)
    TEST_CASE(46, a0, 1, li a0, 0; li s1, -1; c.bnez s1, 1f; j fail; 1: li a0, 1)
    TEST_CASE(47, a0, 1, li a0, 0; li s1, 0; c.bnez s1, 2f; li a0, 1; 2: nop)
    TEST_CASE(48, a0, 2, li a0, 2; c.j 1f; li a0, 3; 1: c.nop)
    TEST_CASE(49, a0, 4, li a0, 4; la a1, 1f; c.jr a1; li a0, 5; 1: c.nop)
    /* c.jalr links pc + 2 */
    TEST_CASE(50, a0, 0, la a1, 1f; 2: c.jalr a1; j fail; 1: la a2, 2b; addi a2, a2, 2; sub a0, ra, a2)
    /* c.jalr through ra itself: the target is the old ra */
    TEST_CASE(51, a0, 0, la ra, 1f; 2: c.jalr ra; j fail; 1: la a2, 2b; addi a2, a2, 2; sub a0, ra, a2)
    /* a backward c.bnez loop */
    TEST_CASE(52, a0, 0, li a0, 9; 1: c.addi a0, -1; c.bnez a0, 1b)

    /* c.nop and the HINT c.addi x0 do nothing; c.ebreak traps with epc at itself */
    TEST_CASE(53, a0, 9, li a0, 9; c.nop; c.nop)
    li gp, 54
    ARM_TRAP
1:  c.ebreak
    CHECK_TRAPPED(CAUSE_BREAKPOINT)
    CHECK_TRAP_SLOT_ADDR(TRAP_EPC, 1b)

    /* 4-byte instructions at addresses that are 2 mod 4, reached by a jump */
    li gp, 55
    li a0, 0
    la a1, 2f
    andi a2, a1, 3
    CHECK(a2, 2)
    jr a1
    .balign 4
    c.nop
2:  addi a0, a0, 5
    li a3, 0x12345
    c.addi a0, 1
    add a0, a0, a3
    CHECK(a0, 0x1234b)

    mv sp, s2
    TEST_END

    .data
    .balign 64
cdata:
    .fill 128, 8, 0
