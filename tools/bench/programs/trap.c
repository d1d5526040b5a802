/* Trap benchmark: ecall round trips from U-mode to an S-mode handler. */
#include "bench.h"

volatile uint64_t iterations = 1;

int main(void) {
    uint64_t sum = 0;
    for (uint64_t it = 0; it < iterations; it++)
        for (int k = 0; k < 10000; k++)
            sum += syscall1(0, k);
    print_hex(sum);
    return 0;
}
