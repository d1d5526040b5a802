// Raw futex calls and waiter threads for the futex tests.
#ifndef FUTEXLIB_H
#define FUTEXLIB_H
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline long futex(void *uaddr, int op, uint32_t val, const void *timeout_or_val2,
                         void *uaddr2, uint32_t val3)
{
  return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

// FUTEX_WAKE_OP's val3.
#define WAKE_OP(op, oparg, cmp, cmparg)                                      \
  ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | \
   ((cmparg) & 0xfff))

// A thread that makes one futex wait call and records its outcome.  Set
// timeout (or leave it 0) before start_waiter.
struct waiter {
  uint32_t *addr;
  int op;                     // FUTEX_WAIT or FUTEX_WAIT_BITSET (| flags)
  uint32_t val;
  uint32_t bitset;
  const struct timespec *timeout;
  long ret;
  int err;
  pthread_t thread;
};

static void *waiter_main(void *arg)
{
  struct waiter *w = arg;
  w->ret = futex(w->addr, w->op, w->val, w->timeout, 0, w->bitset);
  w->err = w->ret < 0 ? errno : 0;
  return 0;
}

static inline int start_waiter(struct waiter *w, uint32_t *addr, int op, uint32_t val,
                               uint32_t bitset)
{
  w->addr = addr;
  w->op = op;
  w->val = val;
  w->bitset = bitset;
  w->ret = -2;
  return pthread_create(&w->thread, 0, waiter_main, w);
}

static inline void join_waiter(struct waiter *w)
{
  pthread_join(w->thread, 0);
}

static inline struct timespec ts_add_ms(struct timespec t, long ms)
{
  t.tv_nsec += (ms % 1000) * 1000000L;
  t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000L;
  t.tv_nsec %= 1000000000L;
  return t;
}

static inline long ts_diff_ms(struct timespec a, struct timespec b)
{
  return (a.tv_sec - b.tv_sec) * 1000 + (a.tv_nsec - b.tv_nsec) / 1000000;
}

#endif
