/* What the gdb sessions poke at: globals to watch, a call chain to break in,
   a loop that makes them change, and UART output. */

volatile long counter;          /* written in the loop: watch */
volatile long source = 7;       /* read in the loop: rwatch */
volatile long mixed;            /* read and written: awatch */
volatile long sink;
volatile long poweroff_at_end;  /* set from gdb to power off after main */
volatile long spin_count;
volatile double ratio = 1.5;

#define UART ((volatile unsigned char *)0x10000000)

static void put(const char *s)
{
    while (*s)
        *UART = (unsigned char)*s++;
}

__attribute__((noinline)) long checkpoint(long i)
{
    return i * 3 + 1;
}

/* An M-mode ecall: the trap vector skips it (for `monitor catch trap`). */
__attribute__((noinline)) void trigger_ecall(void)
{
    __asm__ volatile("ecall");
}

__attribute__((noinline)) long fib(long n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void)
{
    put("rsp guest: hello\n");
    long total = 0;
    for (long i = 0; i < 5; i++) {
        counter += i + 1;
        sink = source + i;
        mixed = mixed + 2;
        total += checkpoint(i);
        ratio = ratio * 2.0;
    }
    trigger_ecall();
    total += fib(12);
    put("rsp guest: done\n");
    return (int)total;
}
