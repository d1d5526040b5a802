/* RV64I: every ALU operation and its W form, shifts at their edge amounts,
   loads and stores of every width and sign (misaligned ordinary accesses
   included), branches both ways, jal/jalr with rd = x0 and rs1 = rd, lui,
   auipc, fence. */
#include "isa.h"

#define TEST_RR(n, op, res, a, b) TEST_CASE(n, a0, res, li a1, a; li a2, b; op a0, a1, a2)
#define TEST_RI(n, op, res, a, imm) TEST_CASE(n, a0, res, li a1, a; op a0, a1, imm)
/* rd = rs1 (source overwritten) */
#define TEST_RR_SRC1(n, op, res, a, b) TEST_CASE(n, a1, res, li a1, a; li a2, b; op a1, a1, a2)
#define TEST_RR_SAME(n, op, res, a) TEST_CASE(n, a1, res, li a1, a; op a1, a1, a1)

TEST_BEGIN

    /* add / sub / addi and their W forms */
    TEST_RR(1, add, 0x0000000000000000, 0x0, 0x0)
    TEST_RR(2, add, 0x0000000000000008, 0x3, 0x5)
    TEST_RR(3, add, 0x8000000000000000, 0x7fffffffffffffff, 0x1)
    TEST_RR(4, add, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff)
    TEST_RR(5, add, 0x0000000000000000, 0xffffffffffffffff, 0x1)
    TEST_RR_SRC1(6, add, 0x24, 13, 23)
    TEST_RR_SAME(7, add, 26, 13)
    TEST_RR(8, sub, 0xfffffffffffffffe, 0x3, 0x5)
    TEST_RR(9, sub, 0x7fffffffffffffff, 0x8000000000000000, 0x1)
    TEST_RR(10, sub, 0x0000000000000001, 0x0, 0xffffffffffffffff)
    TEST_RR_SAME(11, sub, 0, 0x123456789)
    TEST_RI(12, addi, 0x00000000000007ff, 0x0, 0x7ff)
    TEST_RI(13, addi, 0xfffffffffffff800, 0x0, -0x800)
    TEST_RI(14, addi, 0x80000000000007fe, 0x7fffffffffffffff, 0x7ff)
    TEST_RI(15, addi, 0x7fffffffffffffff, 0x8000000000000000, -1)
    TEST_RR(16, addw, 0xffffffff80000000, 0x7fffffff, 0x1)
    TEST_RR(17, addw, 0x0000000000000000, 0xffffffff, 0x1)
    TEST_RR(18, addw, 0x0000000000000002, 0x1234567800000001, 0x0000000100000001)
    TEST_RR(19, subw, 0x000000007fffffff, 0xffffffff80000000, 0x1)
    TEST_RR(20, subw, 0xffffffffffffffff, 0x100000000, 0x1)
    TEST_RI(21, addiw, 0xffffffff800007fe, 0x7fffffff, 0x7ff)
    TEST_RI(22, addiw, 0x000000007fffffff, 0xffffffff80000000, -1)
    TEST_RI(23, addiw, 0x0000000000000005, 0xabcdef0000000005, 0)
    /* sext.w is addiw rd, rs, 0 */
    TEST_CASE(24, a0, 0xffffffff87654321, li a1, 0x1234567887654321; sext.w a0, a1)

    /* logic */
    TEST_RR(25, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
    TEST_RR(26, or, 0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
    TEST_RR(27, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f)
    TEST_RI(28, andi, 0x0000000000000700, 0xff00ff00, 0x70f)
    TEST_RI(29, andi, 0x00000000ff00ff00, 0xff00ff00, -1)
    TEST_RI(30, ori, 0x00000000ff00f70f, 0xff00f000, 0x70f)
    TEST_RI(31, xori, 0xffffffffff00f00f, 0x00ff0f00, -0xf1)
    TEST_RI(32, xori, 0xffffffffffffffff, 0, -1)

    /* comparisons */
    TEST_RR(33, slt, 1, 0xffffffffffffffff, 0)
    TEST_RR(34, slt, 0, 0, 0xffffffffffffffff)
    TEST_RR(35, slt, 1, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_RR(36, slt, 0, 5, 5)
    TEST_RR(37, sltu, 0, 0xffffffffffffffff, 0)
    TEST_RR(38, sltu, 1, 0, 0xffffffffffffffff)
    TEST_RR(39, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_RI(40, slti, 1, 0xfffffffffffff800, -0x7ff)
    TEST_RI(41, slti, 0, 0x7ff, 0x7ff)
    TEST_RI(42, slti, 1, 0x8000000000000000, 0)
    /* sltiu sign-extends its immediate, then compares unsigned */
    TEST_RI(43, sltiu, 1, 0xfffffffffffffffe, -1)
    TEST_RI(44, sltiu, 0, 0xffffffffffffffff, -1)
    TEST_CASE(45, a0, 1, li a1, 0; seqz a0, a1)
    TEST_CASE(46, a0, 1, li a1, 7; snez a0, a1)

    /* shifts: amounts 0, 1, 31, 32, 63, and only the low 6 (W: 5) bits count */
    TEST_RR(47, sll, 0x8000000000000000, 0x1, 63)
    TEST_RR(48, sll, 0x0000000100000000, 0x1, 32)
    TEST_RR(49, sll, 0x0000000000000001, 0x1, 64)
    TEST_RR(50, sll, 0x2468acf13579bde0, 0x123456789abcdef0, 65)
    TEST_RR(51, srl, 0x0000000000000001, 0x8000000000000000, 63)
    TEST_RR(52, srl, 0x00000000ffffffff, 0xffffffffffffffff, 32)
    TEST_RR(53, srl, 0xffffffffffffffff, 0xffffffffffffffff, 0)
    TEST_RR(54, srl, 0x7fffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffc1)
    TEST_RR(55, sra, 0xffffffffffffffff, 0x8000000000000000, 63)
    TEST_RR(56, sra, 0xffffffff80000000, 0x8000000000000000, 32)
    TEST_RR(57, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1)
    TEST_RR(58, sra, 0x8000000000000000, 0x8000000000000000, 0xc0)
    TEST_RI(59, slli, 0x8000000000000000, 0x1, 63)
    TEST_RI(60, slli, 0xffffffff00000000, 0xffffffff, 32)
    TEST_RI(61, srli, 0x0000000000000001, 0x8000000000000000, 63)
    TEST_RI(62, srli, 0x0000000080000000, 0x8000000000000000, 32)
    TEST_RI(63, srai, 0xffffffffffffffff, 0x8000000000000000, 63)
    TEST_RI(64, srai, 0xfffffffffff00000, 0x8000000000000000, 43)
    TEST_RI(65, srai, 0x0000000000000000, 0x7fffffffffffffff, 63)
    TEST_RR(66, sllw, 0xffffffff80000000, 0x1, 31)
    TEST_RR(67, sllw, 0x0000000000000001, 0x1, 32)
    TEST_RR(68, sllw, 0x0000000012345678, 0xffffffff12345678, 0)
    TEST_RR(69, srlw, 0x0000000000000001, 0x80000000, 31)
    TEST_RR(70, srlw, 0xffffffff80000000, 0xffffffff80000000, 32)
    TEST_RR(71, srlw, 0x000000007fffffff, 0xffffffffffffffff, 1)
    TEST_RR(72, sraw, 0xffffffffffffffff, 0x80000000, 31)
    TEST_RR(73, sraw, 0xffffffffc0000000, 0x0000000180000000, 1)
    TEST_RR(74, sraw, 0x0000000000000001, 0xffffffff7fffffff, 62)
    TEST_RI(75, slliw, 0xffffffff80000000, 0x1, 31)
    TEST_RI(76, slliw, 0x0000000000000000, 0xffffffff00000000, 0)
    TEST_RI(77, srliw, 0x0000000000000001, 0xffffffff80000000, 31)
    TEST_RI(78, srliw, 0xffffffff80000000, 0x0000000180000000, 0)
    TEST_RI(79, sraiw, 0xffffffffffffffff, 0x80000000, 31)
    TEST_RI(80, sraiw, 0x0000000000000000, 0xffffffff7fffffff, 31)

    /* lui / auipc */
    TEST_CASE(81, a0, 0xffffffff80000000, lui a0, 0x80000)
    TEST_CASE(82, a0, 0x000000007ffff000, lui a0, 0x7ffff)
    TEST_CASE(83, a0, 0, 1: auipc a0, 0; la a1, 1b; sub a0, a0, a1)
    TEST_CASE(84, a0, 0x1000, 1: auipc a0, 1; la a1, 1b; sub a0, a0, a1)
    TEST_CASE(85, a0, 0xfffffffffffff000, 1: auipc a0, 0xfffff; la a1, 1b; sub a0, a0, a1)

    /* writes to x0 are dropped; x0 reads as 0 */
    TEST_CASE(86, a0, 0, li a1, 5; add x0, a1, a1; mv a0, x0)
    TEST_CASE(87, a0, 0, lui x0, 0x12345; add a0, x0, x0)

    /* loads: every width and sign */
    la s0, ldata
    TEST_CASE(88, a0, 0xffffffffffffff80, lb a0, 0(s0))
    TEST_CASE(89, a0, 0x0000000000000080, lbu a0, 0(s0))
    TEST_CASE(90, a0, 0x000000000000007f, lb a0, 8(s0))
    TEST_CASE(91, a0, 0xffffffffffff8180, lh a0, 0(s0))
    TEST_CASE(92, a0, 0x0000000000008180, lhu a0, 0(s0))
    TEST_CASE(93, a0, 0xffffffff83828180, lw a0, 0(s0))
    TEST_CASE(94, a0, 0x0000000083828180, lwu a0, 0(s0))
    TEST_CASE(95, a0, 0x8786858483828180, ld a0, 0(s0))
    TEST_CASE(96, a0, 0x0000000000008786, lhu a0, 6(s0))
    TEST_CASE(97, a0, 0x000000000c0b0a7f, lw a0, 8(s0))
    /* negative offsets */
    addi s1, s0, 16
    TEST_CASE(98, a0, 0x8786858483828180, ld a0, -16(s1))
    TEST_CASE(99, a0, 0xffffffffffffff87, lb a0, -9(s1))
    /* misaligned ordinary loads (the access is done, not trapped) */
    TEST_CASE(100, a0, 0xffffffffffff8281, lh a0, 1(s0))
    TEST_CASE(101, a0, 0x0000000084838281, lwu a0, 1(s0))
    TEST_CASE(102, a0, 0xffffffff86858483, lw a0, 3(s0))
    TEST_CASE(103, a0, 0x7f87868584838281, ld a0, 1(s0))
    TEST_CASE(104, a0, 0x0b0a7f8786858483, ld a0, 3(s0))
    /* a load into its own base register */
    TEST_CASE(105, a1, 0x8786858483828180, mv a1, s0; ld a1, 0(a1))
    /* a load into x0 has no effect */
    TEST_CASE(106, a0, 0, li a0, 0; ld x0, 0(s0); mv a0, x0)

    /* stores: every width, aligned and misaligned */
    la s0, sdata
    TEST_CASE(107, a0, 0x00000000000000aa, sd zero, 0(s0); li a1, 0x11223344556677aa; sb a1, 0(s0); ld a0, 0(s0))
    TEST_CASE(108, a0, 0x0000000077aa00aa, li a1, 0x77aa; sh a1, 2(s0); ld a0, 0(s0))
    TEST_CASE(109, a0, 0xdeadbeef77aa00aa, li a1, 0x12345678deadbeef; sw a1, 4(s0); ld a0, 0(s0))
    TEST_CASE(110, a0, 0x0123456789abcdef, li a1, 0x0123456789abcdef; sd a1, 8(s0); ld a0, 8(s0))
    TEST_CASE(111, a0, 0x0123cafe89abcdef, li a1, 0xcafe; sh a1, 12(s0); ld a0, 8(s0))
    TEST_CASE(112, a0, 0x01b0bafe89abcdef, li a1, 0xb0ba; sh a1, 13(s0); ld a0, 8(s0))
    TEST_CASE(113, a0, 0x012211ffeeabcdef, li a1, 0x998877662211ffee; sw a1, 11(s0); ld a0, 8(s0))
    TEST_CASE(134, a0, 0x2211ffee, lwu a0, 11(s0))
    TEST_CASE(114, a0, 0x0807060504030201, li a1, 0x0807060504030201; sd a1, 17(s0); ld a0, 17(s0))
    TEST_CASE(115, a0, 0x0706050403020100, ld a0, 16(s0); li a1, 0xff; not a1, a1; and a0, a0, a1)
    TEST_CASE(116, a0, 0x55, li a1, 0x55; sb a1, 31(s0); lbu a0, 31(s0))
    /* stores with negative offsets */
    addi s1, s0, 32
    TEST_CASE(117, a0, 0x00000000feedface, li a1, 0xfeedface; sw a1, -8(s1); lwu a0, 24(s0))

    /* branches: taken and not taken, signed vs unsigned */
    li gp, 118
    li a1, 1; li a2, 2; li a3, -1
    beq a1, a2, fail
    beq a1, a1, 1f; j fail
1:  bne a1, a1, fail
    bne a1, a2, 1f; j fail
1:  blt a2, a1, fail
    blt a3, a1, 1f; j fail
1:  blt a1, a1, fail
    bge a1, a2, fail
    bge a1, a3, 1f; j fail
1:  bge a1, a1, 1f; j fail
1:  bltu a3, a1, fail
    bltu a1, a3, 1f; j fail
1:  bltu a1, a1, fail
    bgeu a1, a3, fail
    bgeu a3, a1, 1f; j fail
1:  bgeu a2, a2, 1f; j fail
1:
    /* backward branch loop */
    TEST_CASE(119, a0, 10, li a0, 0; li a1, 10; 1: addi a0, a0, 1; blt a0, a1, 1b)
    /* bgt/ble/bgtu/bleu are swapped-operand aliases */
    li gp, 120
    li a1, -5; li a2, 3
    bgt a1, a2, fail
    ble a1, a2, 1f; j fail
1:  bgtu a1, a2, 1f; j fail
1:  bleu a1, a2, fail
    /* beqz/bnez/bltz/bgez/blez/bgtz against x0 */
    li gp, 121
    li a1, 0; li a2, -1
    bnez a1, fail
    bltz a1, fail
    bgtz a1, fail
    bgez a2, fail
    blez a2, 1f; j fail
1:

    /* jal / jalr */
    TEST_CASE(122, a0, 0, jal a1, 1f; 2: j fail; 1: la a2, 2b; sub a0, a1, a2)
    /* jal with rd = x0 (j) links nothing */
    TEST_CASE(123, a0, 7, li a0, 7; j 1f; li a0, 8; 1: nop)
    TEST_CASE(124, a0, 0, la a3, 1f; jalr a1, 0(a3); 2: j fail; 1: la a2, 2b; sub a0, a1, a2)
    /* jalr with an offset */
    TEST_CASE(125, a0, 0, la a3, 1f; addi a3, a3, -12; jalr a1, 12(a3); 2: j fail; 1: la a2, 2b; sub a0, a1, a2)
    /* rs1 = rd: the target uses the old value */
    TEST_CASE(126, a0, 0, la a1, 1f; jalr a1, 0(a1); 2: j fail; 1: la a2, 2b; sub a0, a1, a2)
    /* rd = x0 (jr): no link */
    TEST_CASE(127, a0, 3, li a0, 3; la a1, 1f; jr a1; li a0, 4; 1: nop)
    /* the low bit of the jalr target is cleared */
    TEST_CASE(128, a0, 0, la a3, 1f; addi a3, a3, 1; jalr a1, 0(a3); j fail; 1: li a0, 0)
    TEST_CASE(129, a0, 0, la a3, 1f; jalr a1, 1(a3); j fail; 1: li a0, 0)
    /* a call through ra and back */
    TEST_CASE(130, a0, 42, li a0, 0; call sub42)

    /* fences are accepted */
    TEST_NO_TRAP(131, fence; fence rw, rw; fence iorw, iorw; fence r, w; fence.tso)
    /* nop, mv, not, neg, negw */
    TEST_CASE(132, a0, 0xfffffffffffffffb, li a1, 5; neg a0, a1)
    TEST_CASE(133, a0, 0x0000000080000000, li a1, 0xffffffff80000000; negw a0, a1; negw a0, a0; not a0, a0; not a0, a0; li t0, 0xffffffff; and a0, a0, t0)

    TEST_END

sub42:
    li a0, 42
    ret

    .data
    .balign 16
ldata:
    .byte 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87
    .byte 0x7f, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10
sdata:
    .fill 8, 8, 0
