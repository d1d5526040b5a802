/*
 * The FPU oracle: real RISC-V F/D instructions, run under qemu-riscv64.
 *
 * stdin, one case a line:  NAME RM A B C   (hex, no 0x; unused operands may be 0)
 * stdout, one answer a line: RESULT FFLAGS  (hex)
 * A line "sync" answers "sync" and flushes, so a client can send a batch and
 * read its answers back.
 *
 * Operands go into f registers with fmv.{w,d}.x (integers stay in x
 * registers); RM is written to frm and every instruction uses the dynamic
 * mode; fflags is cleared right before the instruction and read right after,
 * all within one asm statement. Float results come back through fmv.x.{w,d};
 * binary32 results are masked to 32 bits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t u64;
typedef void (*op_fn)(const u64 *x, u64 rm, u64 *res, u64 *fl);

#define PRE "fsrm %[rm]\n\tfsflags zero\n\t"
#define POST "frflags %[f]\n\t"
#define OUTS [r] "=&r"(r), [f] "=&r"(f)
#define FREGS "ft0", "ft1", "ft2", "ft3"

/* float op float, float -> float (fmv width W: w or d) */
#define BIN(name, insn, W, MASK)                                              \
    static void name(const u64 *x, u64 rm, u64 *res, u64 *fl) {              \
        u64 r, f;                                                             \
        __asm__ volatile("fmv." W ".x ft0, %[a]\n\tfmv." W ".x ft1, %[b]\n\t" \
                         PRE insn " ft2, ft0, ft1\n\t" POST                   \
                         "fmv.x." W " %[r], ft2"                              \
                         : OUTS : [a] "r"(x[0]), [b] "r"(x[1]), [rm] "r"(rm)  \
                         : FREGS);                                            \
        *res = r & MASK; *fl = f;                                             \
    }

#define TER(name, insn, W, MASK)                                              \
    static void name(const u64 *x, u64 rm, u64 *res, u64 *fl) {              \
        u64 r, f;                                                             \
        __asm__ volatile("fmv." W ".x ft0, %[a]\n\tfmv." W ".x ft1, %[b]\n\t" \
                         "fmv." W ".x ft2, %[c]\n\t"                          \
                         PRE insn " ft3, ft0, ft1, ft2\n\t" POST              \
                         "fmv.x." W " %[r], ft3"                              \
                         : OUTS : [a] "r"(x[0]), [b] "r"(x[1]), [c] "r"(x[2]),\
                           [rm] "r"(rm) : FREGS);                             \
        *res = r & MASK; *fl = f;                                             \
    }

/* one float operand (fmv width WI) -> float (fmv width WO) */
#define UNA(name, insn, WI, WO, MASK)                                         \
    static void name(const u64 *x, u64 rm, u64 *res, u64 *fl) {              \
        u64 r, f;                                                             \
        __asm__ volatile("fmv." WI ".x ft0, %[a]\n\t"                         \
                         PRE insn " ft2, ft0\n\t" POST                        \
                         "fmv.x." WO " %[r], ft2"                             \
                         : OUTS : [a] "r"(x[0]), [rm] "r"(rm) : FREGS);       \
        *res = r & MASK; *fl = f;                                             \
    }

/* two float operands -> integer register (compares) */
#define CMP(name, insn, W)                                                    \
    static void name(const u64 *x, u64 rm, u64 *res, u64 *fl) {              \
        u64 r, f;                                                             \
        __asm__ volatile("fmv." W ".x ft0, %[a]\n\tfmv." W ".x ft1, %[b]\n\t" \
                         PRE insn " %[r], ft0, ft1\n\t" POST                  \
                         : OUTS : [a] "r"(x[0]), [b] "r"(x[1]), [rm] "r"(rm)  \
                         : FREGS);                                            \
        *res = r; *fl = f;                                                    \
    }

/* one float operand -> integer register (conversions, fclass) */
#define F2I(name, insn, W)                                                    \
    static void name(const u64 *x, u64 rm, u64 *res, u64 *fl) {              \
        u64 r, f;                                                             \
        __asm__ volatile("fmv." W ".x ft0, %[a]\n\t"                          \
                         PRE insn " %[r], ft0\n\t" POST                       \
                         : OUTS : [a] "r"(x[0]), [rm] "r"(rm) : FREGS);       \
        *res = r; *fl = f;                                                    \
    }

/* integer register -> float */
#define I2F(name, insn, W, MASK)                                              \
    static void name(const u64 *x, u64 rm, u64 *res, u64 *fl) {              \
        u64 r, f;                                                             \
        __asm__ volatile(PRE insn " ft2, %[a]\n\t" POST                       \
                         "fmv.x." W " %[r], ft2"                              \
                         : OUTS : [a] "r"(x[0]), [rm] "r"(rm) : FREGS);       \
        *res = r & MASK; *fl = f;                                             \
    }

#define M32 0xffffffffULL
#define M64 0xffffffffffffffffULL

#define BOTH(X) X(s, "s", "w", M32) X(d, "d", "d", M64)
#define ARITH(S, T, W, MASK)                         \
    BIN(add_##S, "fadd." T, W, MASK)                 \
    BIN(sub_##S, "fsub." T, W, MASK)                 \
    BIN(mul_##S, "fmul." T, W, MASK)                 \
    BIN(div_##S, "fdiv." T, W, MASK)                 \
    BIN(min_##S, "fmin." T, W, MASK)                 \
    BIN(max_##S, "fmax." T, W, MASK)                 \
    UNA(sqrt_##S, "fsqrt." T, W, W, MASK)            \
    TER(fmadd_##S, "fmadd." T, W, MASK)              \
    TER(fmsub_##S, "fmsub." T, W, MASK)              \
    TER(fnmsub_##S, "fnmsub." T, W, MASK)            \
    TER(fnmadd_##S, "fnmadd." T, W, MASK)            \
    CMP(eq_##S, "feq." T, W)                         \
    CMP(lt_##S, "flt." T, W)                         \
    CMP(le_##S, "fle." T, W)                         \
    F2I(classify_##S, "fclass." T, W)                \
    F2I(cvt_w_##S, "fcvt.w." T, W)                   \
    F2I(cvt_wu_##S, "fcvt.wu." T, W)                 \
    F2I(cvt_l_##S, "fcvt.l." T, W)                   \
    F2I(cvt_lu_##S, "fcvt.lu." T, W)                 \
    I2F(cvt_##S##_w, "fcvt." T ".w", W, MASK)        \
    I2F(cvt_##S##_wu, "fcvt." T ".wu", W, MASK)      \
    I2F(cvt_##S##_l, "fcvt." T ".l", W, MASK)        \
    I2F(cvt_##S##_lu, "fcvt." T ".lu", W, MASK)
BOTH(ARITH)

UNA(cvt_s_d, "fcvt.s.d", "d", "w", M32)
UNA(cvt_d_s, "fcvt.d.s", "w", "d", M64)
/* box_s: fmv.w.x boxes; the whole register comes back. */
UNA(box_s, "fmv.s", "w", "d", M64)
/* unbox_s: a full 64-bit register through fsgnj.s, which unboxes its
 * operands and boxes its result: gives box_s(unbox_s(A)). */
UNA(unbox_s, "fmv.s", "d", "d", M64)

#define ENTRY(S) {#S, S}
#define ENTRIES(S, T, W, MASK)                                                \
    ENTRY(add_##S), ENTRY(sub_##S), ENTRY(mul_##S), ENTRY(div_##S),           \
    ENTRY(min_##S), ENTRY(max_##S), ENTRY(sqrt_##S), ENTRY(fmadd_##S),        \
    ENTRY(fmsub_##S), ENTRY(fnmsub_##S), ENTRY(fnmadd_##S), ENTRY(eq_##S),    \
    ENTRY(lt_##S), ENTRY(le_##S), ENTRY(classify_##S), ENTRY(cvt_w_##S),      \
    ENTRY(cvt_wu_##S), ENTRY(cvt_l_##S), ENTRY(cvt_lu_##S),                   \
    ENTRY(cvt_##S##_w), ENTRY(cvt_##S##_wu), ENTRY(cvt_##S##_l),              \
    ENTRY(cvt_##S##_lu),

static const struct { const char *name; op_fn fn; } OPS[] = {
    BOTH(ENTRIES)
    ENTRY(cvt_s_d), ENTRY(cvt_d_s), ENTRY(box_s), ENTRY(unbox_s),
};

static op_fn lookup(const char *name) {
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (!strcmp(OPS[i].name, name))
            return OPS[i].fn;
    return NULL;
}

int main(void) {
    static char out[1 << 20];
    char line[256], name[64], last[64] = "";
    op_fn fn = NULL;
    setvbuf(stdout, out, _IOFBF, sizeof out);
    while (fgets(line, sizeof line, stdin)) {
        char *p = line, *end;
        u64 rm, x[3] = {0, 0, 0}, res, fl;
        size_t n = strcspn(p, " \n");
        if (n == 0 || n >= sizeof name) {
            fprintf(stderr, "oracle: bad line: %s", line);
            return 2;
        }
        memcpy(name, p, n);
        name[n] = 0;
        if (!strcmp(name, "sync")) {
            fputs("sync\n", stdout);
            fflush(stdout);
            continue;
        }
        if (strcmp(name, last)) {
            fn = lookup(name);
            if (!fn) {
                fprintf(stderr, "oracle: unknown operation %s\n", name);
                return 2;
            }
            strcpy(last, name);
        }
        p += n;
        rm = strtoull(p, &end, 16);
        for (int i = 0; i < 3 && end != p; i++) {
            p = end;
            x[i] = strtoull(p, &end, 16);
        }
        fn(x, rm, &res, &fl);
        printf("%llx %llx\n", (unsigned long long)res, (unsigned long long)fl);
    }
    fflush(stdout);
    return 0;
}
