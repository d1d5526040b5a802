/*
 * An M-mode program in the riscv-tests style: output through the HTIF
 * syscall proxy (write) and the bcd console (putchar), exit through tohost.
 */
#include <stdint.h>

volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));
volatile long exit_code = 3;

static long syscall(long n, long a0, long a1, long a2)
{
    static volatile uint64_t magic[8] __attribute__((aligned(64)));
    magic[0] = n; magic[1] = a0; magic[2] = a1; magic[3] = a2;
    asm volatile("fence" ::: "memory");
    tohost = (uint64_t)(uintptr_t)magic;
    while (fromhost == 0)
        ;
    fromhost = 0;
    asm volatile("fence" ::: "memory");
    return magic[0];
}

void mtrap(unsigned long cause) { (void)cause; }

int main(long hartid)
{
    static const char msg[] = "htif says hello\n";
    long n = syscall(64, 1, (long)msg, sizeof msg - 1);
    tohost = (1UL << 56) | (1UL << 48) | ('0' + n % 10);
    while (fromhost == 0)
        ;
    fromhost = 0;
    tohost = (1UL << 56) | (1UL << 48) | '\n';
    while (fromhost == 0)
        ;
    fromhost = 0;
    (void)hartid;
    tohost = (exit_code << 1) | 1;
    for (;;)
        ;
}
