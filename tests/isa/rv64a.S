/* A: lr/sc success and failure, every amo*.w/.d (signed vs unsigned
   min/max, .w results sign-extended, the neighbouring word untouched),
   aq/rl forms, rd = x0 (misaligned ones: rv64a_misaligned.S). */
#include "isa.h"

/* *s0 = old; op a0, src, (s0); require a0 == old and *s0 == new */
#define TEST_AMO_D(n, op, old, src, new) \
    TEST_CASE(n, a0, old, li a1, old; sd a1, 0(s0); li a1, src; op a0, a1, (s0)) \
    ld a2, 0(s0); CHECK(a2, new)
/* as above on a word; the word after it must keep its sentinel */
#define TEST_AMO_W(n, op, old, src, oldsext, new) \
    TEST_CASE(n, a0, oldsext, li a1, old; sw a1, 0(s0); li a1, 0x5a5a5a5a; sw a1, 4(s0); li a1, src; op a0, a1, (s0)) \
    lwu a2, 0(s0); CHECK(a2, new) lwu a2, 4(s0); CHECK(a2, 0x5a5a5a5a)

TEST_BEGIN
    la s0, adata

    TEST_AMO_D(1, amoswap.d, 0x8000000000000001, 0x7fffffffffffffff, 0x7fffffffffffffff)
    TEST_AMO_D(2, amoswap.d, 0xffffffffffffffff, 0x1, 0x1)
    TEST_AMO_D(3, amoswap.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0xf0f0f0f0f0f0f0f)
    TEST_AMO_W(4, amoswap.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0x7fffffff)
    TEST_AMO_W(5, amoswap.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0x1)
    TEST_AMO_W(6, amoswap.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0xf0f0f0f)
    TEST_AMO_D(7, amoadd.d, 0x8000000000000001, 0x7fffffffffffffff, 0x0)
    TEST_AMO_D(8, amoadd.d, 0xffffffffffffffff, 0x1, 0x0)
    TEST_AMO_D(9, amoadd.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0x21436587a9cbedff)
    TEST_AMO_W(10, amoadd.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0x0)
    TEST_AMO_W(11, amoadd.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0x0)
    TEST_AMO_W(12, amoadd.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0xa9cbedff)
    TEST_AMO_D(13, amoxor.d, 0x8000000000000001, 0x7fffffffffffffff, 0xfffffffffffffffe)
    TEST_AMO_D(14, amoxor.d, 0xffffffffffffffff, 0x1, 0xfffffffffffffffe)
    TEST_AMO_D(15, amoxor.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0x1d3b597795b3d1ff)
    TEST_AMO_W(16, amoxor.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0xfffffffe)
    TEST_AMO_W(17, amoxor.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0xfffffffe)
    TEST_AMO_W(18, amoxor.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0x95b3d1ff)
    TEST_AMO_D(19, amoand.d, 0x8000000000000001, 0x7fffffffffffffff, 0x1)
    TEST_AMO_D(20, amoand.d, 0xffffffffffffffff, 0x1, 0x1)
    TEST_AMO_D(21, amoand.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0x20406080a0c0e00)
    TEST_AMO_W(22, amoand.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0x1)
    TEST_AMO_W(23, amoand.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0x1)
    TEST_AMO_W(24, amoand.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0xa0c0e00)
    TEST_AMO_D(25, amoor.d, 0x8000000000000001, 0x7fffffffffffffff, 0xffffffffffffffff)
    TEST_AMO_D(26, amoor.d, 0xffffffffffffffff, 0x1, 0xffffffffffffffff)
    TEST_AMO_D(27, amoor.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0x1f3f5f7f9fbfdfff)
    TEST_AMO_W(28, amoor.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0xffffffff)
    TEST_AMO_W(29, amoor.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0xffffffff)
    TEST_AMO_W(30, amoor.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0x9fbfdfff)
    TEST_AMO_D(31, amomin.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001)
    TEST_AMO_D(32, amomin.d, 0xffffffffffffffff, 0x1, 0xffffffffffffffff)
    TEST_AMO_D(33, amomin.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0xf0f0f0f0f0f0f0f)
    TEST_AMO_W(34, amomin.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0x80000001)
    TEST_AMO_W(35, amomin.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0xffffffff)
    TEST_AMO_W(36, amomin.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0x9abcdef0)
    TEST_AMO_D(37, amomax.d, 0x8000000000000001, 0x7fffffffffffffff, 0x7fffffffffffffff)
    TEST_AMO_D(38, amomax.d, 0xffffffffffffffff, 0x1, 0x1)
    TEST_AMO_D(39, amomax.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0x123456789abcdef0)
    TEST_AMO_W(40, amomax.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0x7fffffff)
    TEST_AMO_W(41, amomax.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0x1)
    TEST_AMO_W(42, amomax.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0xf0f0f0f)
    TEST_AMO_D(43, amominu.d, 0x8000000000000001, 0x7fffffffffffffff, 0x7fffffffffffffff)
    TEST_AMO_D(44, amominu.d, 0xffffffffffffffff, 0x1, 0x1)
    TEST_AMO_D(45, amominu.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0xf0f0f0f0f0f0f0f)
    TEST_AMO_W(46, amominu.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0x7fffffff)
    TEST_AMO_W(47, amominu.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0x1)
    TEST_AMO_W(48, amominu.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0xf0f0f0f)
    TEST_AMO_D(49, amomaxu.d, 0x8000000000000001, 0x7fffffffffffffff, 0x8000000000000001)
    TEST_AMO_D(50, amomaxu.d, 0xffffffffffffffff, 0x1, 0xffffffffffffffff)
    TEST_AMO_D(51, amomaxu.d, 0x123456789abcdef0, 0xf0f0f0f0f0f0f0f, 0x123456789abcdef0)
    TEST_AMO_W(52, amomaxu.w, 0x80000001, 0x7fffffff, 0xffffffff80000001, 0x80000001)
    TEST_AMO_W(53, amomaxu.w, 0xffffffff, 0x1, 0xffffffffffffffff, 0xffffffff)
    TEST_AMO_W(54, amomaxu.w, 0x9abcdef0, 0xf0f0f0f, 0xffffffff9abcdef0, 0x9abcdef0)
    /* acquire/release forms behave the same on one hart */
    TEST_AMO_D(55, amoadd.d.aq, 40, 2, 42)
    TEST_AMO_D(56, amoadd.d.rl, 40, 3, 43)
    TEST_AMO_D(57, amoor.d.aqrl, 0x40, 0x3, 0x43)
    TEST_AMO_W(58, amoswap.w.aq, 0x80000000, 7, 0xffffffff80000000, 7)
    TEST_AMO_W(59, amomaxu.w.aqrl, 0x80000000, 7, 0xffffffff80000000, 0x80000000)
    /* rd = x0: memory still updated */
    TEST_CASE(60, a2, 12, li a1, 5; sd a1, 0(s0); li a1, 7; amoadd.d x0, a1, (s0); ld a2, 0(s0))
    /* rd = rs2: rd gets the old value, memory the old rs2 */
    TEST_CASE(61, a1, 5, li a1, 5; sd a1, 0(s0); li a1, 9; amoswap.d a1, a1, (s0); ld a2, 0(s0); CHECK(a2, 9))

    /* lr/sc: success writes and returns 0 */
    TEST_CASE(62, a1, 0, li a0, 100; sd a0, 0(s0); lr.d a0, (s0); addi a0, a0, 1; sc.d a1, a0, (s0)) \
        ld a2, 0(s0); CHECK(a2, 101)
    TEST_CASE(63, a1, 0, li a0, -2; sw a0, 8(s0); addi s1, s0, 8; lr.w a0, (s1); CHECK(a0, 0xfffffffffffffffe) addi a0, a0, 3; sc.w a1, a0, (s1)) \
        lw a2, 8(s0); CHECK(a2, 1)
    /* a second sc without a new lr fails and does not write */
    TEST_CASE(64, a1, 1, li a0, 7; sc.d a1, a0, (s0); snez a1, a1) \
        ld a2, 0(s0); CHECK(a2, 101)
    /* sc to another address than the reservation fails */
    TEST_CASE(65, a1, 1, lr.d a0, (s0); li a0, 55; addi s1, s0, 16; sc.d a1, a0, (s1); snez a1, a1) \
        ld a2, 16(s0); CHECK(a2, 0) ld a2, 0(s0); CHECK(a2, 101)
    /* and leaves no reservation behind */
    TEST_CASE(66, a1, 1, li a0, 56; sc.d a1, a0, (s0); snez a1, a1)
    /* lr.d/sc.d aq/rl forms and a retry loop as compilers emit it */
    TEST_CASE(67, a2, 111, 1: lr.d.aq a0, (s0); addi a0, a0, 10; sc.d.rl a1, a0, (s0); bnez a1, 1b; ld a2, 0(s0))
    TEST_CASE(68, a2, 2, li a0, 1; sw a0, 8(s0); addi s1, s0, 8; 1: lr.w.aqrl a0, (s1); addi a0, a0, 1; sc.w.aqrl a1, a0, (s1); bnez a1, 1b; lw a2, 8(s0))

    TEST_END

    .data
    .balign 64
adata:
    .fill 8, 8, 0
