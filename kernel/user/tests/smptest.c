// smptest: two threads of one process run on different harts at the same
// time (a ping-pong through memory with no system calls; each sees the
// other's counter move more often than it was itself switched out), and a
// page that one thread write-protects or unmaps stops working at once for
// the other thread, which keeps running on its own hart meanwhile (TLB
// shootdown through SBI RFENCE).
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include "tlib.h"

#define PINGS 100

static volatile int ball;
static unsigned cpus[2];

static void *pong(void *arg)
{
  for (int i = 0; i < PINGS; i++) {
    while (ball != 2 * i + 1)
      ;
    if (i == PINGS / 2)
      getcpu(&cpus[1], 0);
    ball = 2 * i + 2;
  }
  return 0;
}

static void ping_pong(void)
{
  pthread_t t;
  pthread_create(&t, 0, pong, 0);
  for (int i = 0; i < PINGS; i++) {
    ball = 2 * i + 1;
    if (i == PINGS / 2)
      getcpu(&cpus[0], 0);
    while (ball != 2 * i + 2)
      ;
  }
  pthread_join(t, 0);
  CHECK(ball == 2 * PINGS, "ball %d", ball);
}

// Context switches of the calling thread so far (voluntary and not).
static long my_switches(void)
{
  struct rusage r;
  if (getrusage(RUSAGE_THREAD, &r) != 0)
    return -1;
  return r.ru_nvcsw + r.ru_nivcsw;
}

#define EVENTS 50
#define GIVE_UP 300   // switches (3 s of ticks) without proof: one hart at a time

// Each thread counts up its own counter and watches the other's.  Without
// a second hart the other counter can only move while this thread is off
// its hart, so the changes it sees are at most its own context switches;
// seeing more proves the two ran at the same time.  Both go on until one
// has that proof (a loaded host may run QEMU's two vCPUs in turns for a
// while) or has been switched out GIVE_UP times.
struct watch {
  int me;
  long events, switches;
  unsigned cpu_start, cpu_end;
};
static volatile long counters[2];
static volatile int watch_done;

static void *watcher(void *arg)
{
  struct watch *w = arg;
  getcpu(&w->cpu_start, 0);
  long before = my_switches();
  long last = counters[1 - w->me];
  while (!watch_done) {
    counters[w->me]++;
    long v = counters[1 - w->me];
    if (v != last) {
      last = v;
      long switches = my_switches() - before;
      if ((++w->events >= EVENTS && w->events > switches + 3) || switches > GIVE_UP)
        watch_done = 1;
    }
  }
  w->switches = my_switches() - before;
  getcpu(&w->cpu_end, 0);
  return 0;
}

static void side_by_side(void)
{
  static struct watch w[2] = {{.me = 0}, {.me = 1}};
  pthread_t t;
  pthread_create(&t, 0, watcher, &w[1]);
  watcher(&w[0]);
  pthread_join(t, 0);
  int proven = 0;
  for (int i = 0; i < 2; i++)
    proven |= w[i].events > w[i].switches + 1;
  CHECK(proven, "no proof of two threads running at once: thread 0 saw %ld changes in %ld "
        "switches (harts %u..%u), thread 1 %ld in %ld (harts %u..%u)", w[0].events,
        w[0].switches, w[0].cpu_start, w[0].cpu_end, w[1].events, w[1].switches,
        w[1].cpu_start, w[1].cpu_end);
  CHECK(w[0].switches >= 0 && w[1].switches >= 0, "getrusage(RUSAGE_THREAD) failed");
}

enum { WRITE, READ, IDLE, STOP };
#define ROUNDS 3       // each: a write-protect and an unmap, on different harts
#define MAX_ROUNDS 12  // a round where a thread changed harts shows nothing
static volatile char *page;
static volatile int mode = IDLE, faults;
static unsigned toucher_cpu[2 * MAX_ROUNDS], fault_cpu[2 * MAX_ROUNDS];
static volatile long iterations;
static sigjmp_buf jump;

static void on_segv(int sig) { siglongjmp(jump, 1); }

// The other thread: touch the page as `mode` says, as fast as it can.
static void *toucher(void *arg)
{
  volatile long sum = 0;
  int last = IDLE;
  if (sigsetjmp(jump, 1)) {
    getcpu(&fault_cpu[faults], 0);
    faults++;
    mode = last = IDLE;
  }
  for (;;) {
    int m = mode;
    if (m == STOP)
      return 0;
    if (m == IDLE)
      continue;
    if (last == IDLE)
      getcpu(&toucher_cpu[faults], 0);   // where this round of accesses runs
    last = m;
    if (m == WRITE)
      *page = 1;
    else
      sum += *page;
    iterations++;   // counts accesses that did not fault
  }
}

// Let the toucher run `n` more iterations in its current mode.
static void let_run(long n)
{
  long start = iterations;
  while (iterations < start + n)
    ;
}

// After a change, the toucher's next access (within an iteration or two
// already under way) must fault.  Without the shootdown its TLB would let
// it go on until its next trap.
static void expect_fault(int want, const char *what)
{
  long at = iterations;
  while (faults < want)
    CHECK(iterations < at + 3, "%s on another hart: %ld more accesses did not fault", what,
          iterations - at);
}

// Every change must fault at once (expect_fault).  It proves the shootdown
// only when the toucher stayed on one hart and the change came from the
// other: a thread that changed harts had its TLB flushed by the switch, so
// such a round is repeated, ROUNDS proving ones of each kind needed.
static void shootdown(void)
{
  signal(SIGSEGV, on_segv);
  pthread_t t;
  pthread_create(&t, 0, toucher, 0);
  unsigned mine[2 * MAX_ROUNDS];
  int proved[2] = {0, 0}, r;
  for (r = 0; r < MAX_ROUNDS && (proved[0] < ROUNDS || proved[1] < ROUNDS); r++) {
    page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *page = 5;
    mode = WRITE;
    let_run(10000);   // its TLB now holds a writable entry
    getcpu(&mine[2 * r], 0);
    CHECK(mprotect((void *)page, 4096, PROT_READ) == 0, "mprotect");
    expect_fault(2 * r + 1, "a write to a page made read-only");
    CHECK(mprotect((void *)page, 4096, PROT_READ | PROT_WRITE) == 0, "mprotect back");
    mode = READ;
    let_run(10000);
    getcpu(&mine[2 * r + 1], 0);
    CHECK(munmap((void *)page, 4096) == 0, "munmap");
    expect_fault(2 * r + 2, "a read of an unmapped page");
    for (int k = 0; k < 2; k++) {
      int i = 2 * r + k;
      proved[k] += toucher_cpu[i] == fault_cpu[i] && fault_cpu[i] != mine[i];
    }
  }
  CHECK(proved[0] >= ROUNDS && proved[1] >= ROUNDS,
        "in %d rounds only %d mprotects and %d munmaps came from the other hart of a "
        "toucher that stayed on its own (last: toucher on %u, faulted on %u, change on %u)",
        r, proved[0], proved[1], toucher_cpu[2 * r - 1], fault_cpu[2 * r - 1], mine[2 * r - 1]);
  mode = STOP;
  pthread_join(t, 0);
  signal(SIGSEGV, SIG_DFL);
}

int main(void)
{
  tstart("smptest");
  ping_pong();
  if (harts_online() > 1) {
    CHECK(cpus[0] != cpus[1], "ping and pong ran on the same hart %u", cpus[0]);
    side_by_side();
    shootdown();
  }
  tpass();
}
