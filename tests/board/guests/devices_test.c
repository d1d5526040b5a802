/*
 * An M-mode program (--bios none) that drives the board's devices the way
 * a kernel does, one "name value" line per check (tests/board/test_devices_guest.py):
 * the reset ROM's a0/a1, the CLINT timer and software interrupts, the UART
 * receiving through the PLIC, the virtio block device reading and writing
 * the image, and finally the test/syscon finisher with `exit_code`.
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000UL)
#define CLINT_MSIP ((volatile uint32_t *)0x02000000UL)
#define CLINT_MTIMECMP ((volatile uint64_t *)0x02004000UL)
#define CLINT_MTIME (*(volatile uint64_t *)0x0200BFF8UL)
#define PLIC 0x0C000000UL
#define PLIC_PRIO(s) (*(volatile uint32_t *)(PLIC + 4 * (s)))
#define PLIC_ENABLE(c) (*(volatile uint32_t *)(PLIC + 0x2000 + 0x80 * (c)))
#define PLIC_THRESHOLD(c) (*(volatile uint32_t *)(PLIC + 0x200000 + 0x1000 * (c)))
#define PLIC_CLAIM(c) (*(volatile uint32_t *)(PLIC + 0x200004 + 0x1000 * (c)))
#define VIRTIO 0x10001000UL
#define VREG(off) (*(volatile uint32_t *)(VIRTIO + (off)))
#define SYSCON (*(volatile uint32_t *)0x100000UL)
#define INTR (1UL << 63)

volatile long exit_code = 0;
static volatile int timer_hits, soft_hits, uart_irqs, blk_irqs;
static volatile long fault_cause;
static char received[16];
static volatile int nreceived;
extern char trap_entry[];

#define csr_read(name) ({ unsigned long __v; asm volatile("csrr %0, " #name : "=r"(__v)); __v; })
#define csr_write(name, v) asm volatile("csrw " #name ", %0" :: "r"((unsigned long)(v)))
#define csr_set(name, v) asm volatile("csrs " #name ", %0" :: "r"((unsigned long)(v)))
#define csr_clear(name, v) asm volatile("csrc " #name ", %0" :: "r"((unsigned long)(v)))

static void putc_(char c)
{
    while (!(UART[5] & 0x20))
        ;
    UART[0] = c;
}

static void puts_(const char *s) { while (*s) putc_(*s++); }

static void report(const char *name, long v)
{
    char buf[24], *p = buf + 23;
    int neg = v < 0;
    unsigned long u = neg ? -v : v;
    *p = 0;
    do { *--p = '0' + u % 10; u /= 10; } while (u);
    if (neg) *--p = '-';
    puts_(name);
    putc_(' ');
    puts_(p);
    putc_('\n');
}

/* Sleep until *v reaches n; WFI with MIE off, so no wakeup is lost between test and sleep. */
static void wait_until(volatile int *v, int n)
{
    csr_clear(mstatus, 8);
    while (*v < n) {
        asm volatile("wfi");
        csr_set(mstatus, 8);
        csr_clear(mstatus, 8);
    }
    csr_set(mstatus, 8);
}

void mtrap(unsigned long cause)
{
    if (cause == (INTR | 7)) {
        timer_hits++;
        CLINT_MTIMECMP[0] = ~0UL;
    } else if (cause == (INTR | 3)) {
        soft_hits++;
        CLINT_MSIP[0] = 0;
    } else if (cause == (INTR | 11)) {
        uint32_t src = PLIC_CLAIM(0);
        if (src == 10) {
            uart_irqs++;
            while (UART[5] & 1)
                received[nreceived++ & 15] = UART[0];
        } else if (src == 1) {
            blk_irqs++;
            VREG(0x64) = VREG(0x60);
        }
        PLIC_CLAIM(0) = src;
    } else if (cause == 5 || cause == 7) {
        fault_cause = cause; /* an access fault from a probe: skip its 4-byte instruction */
        csr_write(mepc, csr_read(mepc) + 4);
    } else {
        report("unexpected_trap", cause);
        SYSCON = (99 << 16) | 0x3333;
    }
}

static void test_interrupts(void)
{
    csr_write(mtvec, trap_entry);
    csr_set(mie, (1 << 7) | (1 << 3) | (1 << 11));
    csr_set(mstatus, 1 << 3);
    CLINT_MTIMECMP[0] = CLINT_MTIME + 5000;
    wait_until(&timer_hits, 1);
    report("timer_hits", timer_hits);
    CLINT_MSIP[0] = 1;
    while (!soft_hits)
        ;
    report("soft_hits", soft_hits);
    report("msip_after", CLINT_MSIP[0]);
}

static void test_uart_rx(void)
{
    PLIC_PRIO(10) = 1;
    PLIC_ENABLE(0) = 1 << 10;
    PLIC_THRESHOLD(0) = 0;
    /* FIFO left off: turning it on would drop what already arrived */
    UART[1] = 0x01; /* RX data interrupt */
    wait_until(&nreceived, 4);
    received[nreceived] = 0;
    puts_("uart_rx_text ");
    puts_(received);
    putc_('\n');
    report("uart_irqs_nonzero", uart_irqs > 0);
    UART[1] = 0;
}

/* One split virtqueue of 4 entries in static memory. */
struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
static struct desc descs[4] __attribute__((aligned(16)));
static struct { uint16_t flags, idx, ring[4], event; } avail __attribute__((aligned(2)));
static struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[4]; uint16_t event; } used __attribute__((aligned(4096)));
static struct { uint32_t type, reserved; uint64_t sector; } hdr;
static uint8_t data[512], status;

static int blk_request(uint32_t type, uint64_t sector, int write_data)
{
    int seen = used.idx;
    hdr.type = type; hdr.reserved = 0; hdr.sector = sector;
    status = 0xff;
    descs[0] = (struct desc){(uint64_t)&hdr, 16, 1, 1};
    descs[1] = (struct desc){(uint64_t)data, 512, write_data ? 1 : 3, 2};
    descs[2] = (struct desc){(uint64_t)&status, 1, 2, 0};
    avail.ring[avail.idx % 4] = 0;
    asm volatile("fence" ::: "memory");
    avail.idx++;
    asm volatile("fence" ::: "memory");
    VREG(0x50) = 0;
    while (*(volatile uint16_t *)&used.idx == seen)
        ;
    return status;
}

static void test_virtio(void)
{
    PLIC_PRIO(1) = 1;
    PLIC_ENABLE(0) = 1 << 1;
    report("virtio_magic", VREG(0) == 0x74726976);
    report("virtio_device_id", VREG(8));
    report("virtio_empty_slot_id", *(volatile uint32_t *)(VIRTIO + 0x1008));
    VREG(0x70) = 0;
    VREG(0x70) = 1 | 2;
    VREG(0x24) = 1;
    VREG(0x20) = 1; /* VIRTIO_F_VERSION_1 */
    VREG(0x24) = 0;
    VREG(0x20) = 0;
    VREG(0x70) = 1 | 2 | 8;
    report("virtio_features_ok", (VREG(0x70) >> 3) & 1);
    VREG(0x30) = 0;
    VREG(0x38) = 4;
    VREG(0x80) = (uint32_t)(uint64_t)descs; VREG(0x84) = 0;
    VREG(0x90) = (uint32_t)(uint64_t)&avail; VREG(0x94) = 0;
    VREG(0xA0) = (uint32_t)(uint64_t)&used; VREG(0xA4) = 0;
    VREG(0x44) = 1;
    VREG(0x70) = 1 | 2 | 8 | 4;
    report("virtio_capacity", *(volatile uint64_t *)(VIRTIO + 0x100));
    report("blk_read_status", blk_request(0, 1, 0));
    data[32] = 0;
    puts_("blk_read_text ");
    puts_((char *)data);
    putc_('\n');
    for (int i = 0; i < 512; i++)
        data[i] = "written by the guest "[i % 21];
    report("blk_write_status", blk_request(1, 2, 1));
    report("blk_flush_status", blk_request(4, 0, 0) == 0xff ? -1 : status);
    report("blk_irqs_nonzero", blk_irqs > 0);
}

/* One access of `size` bytes; reports the value read, or "fault N" when it trapped. */
#define PROBE(name, insn, addr)                                                          \
    do {                                                                                 \
        unsigned long v = 0;                                                             \
        fault_cause = 0;                                                                 \
        asm volatile(".option push\n.option norvc\n" insn "\n.option pop"               \
                     : "+r"(v) : "r"((unsigned long)(addr)) : "memory");                 \
        report(name, fault_cause ? -fault_cause : (long)v);                             \
    } while (0)

static void test_odd_accesses(void)
{
    PROBE("plic_byte_read", "lb %0, 0(%1)", PLIC + 4);
    PROBE("plic_dword_read", "ld %0, 0(%1)", PLIC + 0x1000);
    PROBE("clint_byte_read", "lb %0, 0(%1)", 0x02000000UL);
    PROBE("clint_mtimecmp_misaligned", "lw %0, 0(%1)", 0x02004002UL);
    PROBE("uart_past_end", "lb %0, 0(%1)", 0x10000008UL);
    PROBE("uart_word_read", "lwu %0, 0(%1)", 0x10000004UL);
    PROBE("virtio_half_read", "lh %0, 0(%1)", VIRTIO);
    PROBE("virtio_empty_status", "lw %0, 0(%1)", VIRTIO + 0x1070);
    PROBE("syscon_byte_write", "sb %0, 0(%1)", 0x100000UL);
    PROBE("syscon_read", "lw %0, 0(%1)", 0x100000UL);
    PROBE("unmapped_read", "lw %0, 0(%1)", 0x20000UL);
    PROBE("unmapped_write", "sw %0, 0(%1)", 0x20000UL);
    PROBE("rom_write", "sw %0, 0(%1)", 0x1100UL);
    PROBE("rom_read_back", "lw %0, 0(%1)", 0x1100UL);
}

int main(long hartid, long fdt)
{
    report("rom_a0", hartid);
    report("rom_a1", fdt);
    report("fdt_magic_ok", __builtin_bswap32(*(volatile uint32_t *)fdt) == 0xd00dfeed);
    test_interrupts();
    test_uart_rx();
    test_virtio();
    test_odd_accesses();
    puts_("done\n");
    SYSCON = exit_code ? (exit_code << 16) | 0x3333 : 0x5555;
    return 0;
}
