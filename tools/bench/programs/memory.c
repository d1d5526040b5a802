/* Memory benchmark: an 8 MiB heap in 4 KiB pages (U-mode, Sv39), touched
 * page by page, at random, and copied, so translation is on every path. */
#include "bench.h"

volatile uint64_t iterations = 1;

#define HEAP ((volatile uint64_t *)0xC0000000ul)
#define WORDS (8u << 20) / 8

int main(void) {
    uint64_t sum = 0, seed = 99;
    for (uint64_t it = 0; it < iterations; it++) {
        for (unsigned page = 0; page < 2048; page++)
            HEAP[page * 512 + (it & 511)] += it + page;
        for (unsigned k = 0; k < 20000; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            unsigned w = (seed >> 40) % WORDS;
            sum += HEAP[w];
            HEAP[w] = sum;
        }
        volatile uint64_t *src = HEAP + (it & 1) * (WORDS / 2), *dst = HEAP + (1 - (it & 1)) * (WORDS / 2);
        for (unsigned w = 0; w < 32768; w++)
            dst[w] = src[w] + 1;
    }
    print_hex(sum);
    return 0;
}
