/* What the benchmark programs share: the syscalls of start.S and output. */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

/* How many times to repeat the work; the bench patches it in the ELF. */
extern volatile uint64_t iterations;

static inline long syscall1(long n, long a0) {
    register long r_a0 asm("a0") = a0;
    register long r_a7 asm("a7") = n;
    asm volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "t0", "t1", "t2", "memory");
    return r_a0;
}

static inline void putchar_(int c) { syscall1(1, c); }

static void print_hex(uint64_t v) {
    for (int i = 60; i >= 0; i -= 4)
        putchar_("0123456789abcdef"[(v >> i) & 15]);
    putchar_('\n');
}
#endif
