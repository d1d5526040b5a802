/* Zifencei: code rewritten by stores becomes visible to instruction fetch
   after fence.i — in a function that already ran (and so sits in any
   translation cache), in the very block doing the store, for a compressed
   instruction, and many times over in a loop. */
#include "isa.h"

#define ADDI_A0(imm)  (0x00000513 | ((imm) << 20))   /* addi a0, x0, imm */
#define C_LI_A0(imm)  (0x4501 | (((imm) & 0x1f) << 2)) /* c.li a0, imm (0 <= imm < 32) */

TEST_BEGIN
    /* a function that has run once, then is patched */
    TEST_CASE(1, a0, 1, call patched)
    TEST_CASE(2, a0, 1, call patched)
    TEST_CASE(3, a0, 2, la a1, patched; li a2, ADDI_A0(2); sw a2, 0(a1); fence.i; call patched)
    TEST_CASE(4, a0, 300, la a1, patched; li a2, ADDI_A0(300); sw a2, 0(a1); fence.i; call patched)

    /* the instruction after the store, in the same straight-line block */
    li gp, 5
    la a1, 1f
    li a2, ADDI_A0(7)
    sw a2, 0(a1)
    fence.i
    .option push; .option norvc
1:  addi a0, x0, 5
    .option pop
    CHECK(a0, 7)

    /* a compressed instruction, patched with a halfword store */
    TEST_CASE(6, a0, 3, call patched_c)
    TEST_CASE(7, a0, 9, la a1, patched_c; li a2, C_LI_A0(9); sh a2, 0(a1); fence.i; call patched_c)

    /* a loop that rewrites its own body each time round: the sum is
       1 + 2 + ... + 20 only if every new version is fetched */
    li gp, 8
    li s0, 0                         /* sum */
    li s1, 1                         /* next immediate */
    la s2, 2f
3:  slli a2, s1, 20
    li a3, ADDI_A0(0)
    or a2, a2, a3
    sw a2, 0(s2)
    fence.i
    .option push; .option norvc
2:  addi a0, x0, 0
    .option pop
    add s0, s0, a0
    addi s1, s1, 1
    li a3, 21
    blt s1, a3, 3b
    CHECK(s0, 210)

    /* the original code was not merely cached differently: re-read it */
    TEST_CASE(9, a0, ADDI_A0(20), la a1, 2b; lwu a0, 0(a1))

    TEST_END

    .balign 4
    .option push; .option norvc
patched:
    addi a0, x0, 1
    ret
    .option pop
patched_c:
    c.li a0, 3
    ret
