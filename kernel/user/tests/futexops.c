// futexops: FUTEX_WAIT/WAKE and their BITSET forms, the PRIVATE flag,
// relative and absolute timeouts, and the error paths: EAGAIN, ETIMEDOUT,
// EINVAL, EFAULT, EINTR; a shared futex between two processes.
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tlib.h"
#include "futexlib.h"

#define WAIT_P (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define WAKE_P (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

static uint32_t word;

static void errors(void)
{
  word = 1;
  EXPECT_EQ(futex(&word, WAIT_P, 0, 0, 0, 0), -1);
  CHECK(errno == EAGAIN, "value differs: errno %d", errno);
  CHECK(futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0) < 0 && errno == EINVAL,
        "bitset 0: errno %d", errno);
  CHECK(futex((char *)&word + 1, WAIT_P, 1, 0, 0, 0) < 0 && errno == EINVAL,
        "unaligned: errno %d", errno);
  struct timespec bad = {0, 1000000000L};
  CHECK(futex(&word, WAIT_P, 1, &bad, 0, 0) < 0 && errno == EINVAL, "bad timeout: errno %d",
        errno);
  CHECK(futex((void *)0x1000, WAIT_P, 0, 0, 0, 0) < 0 && errno == EFAULT, "unmapped: errno %d",
        errno);
  CHECK(futex(&word, WAIT_P, 1, (void *)0x1000, 0, 0) < 0 && errno == EFAULT,
        "bad timeout pointer: errno %d", errno);
  CHECK(futex(&word, 99, 0, 0, 0, 0) < 0 && errno == ENOSYS, "unknown op: errno %d", errno);
  EXPECT_EQ(futex(&word, WAKE_P, 1, 0, 0, 0), 0);   // nobody waits
}

static void timeouts(void)
{
  struct timespec t0, t1, rel = {0, 20 * 1000000L};
  word = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK(futex(&word, WAIT_P, 0, &rel, 0, 0) < 0 && errno == ETIMEDOUT, "relative: errno %d",
        errno);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  CHECK(ts_diff_ms(t1, t0) >= 20, "relative timeout after %ld ms", ts_diff_ms(t1, t0));
  // absolute, CLOCK_MONOTONIC
  struct timespec dl = ts_add_ms(t1, 20);
  CHECK(futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &dl, 0, FUTEX_BITSET_MATCH_ANY) < 0
        && errno == ETIMEDOUT, "absolute: errno %d", errno);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK(ts_diff_ms(t0, dl) >= 0, "woke %ld ms before the deadline", -ts_diff_ms(t0, dl));
  // absolute, CLOCK_REALTIME
  clock_gettime(CLOCK_REALTIME, &t0);
  dl = ts_add_ms(t0, 20);
  CHECK(futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 0, &dl, 0,
              FUTEX_BITSET_MATCH_ANY) < 0 && errno == ETIMEDOUT, "realtime: errno %d", errno);
  clock_gettime(CLOCK_REALTIME, &t1);
  CHECK(ts_diff_ms(t1, dl) >= 0, "realtime deadline missed by %ld ms", -ts_diff_ms(t1, dl));
  // a deadline in the past times out at once
  struct timespec past = {0, 1000};
  CHECK(futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &past, 0, FUTEX_BITSET_MATCH_ANY) < 0
        && errno == ETIMEDOUT, "past deadline: errno %d", errno);
  // woken before a long timeout: returns 0
  struct waiter w = {0};
  struct timespec longer = {30, 0};
  w.timeout = &longer;
  start_waiter(&w, &word, WAIT_P, 0, 0);
  CHECK(await_waiters(&word, 1) == 0, "waiter never queued");
  EXPECT_EQ(futex(&word, WAKE_P, 1, 0, 0, 0), 1);
  join_waiter(&w);
  CHECK(w.ret == 0, "woken waiter got %ld errno %d", w.ret, w.err);
}

static void wake_counts(void)
{
  struct waiter w[3] = {0};
  word = 0;
  for (int i = 0; i < 3; i++)
    start_waiter(&w[i], &word, WAIT_P, 0, 0);
  CHECK(await_waiters(&word, 3) == 0, "waiters never queued");
  EXPECT_EQ(futex(&word, WAKE_P, 2, 0, 0, 0), 2);
  EXPECT_EQ(futex(&word, WAKE_P, 5, 0, 0, 0), 1);
  for (int i = 0; i < 3; i++) {
    join_waiter(&w[i]);
    CHECK(w[i].ret == 0, "waiter %d: %ld errno %d", i, w[i].ret, w[i].err);
  }
  // a waiter using the PRIVATE flag is woken by a plain FUTEX_WAKE on private memory
  start_waiter(&w[0], &word, WAIT_P, 0, 0);
  CHECK(await_waiters(&word, 1) == 0, "waiter never queued");
  EXPECT_EQ(futex(&word, FUTEX_WAKE, 1, 0, 0, 0), 1);
  join_waiter(&w[0]);
}

static void bitsets(void)
{
  struct waiter w[3] = {0};
  word = 0;
  for (int i = 0; i < 3; i++)
    start_waiter(&w[i], &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, 1u << i);
  CHECK(await_waiters(&word, 3) == 0, "waiters never queued");
  EXPECT_EQ(futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 10, 0, 0, 8), 0);
  EXPECT_EQ(futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 10, 0, 0, 6), 2);
  join_waiter(&w[1]);
  join_waiter(&w[2]);
  EXPECT_EQ(futex_waiters(&word), 1);
  EXPECT_EQ(futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 10, 0, 0, 1), 1);
  join_waiter(&w[0]);
  for (int i = 0; i < 3; i++)
    CHECK(w[i].ret == 0, "bitset waiter %d: %ld errno %d", i, w[i].ret, w[i].err);
  CHECK(futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0) < 0 && errno == EINVAL,
        "wake with bitset 0: errno %d", errno);
}

static volatile int handled;
static void on_usr1(int sig) { handled = sig; }

static void interrupted(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_usr1;   // no SA_RESTART
  sigaction(SIGUSR1, &sa, 0);
  struct waiter w = {0};
  word = 0;
  start_waiter(&w, &word, WAIT_P, 0, 0);
  CHECK(await_waiters(&word, 1) == 0, "waiter never queued");
  pthread_kill(w.thread, SIGUSR1);
  join_waiter(&w);
  CHECK(w.ret == -1 && w.err == EINTR, "signalled waiter got %ld errno %d", w.ret, w.err);
  CHECK(handled == SIGUSR1, "the handler did not run");
  EXPECT_EQ(futex_waiters(&word), 0);
  signal(SIGUSR1, SIG_DFL);
}

static void across_processes(void)
{
  uint32_t *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(shared != MAP_FAILED, "mmap");
  *shared = 0;
  pid_t pid = fork();
  if (pid == 0) {
    long r = futex(shared, FUTEX_WAIT, 0, 0, 0, 0);
    _exit(r == 0 ? 0 : 1);
  }
  CHECK(await_waiters(shared, 1) == 0, "the child never waited");
  *shared = 1;
  EXPECT_EQ(futex(shared, FUTEX_WAKE, 1, 0, 0, 0), 1);
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %#x", st);
  munmap(shared, 4096);
}

int main(void)
{
  tstart("futexops");
  errors();
  timeouts();
  wake_counts();
  bitsets();
  interrupted();
  across_processes();
  tpass();
}
