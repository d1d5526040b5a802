// Boot: the first hart parses the device tree, sets up memory, devices and
// the first task, then starts the other harts through SBI HSM; every hart
// ends in its scheduler loop.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "sbi.h"
#include "defs.h"

extern char end[], kernel_start[];
extern char _entry_secondary[];
extern volatile uint32 secondary_release;
extern uint64 tick_interval;
extern uint64 timebase_hz;
extern struct spinlock rng_lock;
static uint64 ram_end;

static void hart_setup(uint64 hartid)
{
  w_tp(hartid);
  intr_off();
  struct cpu *c = &cpus[hartid];
  c->hartid = hartid;
  c->start_instret = r_instret();
  c->boot_stack = (uint64)r_sp();
}

void start(uint64 hartid, uint64 fdt)
{
  hart_setup(hartid);
  int fdt_ok = fdt_parse(fdt);
  console_init();
  printf("\ntrapscope kernel (boot hart %d)\n", (int)hartid);
  if (fdt_ok < 0)
    panic("no usable device tree at %p", (void *)fdt);
  ram_end = bootinfo.mem_base + bootinfo.mem_size;
  printf("[kernel] %d harts, %d MiB RAM at %p, timebase %d Hz\n", bootinfo.nharts,
         (int)(bootinfo.mem_size >> 20), (void *)bootinfo.mem_base, (int)bootinfo.timebase);
  printf("[kernel] command line: %s\n", bootinfo.bootargs);
  kalloc_init((uint64)end, ram_end);
  kvm_init(ram_end);
  kvm_init_hart();
  proc_init();
  mm_init();
  file_init();
  futex_init();
  shm_init();
  initlock(&rng_lock, "rng");
  plic_init();
  fs_init();
  timebase_hz = bootinfo.timebase;
  tick_interval = timebase_hz / TICK_HZ;
  trap_init_hart();
  plic_init_hart(hartid);
  userinit(bootinfo.bootargs);
  printf("[kernel] free frames at boot: %d\n", (int)kalloc_nfree());
  cpus[hartid].online = 1;
  for (int h = 0; h < NCPU; h++) {
    if (h == (int)hartid || !(bootinfo.hart_present & (1UL << h)))
      continue;
    if (sbi_hart_status(h) == SBI_HSM_STOPPED)
      sbi_hart_start(h, (uint64)_entry_secondary, 0);
  }
  __sync_synchronize();
  secondary_release = 1;   // for firmware without HSM that sent every hart to _entry
  timer_start_hart();
  scheduler();
}

void start_secondary(uint64 hartid)
{
  hart_setup(hartid);
  kvm_init_hart();
  trap_init_hart();
  plic_init_hart(hartid);
  __sync_synchronize();
  cpus[hartid].online = 1;
  timer_start_hart();
  scheduler();
}

// Power the machine off through the test/syscon device: status 0 as a
// pass, anything else as a failure code (QEMU exits with that status).
void power_off(int status)
{
  printf("[kernel] power off (status %d), %lu instructions retired\n", status, instructions_retired());
  *(volatile uint32 *)SYSCON = status == 0 ? SYSCON_PASS : (((uint32)status << 16) | SYSCON_FAIL);
  sbi_system_reset(0, status ? 1 : 0);
  for (;;)
    wfi();
}

volatile int poweroff_pending;

// Instructions retired by every hart since it entered the kernel, not
// counting waits in wfi (QEMU's -icount advances instret through idle
// time; it also gives every hart the same global count, so only -smp 1
// figures are exact there).  The other harts sample their counters in the
// IPI this sends.
uint64 instructions_retired(void)
{
  int me = cpuid();
  poweroff_pending = 1;
  __sync_synchronize();
  for (int i = 0; i < NCPU; i++)
    if (cpus[i].online && i != me)
      sbi_send_ipi(1UL << i);
  for (int spins = 0; spins < 1000000; spins++) {
    int waiting = 0;
    for (int i = 0; i < NCPU; i++)
      waiting += cpus[i].online && i != me && !__atomic_load_n(&cpus[i].sampled, __ATOMIC_ACQUIRE);
    if (!waiting)
      break;
  }
  cpus[me].instret = r_instret();
  uint64 total = 0;
  for (int i = 0; i < NCPU; i++)
    if (cpus[i].online)
      total += cpus[i].instret - cpus[i].start_instret - cpus[i].idle_instret;
  return total;
}

// Print the kernel call chain by frame pointers (s0): each frame keeps the
// return address at fp-8 and the caller's fp at fp-16.
void backtrace(void)
{
  uint64 fp = r_fp();
  for (int i = 0; i < 16; i++) {
    if (fp < (uint64)kernel_start || fp >= ram_end || (fp & 7))
      break;
    uint64 ra = *(uint64 *)(fp - 8);
    uint64 prev = *(uint64 *)(fp - 16);
    printf("  #%d %p\n", i, (void *)ra);
    if (prev <= fp)
      break;
    fp = prev;
  }
}
