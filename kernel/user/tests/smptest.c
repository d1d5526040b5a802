// smptest: two threads of one process run on different harts at the same
// time (a ping-pong through memory with no system calls), and a page that
// one thread write-protects or unmaps stops working at once for the other
// thread, which keeps running on its own hart meanwhile (TLB shootdown
// through SBI RFENCE).
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
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

enum { WRITE, READ, IDLE, STOP };
static volatile char *page;
static volatile int mode = IDLE, faults;
static volatile long iterations;
static sigjmp_buf jump;

static void on_segv(int sig) { siglongjmp(jump, 1); }

// The other thread: touch the page as `mode` says, as fast as it can.
static void *toucher(void *arg)
{
  volatile long sum = 0;
  if (sigsetjmp(jump, 1)) {
    faults++;
    mode = IDLE;
  }
  for (;;) {
    int m = mode;
    if (m == STOP)
      return 0;
    if (m == IDLE)
      continue;
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
// already under way) must fault.
static void expect_fault(int want, const char *what)
{
  long at = iterations;
  while (faults < want)
    CHECK(iterations < at + 3, "%s on another hart: %ld more accesses did not fault", what,
          iterations - at);
}

static void shootdown(void)
{
  signal(SIGSEGV, on_segv);
  page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  *page = 5;
  pthread_t t;
  pthread_create(&t, 0, toucher, 0);
  mode = WRITE;
  let_run(10000);   // its TLB now holds a writable entry
  CHECK(mprotect((void *)page, 4096, PROT_READ) == 0, "mprotect");
  expect_fault(1, "a write to a page made read-only");
  CHECK(mprotect((void *)page, 4096, PROT_READ | PROT_WRITE) == 0, "mprotect back");
  mode = READ;
  let_run(10000);
  CHECK(munmap((void *)page, 4096) == 0, "munmap");
  expect_fault(2, "a read of an unmapped page");
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
    shootdown();
  }
  tpass();
}
