// sigtest: signal handlers with a Linux signal frame and rt_sigreturn:
// delivery on return from kill, SA_SIGINFO, masks and pending signals,
// default actions, SIGCHLD, EINTR, registers restored after a handler, a
// SIGSEGV handler that jumps out of a fault, signals to one thread.
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdint.h>
#include <time.h>
#include "tlib.h"

static volatile int got, got_pid, got_code, chld;
static volatile void *fault_addr;
static sigjmp_buf jump;

static void on_signal(int sig) { got = sig; }

static void on_info(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  got = sig;
  got_pid = si->si_pid;
  got_code = si->si_code;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
  (void)sig;
  (void)uc;
  fault_addr = si->si_addr;
  siglongjmp(jump, 1);
}

static void on_chld(int sig) { chld++; }

// A handler that dirties every register it can: the interrupted code must
// not notice.
static void clobber(int sig)
{
  volatile double d = sig * 1.5;
  for (int i = 0; i < 10; i++)
    d = d * 3.25 + i;
  got = (int)d;
}

static void basics(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  CHECK(sigaction(SIGUSR1, &sa, 0) == 0, "sigaction");
  got = 0;
  kill(getpid(), SIGUSR1);
  CHECK(got == SIGUSR1, "handler did not run before kill returned (%d)", got);
  // SA_SIGINFO
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, 0);
  got = 0;
  kill(getpid(), SIGUSR2);
  CHECK(got == SIGUSR2 && got_pid == getpid() && got_code == SI_USER, "siginfo %d %d %d", got,
        got_pid, got_code);
  // blocked: stays pending until unblocked
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  got = 0;
  kill(getpid(), SIGUSR1);
  CHECK(got == 0, "blocked signal was delivered");
  sigset_t pend;
  sigpending(&pend);
  CHECK(sigismember(&pend, SIGUSR1), "blocked signal is not pending");
  sigprocmask(SIG_SETMASK, &old, 0);
  CHECK(got == SIGUSR1, "unblocked signal was not delivered");
  // ignored
  signal(SIGUSR1, SIG_IGN);
  kill(getpid(), SIGUSR1);
  signal(SIGUSR1, SIG_DFL);
}

static void registers_survive(void)
{
  signal(SIGUSR1, clobber);
  double x = 1.0;
  long sum = 0;
  for (int i = 0; i < 20; i++) {
    x = x * 1.5 + 0.25;
    sum += i * 3;
    if (i == 10)
      raise(SIGUSR1);
  }
  double want = 1.0;
  long wsum = 0;
  for (int i = 0; i < 20; i++) {
    want = want * 1.5 + 0.25;
    wsum += i * 3;
  }
  CHECK(x == want && sum == wsum, "registers changed across a handler: %f %ld", x, sum);
  signal(SIGUSR1, SIG_DFL);
}

static void fault_handler(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  volatile uintptr_t where = 0x10;
  volatile int *bad = (int *)where;
  if (sigsetjmp(jump, 1) == 0) {
    *bad = 1;
    FAIL("the store to 0x10 did not fault");
  }
  CHECK(fault_addr == (void *)0x10, "si_addr %p", (void *)fault_addr);
  signal(SIGSEGV, SIG_DFL);
}

static void defaults_and_sigchld(void)
{
  signal(SIGCHLD, on_chld);
  chld = 0;
  pid_t pid = fork();
  if (pid == 0) {
    pause();
    _exit(0);
  }
  usleep(1000);
  kill(pid, SIGTERM);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "SIGTERM: status %#x", st);
  CHECK(chld >= 1, "no SIGCHLD");
  pid = fork();
  if (pid == 0) {
    asm volatile("unimp");   // an illegal instruction: SIGILL, logged by the kernel
    _exit(0);
  }
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL, "illegal instruction: status %#x", st);
  pid = fork();
  if (pid == 0) {
    kill(getpid(), SIGCHLD);   // default: ignored
    _exit(4);
  }
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 4, "child with ignored SIGCHLD: %#x", st);
  signal(SIGCHLD, SIG_DFL);
}

static pthread_t main_thread;
static volatile int target_got;
static void on_target(int sig) { target_got = (pthread_equal(pthread_self(), main_thread) ? 1 : 2); }

static void *sleeper(void *arg)
{
  struct timespec ts = {10, 0};
  int r = nanosleep(&ts, &ts);
  return (void *)(long)(r < 0 && errno == EINTR ? 1 : 0);
}

static void to_one_thread(void)
{
  main_thread = pthread_self();
  signal(SIGUSR2, on_target);
  pthread_t t;
  pthread_create(&t, 0, sleeper, 0);
  usleep(2000);
  pthread_kill(t, SIGUSR2);
  void *ret;
  pthread_join(t, &ret);
  CHECK(ret == (void *)1, "nanosleep was not interrupted with EINTR");
  CHECK(target_got == 2, "the signal ran on the wrong thread (%d)", target_got);
  signal(SIGUSR2, SIG_DFL);
}

static volatile int restart_handled;
static void on_restart(int sig) { restart_handled++; }
static int restart_pipe[2];

static void *signal_then_write(void *arg)
{
  usleep(3000);   // the main thread is blocked in read() by now
  pthread_kill(main_thread, SIGUSR1);
  usleep(3000);
  (void)write(restart_pipe[1], "late", 4);
  return 0;
}

// With SA_RESTART an interrupted read() runs again after the handler.
static void restart(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_restart;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, 0);
  CHECK(pipe(restart_pipe) == 0, "pipe");
  main_thread = pthread_self();
  pthread_t t;
  pthread_create(&t, 0, signal_then_write, 0);
  char buf[8] = {0};
  long n = read(restart_pipe[0], buf, sizeof(buf));
  CHECK(n == 4 && memcmp(buf, "late", 4) == 0, "restarted read returned %ld errno %d", n, errno);
  CHECK(restart_handled == 1, "handler ran %d times", restart_handled);
  pthread_join(t, 0);
  signal(SIGUSR1, SIG_DFL);
}

int main(void)
{
  tstart("sigtest");
  basics();
  registers_survive();
  fault_handler();
  defaults_and_sigchld();
  to_one_thread();
  restart();
  tpass();
}
