/* The ISA tests' shared frame: start-up, exit, trap handlers and check macros.
 *
 * Every test is an M-mode program entered at 0x80000000 (hart 0; other harts
 * park). It runs numbered cases; gp holds the number of the running case, so
 * a failure exits with that number:
 *   - through the virt test/syscon device at 0x100000: 0x5555 = pass,
 *     (case << 16) | 0x3333 = fail (QEMU's and trapscope's exit status is the
 *     case number);
 *   - or, built with -DEXIT_HTIF, through Spike's HTIF `tohost`:
 *     1 = pass, (case << 1) | 1 = fail.
 * Case numbers are 1..254 (an exit status has 8 bits); 255 means a failure
 * outside any case.
 *
 * Registers the frame reserves: gp (case number), sp (stack), and t4-t6
 * (scratch of the check macros: their values do not survive a check).
 *
 * Traps. Both handlers (M: mtrap_entry at mtvec, S: strap_entry at stvec)
 * record cause, tval, epc, status and the handling mode in trap_slots and
 * count the trap. Then:
 *   - an installed hook (TRAP_HOOK_M / TRAP_HOOK_S) takes over: it is
 *     entered with t0 = &trap_slots, t1-t3 saved, and leaves through
 *     mtrap_return / strap_return;
 *   - else a trap nobody armed (ARM_TRAP) fails the running case;
 *   - else an interrupt is masked in mie/sie and returns to the same pc;
 *   - else an exception resumes at TRAP_RESUME when it is set (and clears
 *     it), or after the trapping instruction (2 or 4 bytes, read at the
 *     epc, which must then be an identity-mapped address).
 * From S or U mode, ENTER_M (`ecall` with a7 = ECALL_TO_M) returns to M mode
 * just after the ecall; the M handler does that without counting a trap.
 * ENTER_M_BREAK does the same with `ebreak`, for tests that delegate ecalls.
 */
#ifndef ISA_H
#define ISA_H

#define SYSCON_BASE     0x100000
#define SYSCON_PASS     0x5555
#define SYSCON_FAIL     0x3333
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP  (CLINT_BASE + 0x4000)
#define CLINT_MTIME     (CLINT_BASE + 0xbff8)
#define PLIC_BASE       0xc000000
#define UART_BASE       0x10000000
#define UART_IRQ        10

#define MSTATUS_SIE     0x2
#define MSTATUS_MIE     0x8
#define MSTATUS_SPIE    0x20
#define MSTATUS_MPIE    0x80
#define MSTATUS_SPP     0x100
#define MSTATUS_MPP     0x1800
#define MSTATUS_MPP_S   0x0800
#define MSTATUS_FS      0x6000
#define MSTATUS_FS_INIT 0x2000
#define MSTATUS_MPRV    0x20000
#define MSTATUS_SUM     0x40000
#define MSTATUS_MXR     0x80000
#define MSTATUS_TVM     0x100000
#define MSTATUS_TW      0x200000
#define MSTATUS_TSR     0x400000

#define CAUSE_MISALIGNED_FETCH   0
#define CAUSE_FETCH_ACCESS       1
#define CAUSE_ILLEGAL            2
#define CAUSE_BREAKPOINT         3
#define CAUSE_MISALIGNED_LOAD    4
#define CAUSE_LOAD_ACCESS        5
#define CAUSE_MISALIGNED_STORE   6
#define CAUSE_STORE_ACCESS       7
#define CAUSE_ECALL_U            8
#define CAUSE_ECALL_S            9
#define CAUSE_ECALL_M            11
#define CAUSE_FETCH_PAGE_FAULT   12
#define CAUSE_LOAD_PAGE_FAULT    13
#define CAUSE_STORE_PAGE_FAULT   15
#define IRQ(n)                   ((1 << 63) | (n))
#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11

#define ECALL_TO_M  0x7e5

/* trap_slots layout (bytes) */
#define SAVE_T1      0
#define SAVE_T2      8
#define SAVE_T3      16
#define TRAP_CAUSE   24
#define TRAP_TVAL    32
#define TRAP_EPC     40
#define TRAP_STATUS  48
#define TRAP_MODE    56
#define TRAP_COUNT   64
#define TRAP_ARMED   72
#define TRAP_RESUME  80
#define TRAP_HOOK_M  88
#define TRAP_HOOK_S  96
#define TRAP_AUX     104    /* free for hooks */
#define TRAP_SLOTS_SIZE 112

/* ---- checks --------------------------------------------------------- */

/* Run `code`, then require `reg` == `val` (a 64-bit constant). */
#define TEST_CASE(n, reg, val, code...) \
    li gp, n; code; li t6, val; bne reg, t6, fail;

/* Require `reg` == `val` within the running case. */
#define CHECK(reg, val) li t6, val; bne reg, t6, fail;

/* Require two registers equal within the running case. */
#define CHECK_EQ(ra, rb) bne ra, rb, fail;

/* Load a float register from a bit pattern (singles are NaN-boxed). */
#define FLOAD_D(freg, bits) li t6, bits; fmv.d.x freg, t6;
#define FLOAD_S(freg, bits) li t6, bits; fmv.w.x freg, t6;

/* Require a float register's full 64-bit pattern. */
#define CHECK_F64(freg, bits) fmv.x.d t5, freg; li t6, bits; bne t5, t6, fail;
/* Require a single: NaN-boxed (upper 32 bits all ones) with these low bits. */
#define CHECK_F32(freg, bits) CHECK_F64(freg, (0xffffffff00000000 | (bits)))

/* Require the accrued exception flags, and clear them. */
#define CHECK_FFLAGS(val) csrrw t5, fflags, x0; li t6, val; bne t5, t6, fail;
#define FFLAGS_NV 0x10
#define FFLAGS_DZ 0x08
#define FFLAGS_OF 0x04
#define FFLAGS_UF 0x02
#define FFLAGS_NX 0x01

/* Arm the handlers for one expected trap and clear the record. */
#define ARM_TRAP \
    la t6, trap_slots; sd zero, TRAP_COUNT(t6); li t5, 1; sd t5, TRAP_ARMED(t6);

/* After an armed trap: require exactly one, with this cause, and disarm. */
#define CHECK_TRAPPED(cause) \
    la t6, trap_slots; ld t5, TRAP_COUNT(t6); addi t5, t5, -1; bnez t5, fail; \
    ld t5, TRAP_CAUSE(t6); li t6, cause; bne t5, t6, fail; DISARM_TRAP

#define DISARM_TRAP la t6, trap_slots; sd zero, TRAP_ARMED(t6);

/* Require that the last recorded trap's slot holds `val`. */
#define CHECK_TRAP_SLOT(slot, val) la t6, trap_slots; ld t5, slot(t6); li t6, val; bne t5, t6, fail;
/* ... holds the address of `label`. */
#define CHECK_TRAP_SLOT_ADDR(slot, label) la t6, trap_slots; ld t5, slot(t6); la t6, label; bne t5, t6, fail;

/* Case n: the status register the last trap saw, masked, must equal `val`. */
#define TRAP_STATUS_CHECK(n, mask, val) \
    li gp, n; la t6, trap_slots; ld t5, TRAP_STATUS(t6); li t6, mask; and t5, t5, t6; li t6, val; bne t5, t6, fail;

/* Case n: `code` must trap exactly once with `cause`. */
#define TEST_TRAP(n, cause, code...) \
    li gp, n; ARM_TRAP; code; CHECK_TRAPPED(cause)

/* Case n: `code` must not trap (the unarmed handler would fail it). */
#define TEST_NO_TRAP(n, code...) li gp, n; code;

/* ---- privilege ------------------------------------------------------ */

/* Leave M mode for S (or U) mode at `label`. */
#define GOTO_S(label) \
    li t6, MSTATUS_MPP; csrc mstatus, t6; li t6, MSTATUS_MPP_S; csrs mstatus, t6; \
    la t6, label; csrw mepc, t6; mret;
#define GOTO_U(label) \
    li t6, MSTATUS_MPP; csrc mstatus, t6; la t6, label; csrw mepc, t6; mret;
/* From S or U mode: continue in M mode after the ecall (clobbers a7). */
#define ENTER_M li a7, ECALL_TO_M; ecall; li a7, 0;
#define ENTER_M_BREAK li a7, ECALL_TO_M; ebreak; li a7, 0;

/* The next armed exception resumes at `label` instead of after the trapping
   instruction (needed when that instruction cannot be read: fetch faults). */
#define SET_RESUME(label) la t6, trap_slots; la t5, label; sd t5, TRAP_RESUME(t6);

/* Install (or with 0, remove) a hook in a trap handler. */
#define SET_HOOK_M(label) la t6, trap_slots; la t5, label; sd t5, TRAP_HOOK_M(t6);
#define SET_HOOK_S(label) la t6, trap_slots; la t5, label; sd t5, TRAP_HOOK_S(t6);
#define CLEAR_HOOKS la t6, trap_slots; sd zero, TRAP_HOOK_M(t6); sd zero, TRAP_HOOK_S(t6);

/* ---- frame ---------------------------------------------------------- */

#ifdef EXIT_HTIF
#define EXIT_PASS \
    li t0, 1; la t1, tohost; sd t0, 0(t1); 1: j 1b;
#define EXIT_FAIL \
    slli t0, gp, 1; ori t0, t0, 1; la t1, tohost; sd t0, 0(t1); 1: j 1b;
#define TOHOST_SECTION \
    .pushsection .tohost, "aw", @progbits; .balign 64; .globl tohost; tohost: .dword 0; \
    .balign 64; .globl fromhost; fromhost: .dword 0; .popsection;
#else
#define EXIT_PASS \
    li t0, SYSCON_BASE; li t1, SYSCON_PASS; sw t1, 0(t0); 1: j 1b;
#define EXIT_FAIL \
    slli t0, gp, 16; li t1, SYSCON_FAIL; or t0, t0, t1; li t1, SYSCON_BASE; sw t0, 0(t1); 1: j 1b;
#define TOHOST_SECTION
#endif

/* The start of a test: start-up code, handlers, pass/fail, then the cases. */
#define TEST_BEGIN \
    .option nopic; \
    .section .text.init, "ax", @progbits; \
    .globl _start; \
_start: \
    csrr t0, mhartid; bnez t0, park; \
    la sp, stack_top; \
    la t0, trap_slots; csrw mscratch, t0; csrw sscratch, t0; \
    la t0, mtrap_entry; csrw mtvec, t0; \
    la t0, strap_entry; csrw stvec, t0; \
    li t0, -1; csrw pmpaddr0, t0; li t0, 0x1f; csrw pmpcfg0, t0; \
    li t0, MSTATUS_FS_INIT; csrs mstatus, t0; csrwi fcsr, 0; \
    csrw mie, zero; csrw medeleg, zero; csrw mideleg, zero; csrw satp, zero; \
    li gp, 0; \
    j test_main; \
park: wfi; j park; \
fail: bnez gp, 1f; li gp, 255; 1: EXIT_FAIL \
pass: EXIT_PASS \
    TRAP_HANDLER(m, mscratch, mcause, mtval, mepc, mstatus, mie, mret, 3, TRAP_HOOK_M) \
    TRAP_HANDLER(s, sscratch, scause, stval, sepc, sstatus, sie, sret, 1, TRAP_HOOK_S) \
    .pushsection .data; .balign 64; .globl trap_slots; trap_slots: .fill TRAP_SLOTS_SIZE / 8, 8, 0; .popsection; \
    .pushsection .bss; .balign 16; stack_bottom: .skip 4096; stack_top: .popsection; \
    TOHOST_SECTION \
test_main:

#define TEST_END j pass;

/* One trap handler (p = m or s). In M mode an ecall asking for M (a7 =
   ECALL_TO_M) sets MPP = M and returns after the ecall. */
#define TRAP_HANDLER(p, scratch, cause, tval, epc, status, ie, xret, mode, hook) \
    .balign 4; \
p##trap_entry: \
    csrrw t0, scratch, t0; \
    sd t1, SAVE_T1(t0); sd t2, SAVE_T2(t0); sd t3, SAVE_T3(t0); \
    csrr t1, cause; \
    li t2, mode; li t3, 3; bne t2, t3, p##trap_record; \
    li t2, ECALL_TO_M; bne a7, t2, p##trap_record; \
    addi t2, t1, -CAUSE_ECALL_U; beqz t2, p##trap_to_m; \
    addi t2, t1, -CAUSE_ECALL_S; beqz t2, p##trap_to_m; \
    addi t2, t1, -CAUSE_BREAKPOINT; bnez t2, p##trap_record; \
p##trap_to_m: \
    li t2, MSTATUS_MPP; csrs mstatus, t2; \
    addi t2, t1, -CAUSE_BREAKPOINT; beqz t2, p##trap_skip; \
    csrr t2, epc; addi t2, t2, 4; csrw epc, t2; j p##trap_return; \
p##trap_record: \
    sd t1, TRAP_CAUSE(t0); \
    csrr t2, tval; sd t2, TRAP_TVAL(t0); \
    csrr t2, epc; sd t2, TRAP_EPC(t0); \
    csrr t2, status; sd t2, TRAP_STATUS(t0); \
    li t2, mode; sd t2, TRAP_MODE(t0); \
    ld t2, TRAP_COUNT(t0); addi t2, t2, 1; sd t2, TRAP_COUNT(t0); \
    ld t2, hook(t0); beqz t2, 1f; jr t2; \
1:  ld t2, TRAP_ARMED(t0); beqz t2, fail; \
    bgez t1, 2f; \
    li t2, 1; sll t2, t2, t1; csrc ie, t2; j p##trap_return; \
2:  ld t2, TRAP_RESUME(t0); beqz t2, 3f; \
    csrw epc, t2; sd zero, TRAP_RESUME(t0); j p##trap_return; \
3: p##trap_skip: csrr t2, epc; lhu t3, 0(t2); andi t3, t3, 3; addi t3, t3, -3; bnez t3, 4f; addi t2, t2, 2; \
4:  addi t2, t2, 2; csrw epc, t2; \
    .globl p##trap_return; \
p##trap_return: \
    ld t1, SAVE_T1(t0); ld t2, SAVE_T2(t0); ld t3, SAVE_T3(t0); \
    csrrw t0, scratch, t0; \
    xret;

#endif
