/* Integer benchmark: table-driven CRC32, a prime sieve and a shell sort. */
#include "bench.h"

volatile uint64_t iterations = 1;

static uint32_t crc_table[256];
static uint8_t data[16384];
static uint8_t composite[65536];
static uint32_t numbers[4096];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, unsigned n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--)
        c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

static unsigned sieve(unsigned n) {
    unsigned count = 0;
    for (unsigned i = 0; i < n; i++)
        composite[i] = 0;
    for (unsigned i = 2; i < n; i++) {
        if (composite[i])
            continue;
        count++;
        for (unsigned j = i * 2; j < n; j += i)
            composite[j] = 1;
    }
    return count;
}

static void shell_sort(uint32_t *a, int n) {
    for (int gap = n / 2; gap > 0; gap /= 2)
        for (int i = gap; i < n; i++) {
            uint32_t v = a[i];
            int j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap)
                a[j] = a[j - gap];
            a[j] = v;
        }
}

int main(void) {
    uint64_t sum = 0, seed = 12345;
    crc_init();
    for (unsigned i = 0; i < sizeof data; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        data[i] = seed >> 56;
    }
    for (uint64_t it = 0; it < iterations; it++) {
        sum += crc32(data, sizeof data);
        sum += sieve(sizeof composite);
        for (int i = 0; i < 4096; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            numbers[i] = seed >> 33;
        }
        shell_sort(numbers, 4096);
        sum += numbers[0] + numbers[2048] + numbers[4095];
    }
    print_hex(sum);
    return 0;
}
