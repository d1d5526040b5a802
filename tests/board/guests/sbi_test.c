/*
 * Exercises the built-in SBI from S-mode, one "name value" line per check
 * (tests/board/test_sbi.py reads them): BASE, TIME, IPI, HSM, RFENCE (with
 * their effects: a patched function, a remapped page), DBCN, legacy calls,
 * and finally SRST with the reason the test patches into `exit_reason`
 * (2: reboot first).
 */
#include "sbi.h"

#define EXT_BASE 0x10
#define EXT_TIME 0x54494D45
#define EXT_IPI 0x735049
#define EXT_RFENCE 0x52464E43
#define EXT_HSM 0x48534D
#define EXT_SRST 0x53525354
#define EXT_DBCN 0x4442434E
#define INTR (1UL << 63)
#define PAGE 4096
#define PTE_V 1
#define PTE_RWX 0xE
#define PTE_AD 0xC0
#define TEST_VA 0x40000000UL

volatile long exit_reason = 0;
static volatile int timer_hits, ipi_hits, secondary_done;
static volatile long sec_hartid = -1, sec_opaque = -1, sec_starts;
static volatile unsigned long sec_entry_s11[2], sec_entry_sip[2];
extern volatile unsigned long entry_state[2];
static volatile unsigned long timer_seen_at;
extern char trap_entry[], secondary_entry[];
extern long patchme(void);

static unsigned long root[512] __attribute__((aligned(PAGE)));
static unsigned long level1[512] __attribute__((aligned(PAGE)));
static unsigned long level0[512] __attribute__((aligned(PAGE)));
static unsigned long page_a[512] __attribute__((aligned(PAGE)));
static unsigned long page_b[512] __attribute__((aligned(PAGE)));

/* Sleep until *v reaches n; WFI with SIE off, so no wakeup is lost between test and sleep. */
static void wait_until(volatile int *v, int n)
{
    csr_clear(sstatus, 2);
    while (*v < n) {
        asm volatile("wfi");
        csr_set(sstatus, 2);
        csr_clear(sstatus, 2);
    }
    csr_set(sstatus, 2);
}

void trap(unsigned long cause, unsigned long tval)
{
    (void)tval;
    if (cause == (INTR | 5)) {
        if (!timer_seen_at)
            timer_seen_at = csr_read(time);
        timer_hits++;
        sbi(EXT_TIME, 0, -1, 0, 0, 0);
    } else if (cause == (INTR | 1)) {
        ipi_hits++;
        csr_clear(sip, 2);
    } else {
        report("unexpected_trap", cause);
        sbi(EXT_SRST, 0, 0, 1, 0, 0);
    }
}

void secondary(long hartid, long opaque)
{
    if (sec_starts < 2) {
        sec_entry_s11[sec_starts] = entry_state[0];
        sec_entry_sip[sec_starts] = entry_state[1];
    }
    asm volatile("li s11, 0x5eed" ::: "s11"); /* left for the next hart_start to clear */
    sec_starts++;
    sec_hartid = hartid;
    sec_opaque = opaque;
    sbi(EXT_IPI, 0, 1, 0, 0, 0); /* wake hart 0 */
    secondary_done = 1;
    sbi(EXT_HSM, 1, 0, 0, 0, 0);
    report("hsm_stop_returned", 1);
}

static void test_base(void)
{
    static const long exts[] = {EXT_BASE, EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM, EXT_SRST, EXT_DBCN, 1};
    int found = 0;
    report("spec_version", sbi(EXT_BASE, 0, 0, 0, 0, 0).value);
    report("impl_id", sbi(EXT_BASE, 1, 0, 0, 0, 0).value);
    for (unsigned i = 0; i < sizeof exts / sizeof exts[0]; i++)
        found += sbi(EXT_BASE, 3, exts[i], 0, 0, 0).value == 1;
    report("probe_known", found);
    report("probe_unknown", sbi(EXT_BASE, 3, 0x12345, 0, 0, 0).value);
    report("unknown_ext_error", sbi(0x12345, 0, 0, 0, 0, 0).error);
    report("base_bad_fid_error", sbi(EXT_BASE, 99, 0, 0, 0, 0).error);
    report("mvendorid_error", sbi(EXT_BASE, 4, 0, 0, 0, 0).error);
}

static void test_time(void)
{
    csr_set(sie, 1 << 5);
    csr_set(sstatus, 2);
    sbi(EXT_TIME, 0, csr_read(time) + 20000, 0, 0, 0);
    wait_until(&timer_hits, 1);
    report("timer_hits", timer_hits);
    report("stip_after_set_timer", (csr_read(sip) >> 5) & 1);
    sbi_legacy(0, csr_read(time) + 1000); /* legacy set_timer */
    wait_until(&timer_hits, 2);
    report("legacy_timer_hits", timer_hits);
}

/* How late the S timer interrupt comes while the hart runs (no WFI) with
   interrupts on: the firmware turns the M timer interrupt into STIP, and the
   hart must take that at once, whatever the deadline's phase. */
static void test_timer_latency(void)
{
    static const unsigned long delays[] = {3001, 7919, 12007, 4999, 15013};
    unsigned long worst = 0;
    for (unsigned i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        int before = timer_hits;
        timer_seen_at = 0;
        unsigned long deadline = csr_read(time) + delays[i];
        sbi(EXT_TIME, 0, deadline, 0, 0, 0);
        while (timer_hits == before)
            ;
        if (timer_seen_at - deadline > worst)
            worst = timer_seen_at - deadline;
    }
    report("timer_latency_worst", worst);
}

static void test_ipi(void)
{
    csr_set(sie, 1 << 1);
    report("ipi_self_error", sbi(EXT_IPI, 0, 1, 0, 0, 0).error);
    report("ipi_self_hits", ipi_hits);
    report("ipi_bad_hart", sbi(EXT_IPI, 0, 1, 5, 0, 0).error);
    report("ipi_all_error", sbi(EXT_IPI, 0, 0, -1, 0, 0).error);
    report("ipi_all_hits", ipi_hits);
}

#define PLIC 0x0c000000UL
#define UART_IRQ 10
#define HART1_S_CONTEXT 3

/* The UART's receive interrupt (input is waiting) through the PLIC to hart 1's
   S context: hart 1's SEIP line is high while it is stopped and started. */
static void route_uart_to_hart1(int on)
{
    *(volatile unsigned int *)(PLIC + 4 * UART_IRQ) = 1;
    *(volatile unsigned int *)(PLIC + 0x2000 + 0x80 * HART1_S_CONTEXT) = on ? 1u << UART_IRQ : 0;
    *(volatile unsigned char *)(0x10000000UL + 1) = on; /* IER: received data available */
}

static void start_secondary(const char *name, long opaque)
{
    secondary_done = 0;
    report(name, sbi(EXT_HSM, 0, 1, (long)secondary_entry, opaque, 0).error);
    while (!secondary_done || sbi(EXT_HSM, 2, 1, 0, 0, 0).value != 1)
        ;
}

static void test_hsm(void)
{
    int before = ipi_hits;
    report("hsm_status1_before", sbi(EXT_HSM, 2, 1, 0, 0, 0).value);
    route_uart_to_hart1(1);
    start_secondary("hsm_start1", 0x1234);
    route_uart_to_hart1(0);
    report("hsm_secondary_a0", sec_hartid);
    report("hsm_secondary_a1", sec_opaque);
    report("ipi_from_hart1", ipi_hits - before);
    report("hsm_entry_seip", (sec_entry_sip[0] >> 9) & 1);
    start_secondary("hsm_restart1", 0x5678); /* again: a fresh start, not what the last run left */
    report("hsm_restart_a1", sec_opaque);
    report("hsm_restart_s11", sec_entry_s11[1]);
    report("hsm_restart_seip", (sec_entry_sip[1] >> 9) & 1);
    report("hsm_status0", sbi(EXT_HSM, 2, 0, 0, 0, 0).value);
    report("hsm_start_running", sbi(EXT_HSM, 0, 0, (long)secondary_entry, 0, 0).error);
    report("hsm_start_bad_hart", sbi(EXT_HSM, 0, 9, (long)secondary_entry, 0, 0).error);
    report("hsm_start_bad_addr", sbi(EXT_HSM, 0, 1, 0x10000000000L, 0, 0).error);
    report("hsm_status_bad_hart", sbi(EXT_HSM, 2, 9, 0, 0, 0).error);
    report("hsm_suspend_retentive", sbi(EXT_HSM, 3, 0, 0, 0, 0).error);
    report("hsm_suspend_reserved", sbi(EXT_HSM, 3, 5, 0, 0, 0).error);
}

static void test_fence_i(void)
{
    long before = patchme();
    *(volatile unsigned int *)(void *)patchme = 0x00200513; /* addi a0, zero, 2 */
    report("rfence_i_error", sbi(EXT_RFENCE, 0, 1, 0, 0, 0).error);
    report("patched_before", before);
    report("patched_after", patchme());
    report("rfence_hfence_error", sbi(EXT_RFENCE, 3, 1, 0, 0, 0).error);
    report("rfence_bad_hart", sbi(EXT_RFENCE, 1, 1, 7, 0, 0).error);
}

static void test_sfence(void)
{
    page_a[0] = 0xAAAA;
    page_b[0] = 0xBBBB;
    root[2] = ((0x80000000UL >> 12) << 10) | PTE_AD | PTE_RWX | PTE_V; /* 1 GiB identity */
    root[1] = (((unsigned long)level1 >> 12) << 10) | PTE_V;
    level1[0] = (((unsigned long)level0 >> 12) << 10) | PTE_V;
    level0[0] = (((unsigned long)page_a >> 12) << 10) | PTE_AD | 0x6 | PTE_V;
    csr_write(satp, (8UL << 60) | ((unsigned long)root >> 12));
    asm volatile("sfence.vma" ::: "memory");
    volatile unsigned long *va = (volatile unsigned long *)TEST_VA;
    report("sfence_mapped_a", *va);
    level0[0] = (((unsigned long)page_b >> 12) << 10) | PTE_AD | 0x6 | PTE_V;
    report("rfence_sfence_error", sbi(EXT_RFENCE, 1, 1, 0, TEST_VA, PAGE).error);
    report("sfence_mapped_b", *va);
    csr_write(satp, 0);
    asm volatile("sfence.vma" ::: "memory");
}

static void test_console(void)
{
    static const char msg[] = "dbcn says hi\n";
    char buf[16] = {0};
    report("dbcn_write", sbi(EXT_DBCN, 0, sizeof msg - 1, (long)msg, 0, 0).value);
    sbi(EXT_DBCN, 2, '!', 0, 0, 0);
    puts_("\n");
    report("dbcn_read", sbi(EXT_DBCN, 1, 3, (long)buf, 0, 0).value);
    puts_("dbcn_read_text ");
    puts_(buf);
    puts_("\n");
    report("legacy_getchar", sbi_legacy(2, 0));
    report("legacy_getchar_empty", sbi_legacy(2, 0));
    report("dbcn_bad_addr", sbi(EXT_DBCN, 0, 4, 0x10000000000L, 0, 0).error);
}

int main(long hartid, long fdt)
{
    csr_write(stvec, trap_entry);
    report("boot_hart", hartid);
    report("boot_fdt", fdt);
    test_base();
    test_time();
    test_timer_latency();
    test_ipi();
    test_hsm();
    test_fence_i();
    test_sfence();
    test_console();
    report("srst_bad_type", sbi(EXT_SRST, 0, 5, 0, 0, 0).error);
    puts_("done\n");
    if (exit_reason == 2)
        sbi(EXT_SRST, 0, 1, 0, 0, 0); /* cold reboot: the ELF is loaded again, exit_reason is 0 */
    sbi(EXT_SRST, 0, 0, exit_reason, 0, 0);
    report("srst_returned", 1);
    return 0;
}
