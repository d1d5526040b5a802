// sigwake: a signal or a kill that comes just as a task goes to sleep in a
// blocking call still ends that call.  The sleeper tests "killed or a signal
// pending?" and then sleeps; the sender marks it and wakes it if it sleeps.
// Unless the test and the sleep are one step under the lock the sender takes
// (the task's own), a sender that comes between them finds the task still
// running and leaves it alone, and the task sleeps on with the signal
// pending or killed set: for good, if nothing else wakes it.  (waittest hung
// so, now and then on a loaded host: a SIGKILLed child asleep in a pipe
// read whose writer, its parent, waited for it in wait4.)
//
// A thread sleeps in read() on an empty pipe, then in wait4() for a child
// that does not exit, and the main thread sends it SIGUSR1 over and over,
// each time as soon as the handler has run for the last one, one side or
// the other first spinning a little longer each time, so that some signals
// land inside that window.  Then SIGKILL, the same way, for a child process
// on its way to sleep in a pipe read.  A lost wakeup is seen through kinfo
// (the task asleep although killed or with a signal it takes pending), so
// the test fails instead of hanging, with no time limit.
//
// On trapscope, where harts take turns of 10,000 instructions, the sweep
// moves the window across the end of the sleeper's turn, and the sender's
// signal then lands in it: one sweep loses a wakeup deterministically if the
// window is there (the read part did at attempt 251, the wait4 part alone at
// 102).  On QEMU it is chance: a few signals in ten thousand land in it.  So
// each part makes one sweep, then more while it has run for less than
// BUDGET_NS of guest time: a bound on the work (QEMU makes a few sweeps,
// trapscope one), never a verdict.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include "tlib.h"

#define SWEEP 300                 // offsets in one sweep
#define STEP 7                    // spin iterations between neighbouring offsets
#define MAX_SWEEPS 10
#define BUDGET_NS 250000000L      // more sweeps while a part has run for less (guest ns)
#define KILLS 8                   // SIGKILLs (a fork each)

static volatile int hits;         // handler runs so far
static volatile pid_t sleeper_tid;
static int gate[2];               // the sleeper's pipe (read part)
static pid_t waited_child;        // the child it waits for (wait4 part)
static int in_wait4;

static void on_usr1(int sig)
{
  (void)sig;
  __atomic_fetch_add(&hits, 1, __ATOMIC_SEQ_CST);
}

static void spin(int n)
{
  for (volatile int i = 0; i < n; i++)
    ;
}

// Who spins first in attempt i, for how many iterations: > 0 the sleeper
// (before it calls again), < 0 the sender (before it sends).
static int offset(int i)
{
  int k = i % SWEEP;
  return (k % 2 ? k : -k) / 2 * STEP;
}

static long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

// Fails if task tid sleeps although it is killed or has a signal it takes
// pending (it sleeps only in calls that such a task must leave).
static void check_not_lost(pid_t tid, const char *where, int attempt)
{
  long st = syscall(SYS_kinfo, KINFO_TASK_SLEEP, tid);
  if (st > 0 && (st & KINFO_TASK_SLEEPING) && (st & (KINFO_TASK_KILLED | KINFO_TASK_SIGNAL)))
    FAIL("lost wakeup: task %d asleep in %s although %s (attempt %d)", tid, where,
         st & KINFO_TASK_KILLED ? "killed" : "a signal it takes is pending", attempt);
}

static void *sleeper(void *arg)
{
  (void)arg;
  sleeper_tid = gettid();
  for (;;) {
    int s = offset(__atomic_load_n(&hits, __ATOMIC_SEQ_CST));
    if (s > 0)
      spin(s);
    if (in_wait4) {
      int st;
      if (waitpid(waited_child, &st, 0) == waited_child)
        return 0;
    } else {
      char c;
      if (read(gate[0], &c, 1) == 1)
        return 0;
    }
  }
}

// Start the sleeper and signal it, attempt after attempt; it sleeps on
// until the caller lets its call succeed, and is returned for the join.
static pthread_t signal_sleeper(const char *where)
{
  hits = 0;
  sleeper_tid = 0;
  pthread_t t;
  CHECK(pthread_create(&t, 0, sleeper, 0) == 0, "pthread_create");
  while (!sleeper_tid)
    sched_yield();
  pid_t tid = sleeper_tid;
  long start = now_ns();
  for (int i = 0;; i++) {
    if (i % SWEEP == 0 && i > 0 && (i == MAX_SWEEPS * SWEEP || now_ns() - start > BUDGET_NS))
      break;
    int s = offset(i);
    if (s < 0)
      spin(-s);
    CHECK(syscall(SYS_tgkill, getpid(), tid, SIGUSR1) == 0, "tgkill: errno %d", errno);
    for (long n = 1; __atomic_load_n(&hits, __ATOMIC_SEQ_CST) <= i; n++)
      if (n % 256 == 0) {
        check_not_lost(tid, where, i);
        sched_yield();
      }
  }
  return t;
}

static void signals_in_pipe_read(void)
{
  CHECK(pipe(gate) == 0, "pipe");
  in_wait4 = 0;
  pthread_t t = signal_sleeper("read");
  CHECK(write(gate[1], "x", 1) == 1, "write");   // the sleeper's next read gets it
  pthread_join(t, 0);
  close(gate[0]);
  close(gate[1]);
}

static void signals_in_wait4(void)
{
  int g[2];
  CHECK(pipe(g) == 0, "pipe");
  waited_child = fork();
  CHECK(waited_child >= 0, "fork: errno %d", errno);
  if (waited_child == 0) {
    char c;
    close(g[1]);
    (void)read(g[0], &c, 1);
    _exit(0);
  }
  close(g[0]);
  in_wait4 = 1;
  pthread_t t = signal_sleeper("wait4");
  close(g[1]);   // the child exits, and the sleeper's next wait4 reaps it
  pthread_join(t, 0);
}

// SIGKILL for a child process on its way to sleep in a pipe read: it must
// die.  The child says when it is about to read through shared memory.
static void kills_in_pipe_read(void)
{
  volatile int *ready = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(ready != MAP_FAILED, "mmap: errno %d", errno);
  for (int i = 0; i < KILLS; i++) {
    int g[2];
    CHECK(pipe(g) == 0, "pipe");
    int s = offset(i) * 8;
    *ready = 0;
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: errno %d", errno);
    if (pid == 0) {
      char c;
      close(g[1]);
      *ready = 1;
      if (s > 0)
        spin(s);
      (void)read(g[0], &c, 1);
      _exit(1);
    }
    close(g[0]);
    while (!*ready)
      ;
    if (s < 0)
      spin(-s);
    CHECK(kill(pid, SIGKILL) == 0, "kill: errno %d", errno);
    int st;
    while (waitpid(pid, &st, WNOHANG) == 0) {
      check_not_lost(pid, "read", i);
      sched_yield();
    }
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child status %#x", st);
    close(g[1]);
  }
  munmap((void *)ready, 4096);
}

int main(void)
{
  tstart("sigwake");
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_usr1;   // no SA_RESTART: read and wait4 fail with EINTR
  CHECK(sigaction(SIGUSR1, &sa, 0) == 0, "sigaction");
  signals_in_pipe_read();
  signals_in_wait4();
  signal(SIGUSR1, SIG_DFL);
  kills_in_pipe_read();
  tpass();
}
