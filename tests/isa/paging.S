/* Sv39 paging, with page tables the test builds itself:
   - an identity map of the program (4 KiB pages, so one page can be made a
     U page) and a 1 GiB identity map of the devices;
   - test pages at 0x40000000 with every permission combination, a 2 MiB
     and a 1 GiB superpage, misaligned superpages, a non-leaf last level;
   - the hardware setting A and D, U/S rules with SUM, MXR, MPRV, every
     page-fault kind with its mtval/stval (delegated to S too), a
     non-canonical address, and sfence.vma after a PTE change. */
#include "isa.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define SRWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define SATP_SV39 (8 << 60)

#define TVA 0x40000000                 /* the 4 KiB test pages: TVA + n * 4096 */
#define MEGA_VA 0x40200000             /* 2 MiB page -> 0x80000000 */
#define MEGA_BAD_VA 0x40400000         /* 2 MiB page with a misaligned PPN */
#define L0_BAD_VA 0x40600000           /* level 0 entry that is not a leaf */
#define GIGA_VA 0xc0000000             /* 1 GiB page -> 0x80000000 */
#define GIGA_BAD_VA 0x100000000        /* 1 GiB page with a misaligned PPN */
#define NONCANON_VA 0x0000004000000000 /* bit 38 set, bits 63:39 clear */

/* table[index] = PTE(pa, flags), all in registers a0..a3 (clobbers a1, a2) */
#define PTE(table, index, pa, flags) la a0, table; li a1, index; li a2, pa; li a3, flags; call set_pte;
#define PTE_L(table, index, label, flags) la a0, table; li a1, index; la a2, label; li a3, flags; call set_pte;
/* the PTE of test page n, as stored in memory */
#define LOAD_TPTE(reg, n) la reg, pt_l0_t; ld reg, (8 * (n))(reg);

/* in S/U: the access must take a page fault with this cause and VA */
#define TEST_FAULT(n, cause, va, code...) \
    TEST_TRAP(n, cause, code) CHECK_TRAP_SLOT(TRAP_TVAL, va)

TEST_BEGIN
    /* test frame i starts with the dword 0xa0 + i */
    la t0, frames
    li t1, 0xa0
    li t2, 8
1:  sd t1, 0(t0)
    li t3, 4096
    add t0, t0, t3
    addi t1, t1, 1
    addi t2, t2, -1
    bnez t2, 1b

    /* identity map of 0x80000000..0x801fffff in 4 KiB supervisor pages */
    la s0, pt_l0_id
    li s1, 0x80000000
    li s2, 512
1:  mv a0, s0; li a1, 0; mv a2, s1; li a3, SRWX; call set_pte
    addi s0, s0, 8
    li t0, 4096
    add s1, s1, t0
    addi s2, s2, -1
    bnez s2, 1b
    /* the page holding u_code is a user page (and not a supervisor one) */
    la a2, u_code
    srli a1, a2, 12
    andi a1, a1, 511
    la a0, pt_l0_id
    li a3, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
    call set_pte
    /* so is the page of user data */
    la a2, u_data
    srli a1, a2, 12
    andi a1, a1, 511
    la a0, pt_l0_id
    li a3, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
    call set_pte
    PTE_L(pt_l1_id, 0, pt_l0_id, PTE_V)
    PTE_L(pt_root, 2, pt_l1_id, PTE_V)
    /* devices: 1 GiB identity */
    PTE(pt_root, 0, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
    /* test region */
    PTE_L(pt_root, 1, pt_l1_t, PTE_V)
    PTE_L(pt_l1_t, 0, pt_l0_t, PTE_V)
    PTE_L(pt_l0_t, 0, frames + 0 * 4096, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
    PTE_L(pt_l0_t, 1, frames + 1 * 4096, PTE_V | PTE_R | PTE_W)
    PTE_L(pt_l0_t, 2, frames + 2 * 4096, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
    PTE_L(pt_l0_t, 3, frames + 3 * 4096, PTE_V | PTE_X | PTE_A)
    /* entry 4 stays invalid */
    PTE_L(pt_l0_t, 5, frames + 5 * 4096, PTE_V | PTE_W | PTE_A | PTE_D)
    PTE_L(pt_l0_t, 6, frames + 6 * 4096, PTE_V | PTE_R | PTE_A)
    PTE_L(pt_l0_t, 7, frames + 4 * 4096, PTE_V | PTE_R | PTE_A)
    PTE_L(pt_l0_t, 8, frames + 7 * 4096, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)
    PTE_L(pt_l0_t, 9, frames + 5 * 4096, PTE_V | PTE_R | PTE_U | PTE_A)
    PTE_L(pt_l0_t, 10, frames + 6 * 4096, PTE_V | PTE_R | PTE_A)
    /* entry 11 stays invalid */
    /* superpages */
    PTE(pt_l1_t, 1, 0x80000000, PTE_V | PTE_R | PTE_A)
    PTE(pt_l1_t, 2, 0x80001000, PTE_V | PTE_R | PTE_A)
    PTE_L(pt_l1_t, 3, pt_l0_bad, PTE_V)
    PTE_L(pt_l0_bad, 0, pt_l0_t, PTE_V)
    PTE(pt_root, 3, 0x80000000, PTE_V | PTE_R | PTE_A)
    PTE(pt_root, 4, 0x80200000, PTE_V | PTE_R | PTE_A)

    la t0, pt_root
    srli t0, t0, 12
    li t1, SATP_SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    /* M mode does not translate */
    TEST_CASE(1, a0, 0xa0, la a1, frames; ld a0, 0(a1))

    GOTO_S(s_basic)
s_basic:
    /* translation */
    li s0, TVA
    TEST_CASE(2, a0, 0xa0, ld a0, 0(s0))
    TEST_CASE(3, a0, 0x1234, li a1, 0x1234; sd a1, 8(s0); la a2, frames; ld a0, 8(a2))
    /* the identity map: the program sees itself */
    TEST_CASE(4, a0, 0xa1, la a1, frames + 4096; ld a0, 0(a1))
    /* A and D: a load sets A, a store sets D */
    TEST_CASE(5, a0, 0, LOAD_TPTE(a1, 1); andi a0, a1, PTE_A | PTE_D)
    TEST_CASE(6, a0, 0xa1, li s1, TVA + 1 * 4096; ld a0, 0(s1))
    TEST_CASE(7, a0, PTE_A, LOAD_TPTE(a1, 1); andi a0, a1, PTE_A | PTE_D)
    TEST_CASE(8, a0, PTE_A | PTE_D, sd zero, 16(s1); LOAD_TPTE(a1, 1); andi a0, a1, PTE_A | PTE_D)
    /* a store to a page without A sets both */
    PTE_L(pt_l0_t, 1, frames + 1 * 4096, PTE_V | PTE_R | PTE_W)
    sfence.vma
    TEST_CASE(9, a0, PTE_A | PTE_D, sd zero, 24(s1); LOAD_TPTE(a1, 1); andi a0, a1, PTE_A | PTE_D)

    /* page faults, each kind, with the VA in mtval */
    TEST_FAULT(10, CAUSE_LOAD_PAGE_FAULT, TVA + 4 * 4096 + 8, li s1, TVA + 4 * 4096; ld a0, 8(s1))
    TEST_FAULT(11, CAUSE_STORE_PAGE_FAULT, TVA + 4 * 4096 + 16, sd a0, 16(s1))
    TEST_FAULT(12, CAUSE_STORE_PAGE_FAULT, TVA + 6 * 4096, li s1, TVA + 6 * 4096; sw a0, 0(s1))
    TEST_CASE(13, a0, 0xa6, ld a0, 0(s1))
    /* W without R is reserved: both kinds fault */
    TEST_FAULT(14, CAUSE_LOAD_PAGE_FAULT, TVA + 5 * 4096, li s1, TVA + 5 * 4096; ld a0, 0(s1))
    TEST_FAULT(15, CAUSE_STORE_PAGE_FAULT, TVA + 5 * 4096 + 4, sw a0, 4(s1))
    /* AMOs and LR/SC fault as stores / loads */
    TEST_FAULT(16, CAUSE_STORE_PAGE_FAULT, TVA + 6 * 4096, li s1, TVA + 6 * 4096; amoadd.d a0, a1, (s1))
    TEST_FAULT(17, CAUSE_LOAD_PAGE_FAULT, TVA + 4 * 4096, li s1, TVA + 4 * 4096; lr.d a0, (s1))
    /* a misaligned load across into an invalid page faults on the second page */
    TEST_FAULT(18, CAUSE_LOAD_PAGE_FAULT, TVA + 11 * 4096, li s1, TVA + 11 * 4096 - 4; ld a0, 0(s1))
    TEST_CASE(55, a0, 0xa6, li s1, TVA + 10 * 4096; ld a0, 0(s1))
    /* fetch faults: invalid page, page without X */
    li gp, 19
    ARM_TRAP
    SET_RESUME(1f)
    li s1, TVA + 4 * 4096
    jalr ra, 0(s1)
    j fail
1:  CHECK_TRAPPED(CAUSE_FETCH_PAGE_FAULT)
    CHECK_TRAP_SLOT(TRAP_TVAL, TVA + 4 * 4096)
    CHECK_TRAP_SLOT(TRAP_EPC, TVA + 4 * 4096)
    li gp, 20
    ARM_TRAP
    SET_RESUME(1f)
    li s1, TVA + 0x10
    jalr ra, 0(s1)
    j fail
1:  CHECK_TRAPPED(CAUSE_FETCH_PAGE_FAULT)
    CHECK_TRAP_SLOT(TRAP_TVAL, TVA + 0x10)
    /* a non-canonical address */
    TEST_FAULT(21, CAUSE_LOAD_PAGE_FAULT, NONCANON_VA, li s1, NONCANON_VA; ld a0, 0(s1))
    TEST_FAULT(22, CAUSE_STORE_PAGE_FAULT, NONCANON_VA, sb a0, 0(s1))
    /* a level-0 entry that points further is a fault */
    TEST_FAULT(23, CAUSE_LOAD_PAGE_FAULT, L0_BAD_VA, li s1, L0_BAD_VA; ld a0, 0(s1))

    /* superpages: 2 MiB and 1 GiB onto 0x80000000 */
    TEST_CASE(24, a0, 0, li s1, MEGA_VA; la a1, frames; li a2, 0x80000000; sub a1, a1, a2; add s1, s1, a1; ld a0, 0(s1); addi a0, a0, -0xa0)
    TEST_CASE(25, a0, 0, li s1, GIGA_VA; la a1, frames + 2 * 4096; li a2, 0x80000000; sub a1, a1, a2; add s1, s1, a1; ld a0, 0(s1); addi a0, a0, -0xa2)
    /* the megapage is read-only */
    TEST_FAULT(26, CAUSE_STORE_PAGE_FAULT, MEGA_VA + 8, li s1, MEGA_VA; sd a0, 8(s1))
    /* misaligned superpages fault */
    TEST_FAULT(27, CAUSE_LOAD_PAGE_FAULT, MEGA_BAD_VA + 0x40, li s1, MEGA_BAD_VA; ld a0, 0x40(s1))
    TEST_FAULT(28, CAUSE_LOAD_PAGE_FAULT, GIGA_BAD_VA + 0x100, li s1, GIGA_BAD_VA; ld a0, 0x100(s1))

    /* U pages from S: no access without SUM, loads and stores with it,
       never execution */
    li s1, TVA + 2 * 4096
    TEST_FAULT(29, CAUSE_LOAD_PAGE_FAULT, TVA + 2 * 4096, ld a0, 0(s1))
    TEST_FAULT(30, CAUSE_STORE_PAGE_FAULT, TVA + 2 * 4096 + 8, sd a0, 8(s1))
    li t0, MSTATUS_SUM; csrs sstatus, t0
    TEST_CASE(31, a0, 0xa2, ld a0, 0(s1))
    TEST_CASE(32, a0, 0x77, li a1, 0x77; sd a1, 8(s1); ld a0, 8(s1))
    li gp, 33
    ARM_TRAP
    SET_RESUME(1f)
    li s1, TVA + 8 * 4096
    jalr ra, 0(s1)
    j fail
1:  CHECK_TRAPPED(CAUSE_FETCH_PAGE_FAULT)
    CHECK_TRAP_SLOT(TRAP_TVAL, TVA + 8 * 4096)
    li t0, MSTATUS_SUM; csrc sstatus, t0

    /* MXR: an execute-only page becomes readable */
    li s1, TVA + 3 * 4096
    TEST_FAULT(34, CAUSE_LOAD_PAGE_FAULT, TVA + 3 * 4096, ld a0, 0(s1))
    li t0, MSTATUS_MXR; csrs sstatus, t0
    TEST_CASE(35, a0, 0xa3, ld a0, 0(s1))
    /* MXR does not make it writable */
    TEST_FAULT(36, CAUSE_STORE_PAGE_FAULT, TVA + 3 * 4096, sd a0, 0(s1))
    li t0, MSTATUS_MXR; csrc sstatus, t0

    /* sfence.vma after a PTE change: test page 7 moves from frame 4 to frame 5 */
    li s1, TVA + 7 * 4096
    TEST_CASE(37, a0, 0xa4, ld a0, 0(s1))
    PTE_L(pt_l0_t, 7, frames + 5 * 4096, PTE_V | PTE_R | PTE_A)
    sfence.vma
    TEST_CASE(38, a0, 0xa5, ld a0, 0(s1))
    /* the same with an address-specific fence */
    PTE_L(pt_l0_t, 7, frames + 6 * 4096, PTE_V | PTE_R | PTE_A)
    sfence.vma s1, zero
    TEST_CASE(39, a0, 0xa6, ld a0, 0(s1))
    /* an entry made invalid faults after the fence */
    PTE_L(pt_l0_t, 7, 0, 0)
    sfence.vma s1
    TEST_FAULT(40, CAUSE_LOAD_PAGE_FAULT, TVA + 7 * 4096, ld a0, 0(s1))
    ENTER_M

    /* U mode: its own pages work, supervisor pages fault. The checks read
       trap_slots: its page is a user page meanwhile. */
    la a2, trap_slots
    srli a1, a2, 12
    andi a1, a1, 511
    la a0, pt_l0_id
    li a3, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
    call set_pte
    sfence.vma
    GOTO_U(u_code)
u_back:
    la a2, trap_slots
    srli a1, a2, 12
    andi a1, a1, 511
    la a0, pt_l0_id
    li a3, SRWX
    call set_pte
    sfence.vma
    /* M with MPRV = 1 and MPP = S translates loads and stores as S */
    li t0, MSTATUS_MPP; csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPRV; csrs mstatus, t0
    li s1, TVA
    TEST_CASE(50, a0, 0xa0, ld a0, 0(s1))
    li t0, MSTATUS_MPRV; csrc mstatus, t0
    /* with MPP = U, the supervisor page faults (in M mode). The handler
       runs with MPP = M, and its mret leaves MPP = U: clear MPRV before
       touching memory again. */
    li gp, 51
    ARM_TRAP
    li t0, MSTATUS_MPP; csrc mstatus, t0
    li t0, MSTATUS_MPRV; csrs mstatus, t0
    ld a0, 0(s1)
    li t0, MSTATUS_MPRV; csrc mstatus, t0
    CHECK_TRAPPED(CAUSE_LOAD_PAGE_FAULT)
    CHECK_TRAP_SLOT(TRAP_TVAL, TVA)
    /* MPRV does not apply to fetches, and once clear M is physical again */
    TEST_CASE(56, a0, 0xa0, la s1, frames; ld a0, 0(s1))

    /* page faults delegated to S: scause, stval, sepc */
    li t0, (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT) | (1 << CAUSE_FETCH_PAGE_FAULT)
    csrw medeleg, t0
    GOTO_S(s_deleg)
s_deleg:
    li s1, TVA + 4 * 4096
    TEST_FAULT(52, CAUSE_LOAD_PAGE_FAULT, TVA + 4 * 4096 + 0x18, lw a0, 0x18(s1))
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    TEST_FAULT(53, CAUSE_STORE_PAGE_FAULT, TVA + 4 * 4096 + 0x20, sh a0, 0x20(s1))
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    li gp, 54
    ARM_TRAP
    SET_RESUME(1f)
    jalr ra, 0(s1)
    j fail
1:  CHECK_TRAPPED(CAUSE_FETCH_PAGE_FAULT)
    CHECK_TRAP_SLOT(TRAP_MODE, 1)
    CHECK_TRAP_SLOT(TRAP_TVAL, TVA + 4 * 4096)
    CHECK_TRAP_SLOT(TRAP_EPC, TVA + 4 * 4096)
    ENTER_M
    csrw medeleg, zero
    csrw satp, zero
    sfence.vma
    TEST_END

/* table[index] = PTE(pa, flags): a0 = table, a1 = index, a2 = pa, a3 = flags */
set_pte:
    srli a2, a2, 12
    slli a2, a2, 10
    or a2, a2, a3
    slli a1, a1, 3
    add a0, a0, a1
    sd a2, 0(a0)
    ret

/* user code, in a page of its own mapped U|R|X (and data in a U|R|W page) */
    .balign 4096
u_code:
    la s2, u_data
    TEST_CASE(41, a0, 0x99, li a1, 0x99; sd a1, 0(s2); ld a0, 0(s2))
    li s1, TVA + 2 * 4096
    TEST_CASE(42, a0, 0xa2, ld a0, 0(s1))
    TEST_CASE(43, a0, 0x55, li a1, 0x55; sb a1, 1(s1); lbu a0, 1(s1))
    li s1, TVA
    TEST_FAULT(44, CAUSE_LOAD_PAGE_FAULT, TVA, ld a0, 0(s1))
    TEST_FAULT(45, CAUSE_STORE_PAGE_FAULT, TVA + 8, sd a0, 8(s1))
    /* a read-only user page */
    li s1, TVA + 9 * 4096
    TEST_CASE(46, a0, 0xa5, ld a0, 0(s1))
    TEST_FAULT(47, CAUSE_STORE_PAGE_FAULT, TVA + 9 * 4096, sd a0, 0(s1))
    /* the program's supervisor pages, even executable ones, are not for U */
    la s1, frames
    TEST_TRAP(48, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s1))
    CHECK_TRAP_SLOT_ADDR(TRAP_TVAL, frames)
    li gp, 49
    ARM_TRAP
    SET_RESUME(1f)
    la s1, set_pte
    jalr ra, 0(s1)
    j fail
1:  CHECK_TRAPPED(CAUSE_FETCH_PAGE_FAULT)
    ENTER_M
    j u_back
    .balign 4096

    .data
    .balign 4096
u_data:
    .fill 512, 8, 0

    .bss
    .balign 4096
pt_root:  .skip 4096
pt_l1_id: .skip 4096
pt_l0_id: .skip 4096
pt_l1_t:  .skip 4096
pt_l0_t:  .skip 4096
pt_l0_bad: .skip 4096
frames:   .skip 8 * 4096
