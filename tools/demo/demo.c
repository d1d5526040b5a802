/*
 * The bundled demo: what `trapscope run` and `serve` run when there is no
 * kernel yet. A bare S-mode program entered by the SBI at 0x80200000: it
 * prints a banner, asks the SBI who it is, starts every other hart through
 * HSM (each says hello and stops itself), then powers off through SRST.
 * It runs the same on the built-in SBI and on OpenSBI.
 */
#include <stdint.h>

#define EXT_LEGACY_PUTCHAR 0x01
#define EXT_LEGACY_SHUTDOWN 0x08
#define EXT_BASE 0x10
#define EXT_HSM 0x48534D
#define EXT_SRST 0x53525354
#define EXT_DBCN 0x4442434E
#define HSM_STOPPED 1

struct sbiret { long error; long value; };

static struct sbiret sbi_call(long eid, long fid, long a0, long a1, long a2)
{
    register long r0 asm("a0") = a0, r1 asm("a1") = a1, r2 asm("a2") = a2;
    register long r6 asm("a6") = fid, r7 asm("a7") = eid;
    asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){r0, r1};
}

static int have_dbcn;
static volatile int print_lock;

static void put_string(const char *s)
{
    const char *e = s;
    while (*e)
        e++;
    if (have_dbcn) {
        sbi_call(EXT_DBCN, 0, e - s, (long)s, 0);
        return;
    }
    while (*s) {
        register long c asm("a0") = *s++;
        register long eid asm("a7") = EXT_LEGACY_PUTCHAR;
        asm volatile("ecall" : "+r"(c) : "r"(eid) : "memory", "a1");
    }
}

static char *fmt_hex(char *p, unsigned long v)
{
    char tmp[16];
    int n = 0;
    do { tmp[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    *p++ = '0'; *p++ = 'x';
    while (n) *p++ = tmp[--n];
    return p;
}

static char *fmt_dec(char *p, unsigned long v)
{
    char tmp[20];
    int n = 0;
    do { tmp[n++] = '0' + v % 10; v /= 10; } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static char *fmt_str(char *p, const char *s)
{
    while (*s) *p++ = *s++;
    return p;
}

static void lock(void) { while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE)) ; }
static void unlock(void) { __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE); }

static const char *impl_name(long id)
{
    switch (id) {
    case 0: return "Berkeley Boot Loader";
    case 1: return "OpenSBI";
    case 4: return "RustSBI";
    case 0x7473: return "trapscope built-in SBI";
    default: return "unknown";
    }
}

void secondary_main(long hartid, long opaque)
{
    char buf[80], *p = buf;
    (void)opaque;
    p = fmt_str(p, "hello from hart ");
    p = fmt_dec(p, hartid);
    p = fmt_str(p, ", started through SBI HSM\n");
    *p = 0;
    lock();
    put_string(buf);
    unlock();
    sbi_call(EXT_HSM, 1, 0, 0, 0); /* hart_stop: does not return */
}

extern char secondary_entry[];

static void start_others(long boot_hart)
{
    for (long h = 0; h < 8; h++) {
        if (h == boot_hart)
            continue;
        struct sbiret st = sbi_call(EXT_HSM, 2, h, 0, 0);
        if (st.error)
            break; /* no such hart */
        if (sbi_call(EXT_HSM, 0, h, (long)secondary_entry, 0).error)
            continue;
        do {
            st = sbi_call(EXT_HSM, 2, h, 0, 0);
        } while (st.value != HSM_STOPPED);
    }
}

void demo_main(long hartid, long fdt)
{
    char buf[160], *p = buf;
    have_dbcn = sbi_call(EXT_BASE, 3, EXT_DBCN, 0, 0).value != 0;
    long spec = sbi_call(EXT_BASE, 0, 0, 0, 0).value;
    long impl = sbi_call(EXT_BASE, 1, 0, 0, 0).value;
    put_string("\n=== trapscope demo: a bare S-mode program on the virt board ===\n");
    p = fmt_str(p, "hart ");
    p = fmt_dec(p, hartid);
    p = fmt_str(p, " booted in S-mode, device tree at ");
    p = fmt_hex(p, fdt);
    p = fmt_str(p, "\nSBI v");
    p = fmt_dec(p, (spec >> 24) & 0x7f);
    p = fmt_str(p, ".");
    p = fmt_dec(p, spec & 0xffffff);
    p = fmt_str(p, " from ");
    p = fmt_str(p, impl_name(impl));
    p = fmt_str(p, have_dbcn ? ", console through DBCN\n" : ", console through legacy putchar\n");
    *p = 0;
    put_string(buf);
    start_others(hartid);
    put_string("all harts said hello; powering off through SBI SRST\n");
    sbi_call(EXT_SRST, 0, 0, 0, 0);
    sbi_call(EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
}
