// Helpers for the kernel's test programs: a failure report that names the
// line, the PASS line, and trapscope's own kinfo system call.
#ifndef TLIB_H
#define TLIB_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/syscall.h>

#define SYS_kinfo 4000
#define KINFO_FREE_FRAMES 1
#define KINFO_NPROC 2
#define KINFO_POWEROFF 3
#define KINFO_FUTEX_WAITERS 4
#define KINFO_HARTS 5
#define KINFO_TASK_SLEEP 7
#define KINFO_TASK_SLEEPING 1
#define KINFO_TASK_KILLED 2
#define KINFO_TASK_SIGNAL 4

static const char *tlib_name = "?";

// Print `FAIL name: why` and exit 1.
__attribute__((noreturn, unused, format(printf, 2, 3))) static void tfail(int line, const char *fmt, ...)
{
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  printf("FAIL %s: %s (line %d)\n", tlib_name, buf, line);
  fflush(stdout);
  _exit(1);
}

#define FAIL(...) tfail(__LINE__, __VA_ARGS__)
#define CHECK(cond, ...) \
  do {                   \
    if (!(cond))         \
      FAIL(__VA_ARGS__); \
  } while (0)
// A call that must return want: reports what it returned and errno.
#define EXPECT_EQ(expr, want)                                                        \
  do {                                                                               \
    long _got = (long)(expr), _want = (long)(want);                                  \
    if (_got != _want)                                                               \
      FAIL("%s = %ld (errno %d), want %ld", #expr, _got, errno, _want);              \
  } while (0)

static inline void tstart(const char *name)
{
  tlib_name = name;
}

__attribute__((noreturn, unused)) static inline void tpass(void)
{
  printf("PASS %s\n", tlib_name);
  fflush(stdout);
  exit(0);
}

// Free physical frames now; print != 0 also has the kernel print the count.
static inline long free_frames_print(int print)
{
  return syscall(SYS_kinfo, KINFO_FREE_FRAMES, print);
}

static inline long free_frames(void)
{
  return free_frames_print(0);
}

static inline long task_count(void)
{
  return syscall(SYS_kinfo, KINFO_NPROC, 0);
}

// Tasks queued in the kernel on the futex word at addr.
static inline long futex_waiters(void *addr)
{
  return syscall(SYS_kinfo, KINFO_FUTEX_WAITERS, addr);
}

// Spin (yielding) until n tasks wait on addr; 0 on success.
static inline int await_waiters(void *addr, long n)
{
  for (long i = 0; i < 200000; i++) {
    if (futex_waiters(addr) == n)
      return 0;
    sched_yield();
  }
  return -1;
}

static inline long harts_online(void)
{
  return syscall(SYS_kinfo, KINFO_HARTS, 0);
}

#endif
