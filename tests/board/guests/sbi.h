/* SBI calls and console output for the board's S-mode guest programs. */
#include <stdint.h>

struct sbiret { long error; long value; };

static inline struct sbiret sbi(long eid, long fid, long a0, long a1, long a2, long a3)
{
    register long r0 asm("a0") = a0, r1 asm("a1") = a1, r2 asm("a2") = a2, r3 asm("a3") = a3;
    register long r6 asm("a6") = fid, r7 asm("a7") = eid;
    asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){r0, r1};
}

static inline long sbi_legacy(long eid, long a0)
{
    register long r0 asm("a0") = a0;
    register long r7 asm("a7") = eid;
    asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
    return r0;
}

static inline void puts_(const char *s) { while (*s) sbi_legacy(1, *s++); }

static inline void putd(long v)
{
    char buf[24], *p = buf + 23;
    int neg = v < 0;
    unsigned long u = neg ? -v : v;
    *p = 0;
    do { *--p = '0' + u % 10; u /= 10; } while (u);
    if (neg) *--p = '-';
    puts_(p);
}

/* "name value\n": one result line the test reads. */
static inline void report(const char *name, long value)
{
    puts_(name);
    puts_(" ");
    putd(value);
    puts_("\n");
}

#define csr_read(name) ({ unsigned long __v; asm volatile("csrr %0, " #name : "=r"(__v)); __v; })
#define csr_write(name, v) asm volatile("csrw " #name ", %0" :: "r"((unsigned long)(v)))
#define csr_set(name, v) asm volatile("csrs " #name ", %0" :: "r"((unsigned long)(v)))
#define csr_clear(name, v) asm volatile("csrc " #name ", %0" :: "r"((unsigned long)(v)))
