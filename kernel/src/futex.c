// Futexes: WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET,
// WAKE_BITSET, the PRIVATE flag and timeouts; and the wake at thread exit
// for CLONE_CHILD_CLEARTID.
//
// A waiter enqueues itself under its bucket lock after checking the futex
// word, then sleeps holding only its own p->lock; a waker dequeues it under
// the bucket lock (fw.queued = 0) and then takes p->lock to wake it, so no
// wakeup is lost.  REQUEUE moves waiters between buckets holding both
// locks; a waiter finds its current bucket through fw.bucket.
// Lock order: bucket (lower address first), then mm->lock or p->lock.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "futex.h"
#include "linux.h"
#include "defs.h"

struct futex_bucket futex_table[NFUTEX_HASH];

void futex_init(void)
{
  for (int i = 0; i < NFUTEX_HASH; i++)
    initlock(&futex_table[i].lock, "futex");
}

struct fkey {
  uint64 mm;
  uint64 addr;
};

static struct futex_bucket *bucket_of(struct fkey k)
{
  uint64 h = (k.addr >> 2) ^ (k.mm >> 6);
  h ^= h >> 17;
  return &futex_table[h % NFUTEX_HASH];
}

static int key_eq(struct proc *w, struct fkey k)
{
  return w->fw.key_mm == k.mm && w->fw.key_addr == k.addr;
}

// The key of the futex word at uaddr.  Faults the page in.
static int get_key(struct mm *mm, uint64 uaddr, int private, struct fkey *k)
{
  if (uaddr & 3)
    return -EINVAL;
  acquire(&mm->lock);
  uint64 pa = uva2pa_locked(mm, uaddr, ACC_READ);
  struct vma *v = vma_find(mm, uaddr);
  int shared = v && (v->kind == VMA_SHM || (v->flags & MAP_TYPE) == MAP_SHARED);
  release(&mm->lock);
  if (!pa)
    return -EFAULT;
  if (private || !shared) {
    k->mm = (uint64)mm;
    k->addr = uaddr;
  } else {
    k->mm = 0;
    k->addr = pa;
  }
  return 0;
}

// Append p to b's queue under key k.  b->lock held.
static void enqueue(struct futex_bucket *b, struct proc *p, struct fkey k)
{
  struct proc **pp = &b->head;
  while (*pp)
    pp = &(*pp)->fw.next;
  p->fw.key_mm = k.mm;
  p->fw.key_addr = k.addr;
  p->fw.next = 0;
  p->fw.bucket = b;
  p->fw.queued = 1;
  *pp = p;
}

static void unlink(struct futex_bucket *b, struct proc *p)
{
  for (struct proc **pp = &b->head; *pp; pp = &(*pp)->fw.next) {
    if (*pp == p) {
      *pp = p->fw.next;
      break;
    }
  }
  p->fw.next = 0;
}

static void lock_two(struct futex_bucket *a, struct futex_bucket *b)
{
  if (a == b) {
    acquire(&a->lock);
  } else if (a < b) {
    acquire(&a->lock);
    acquire(&b->lock);
  } else {
    acquire(&b->lock);
    acquire(&a->lock);
  }
}

static void unlock_two(struct futex_bucket *a, struct futex_bucket *b)
{
  release(&a->lock);
  if (a != b)
    release(&b->lock);
}

// Take the waiters of key k (matching bitset) off b and wake up to n of
// them; like Linux, n <= 0 still wakes one.  b->lock held.
static int wake_keyed(struct futex_bucket *b, struct fkey k, int n, uint32 bitset)
{
  int woken = 0;
  struct proc **pp = &b->head;
  while (*pp) {
    struct proc *w = *pp;
    if (!key_eq(w, k) || !(w->fw.bitset & bitset)) {
      pp = &w->fw.next;
      continue;
    }
    *pp = w->fw.next;
    w->fw.next = 0;
    w->fw.queued = 0;
    wake_task(w);
    if (++woken >= n)
      break;
  }
  return woken;
}

static uint32 *word_pa(struct mm *mm, uint64 uaddr, int access)
{
  return (uint32 *)uva2pa(mm, uaddr, access);
}

// Leave whatever bucket we are queued on (timeout, signal).  Returns 1 if
// a waker dequeued us first.
static int dequeue_self(struct proc *p)
{
  for (;;) {
    struct futex_bucket *b = __atomic_load_n(&p->fw.bucket, __ATOMIC_ACQUIRE);
    acquire(&b->lock);
    if (p->fw.bucket != b) {
      release(&b->lock);
      continue;   // requeued meanwhile
    }
    int woken = !p->fw.queued;
    if (p->fw.queued) {
      unlink(b, p);
      p->fw.queued = 0;
    }
    release(&b->lock);
    return woken;
  }
}

static long futex_wait(struct mm *mm, uint64 uaddr, int private, uint32 val, uint64 deadline,
                       uint32 bitset)
{
  struct proc *p = myproc();
  struct fkey k;
  if (bitset == 0)
    return -EINVAL;
  int r = get_key(mm, uaddr, private, &k);
  if (r < 0)
    return r;
  struct futex_bucket *b = bucket_of(k);
  acquire(&b->lock);
  uint32 *w = word_pa(mm, uaddr, ACC_READ);
  if (!w) {
    release(&b->lock);
    return -EFAULT;
  }
  if (__atomic_load_n(w, __ATOMIC_SEQ_CST) != val) {
    release(&b->lock);
    return -EAGAIN;
  }
  p->fw.bitset = bitset;
  p->fw.uaddr = uaddr;
  enqueue(b, p, k);
  acquire(&p->lock);
  release(&b->lock);
  long ret;
  for (;;) {
    if (!p->fw.queued) {
      ret = 0;
      break;
    }
    if (p->killed || signal_pending(p)) {
      ret = -EINTR;
      break;
    }
    if (deadline && time_now() >= deadline) {
      ret = -ETIMEDOUT;
      break;
    }
    sleep_self(&p->fw, deadline, "futex");
  }
  release(&p->lock);
  if (ret != 0 && dequeue_self(p))
    ret = 0;   // woken at the same moment: the waker counted us
  return ret;
}

static long futex_wake(struct mm *mm, uint64 uaddr, int private, int n, uint32 bitset)
{
  struct fkey k;
  if (bitset == 0)
    return -EINVAL;
  int r = get_key(mm, uaddr, private, &k);
  if (r < 0)
    return r;
  struct futex_bucket *b = bucket_of(k);
  acquire(&b->lock);
  int woken = wake_keyed(b, k, n, FUTEX_BITSET_MATCH_ANY & bitset);
  release(&b->lock);
  return woken;
}

// How many tasks wait on the word at uaddr, under a private or a shared
// key (for tests, through kinfo).
int futex_count_waiters(struct mm *mm, uint64 uaddr)
{
  struct fkey keys[2];
  int n = 0;
  if (get_key(mm, uaddr, 1, &keys[0]) < 0 || get_key(mm, uaddr, 0, &keys[1]) < 0)
    return -EFAULT;
  for (int i = 0; i < 2; i++) {
    if (i == 1 && keys[1].mm == keys[0].mm && keys[1].addr == keys[0].addr)
      break;
    struct futex_bucket *b = bucket_of(keys[i]);
    acquire(&b->lock);
    for (struct proc *w = b->head; w; w = w->fw.next)
      n += key_eq(w, keys[i]);
    release(&b->lock);
  }
  return n;
}

// CLONE_CHILD_CLEARTID at thread exit: wake one joiner.
void futex_wake_addr(struct mm *mm, uint64 uaddr, int n)
{
  futex_wake(mm, uaddr, 0, n, FUTEX_BITSET_MATCH_ANY);
}

static long futex_requeue(struct mm *mm, uint64 uaddr, uint64 uaddr2, int private, int nr_wake,
                          int nr_requeue, int cmp, uint32 val3)
{
  struct fkey k1, k2;
  int r = get_key(mm, uaddr, private, &k1);
  if (r == 0)
    r = get_key(mm, uaddr2, private, &k2);
  if (r < 0)
    return r;
  if (nr_wake < 0 || nr_requeue < 0)
    return -EINVAL;
  struct futex_bucket *b1 = bucket_of(k1), *b2 = bucket_of(k2);
  lock_two(b1, b2);
  if (cmp) {
    uint32 *w = word_pa(mm, uaddr, ACC_READ);
    if (!w || __atomic_load_n(w, __ATOMIC_SEQ_CST) != val3) {
      unlock_two(b1, b2);
      return w ? -EAGAIN : -EFAULT;
    }
  }
  int woken = 0, moved = 0;
  struct proc *move_head = 0, **move_tail = &move_head;
  struct proc **pp = &b1->head;
  while (*pp) {
    struct proc *w = *pp;
    if (!key_eq(w, k1)) {
      pp = &w->fw.next;
      continue;
    }
    if (woken < nr_wake) {
      *pp = w->fw.next;
      w->fw.next = 0;
      w->fw.queued = 0;
      wake_task(w);
      woken++;
    } else if (moved < nr_requeue) {
      *pp = w->fw.next;
      w->fw.next = 0;
      *move_tail = w;
      move_tail = &w->fw.next;
      moved++;
    } else {
      break;
    }
  }
  while (move_head) {
    struct proc *w = move_head;
    move_head = w->fw.next;
    enqueue(b2, w, k2);
  }
  unlock_two(b1, b2);
  return woken + moved;
}

static int wake_op_cmp(int cmp, int32 old, int32 arg, int *ok)
{
  switch (cmp) {
  case FUTEX_OP_CMP_EQ: *ok = old == arg; return 0;
  case FUTEX_OP_CMP_NE: *ok = old != arg; return 0;
  case FUTEX_OP_CMP_LT: *ok = old < arg; return 0;
  case FUTEX_OP_CMP_LE: *ok = old <= arg; return 0;
  case FUTEX_OP_CMP_GT: *ok = old > arg; return 0;
  case FUTEX_OP_CMP_GE: *ok = old >= arg; return 0;
  default: return -ENOSYS;
  }
}

static int wake_op_apply(int op, uint32 *w, int32 arg, int32 *old)
{
  switch (op) {
  case FUTEX_OP_SET: *old = __atomic_exchange_n(w, arg, __ATOMIC_SEQ_CST); return 0;
  case FUTEX_OP_ADD: *old = __atomic_fetch_add(w, arg, __ATOMIC_SEQ_CST); return 0;
  case FUTEX_OP_OR: *old = __atomic_fetch_or(w, arg, __ATOMIC_SEQ_CST); return 0;
  case FUTEX_OP_ANDN: *old = __atomic_fetch_and(w, ~arg, __ATOMIC_SEQ_CST); return 0;
  case FUTEX_OP_XOR: *old = __atomic_fetch_xor(w, arg, __ATOMIC_SEQ_CST); return 0;
  default: return -ENOSYS;
  }
}

// FUTEX_WAKE_OP: old = *uaddr2; *uaddr2 = old OP oparg; wake nr_wake on
// uaddr; if (old CMP cmparg) also wake nr_wake2 on uaddr2.  val3 encodes
// op (bits 28-31, with FUTEX_OP_OPARG_SHIFT), cmp (24-27), oparg (12-23)
// and cmparg (0-11), the last two sign-extended.
static long futex_wake_op(struct mm *mm, uint64 uaddr, uint64 uaddr2, int private, int nr_wake,
                          int nr_wake2, uint32 val3)
{
  int op = (val3 >> 28) & 0xf;
  int cmp = (val3 >> 24) & 0xf;
  int32 oparg = ((int32)(val3 << 8)) >> 20;
  int32 cmparg = ((int32)(val3 << 20)) >> 20;
  if (op & FUTEX_OP_OPARG_SHIFT) {
    if (oparg < 0 || oparg > 31)
      return -EINVAL;
    oparg = 1 << oparg;
    op &= ~FUTEX_OP_OPARG_SHIFT;
  }
  struct fkey k1, k2;
  int r = get_key(mm, uaddr, private, &k1);
  if (r == 0)
    r = get_key(mm, uaddr2, private, &k2);
  if (r < 0)
    return r;
  struct futex_bucket *b1 = bucket_of(k1), *b2 = bucket_of(k2);
  lock_two(b1, b2);
  uint32 *w2 = word_pa(mm, uaddr2, ACC_WRITE);
  int32 old;
  int ok = 0;
  if (!w2) {
    unlock_two(b1, b2);
    return -EFAULT;
  }
  if (cmp > FUTEX_OP_CMP_GE || wake_op_apply(op, w2, oparg, &old) < 0) {
    unlock_two(b1, b2);
    return -ENOSYS;
  }
  wake_op_cmp(cmp, old, cmparg, &ok);
  int woken = wake_keyed(b1, k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
  if (ok)
    woken += wake_keyed(b2, k2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
  unlock_two(b1, b2);
  return woken;
}

// futex(uaddr, op, val, timeout or val2, uaddr2, val3)
long sys_futex(uint64 uaddr, int op, uint32 val, uint64 timeout, uint64 uaddr2, uint32 val3)
{
  struct proc *p = myproc();
  int cmd = op & FUTEX_CMD_MASK;
  int private = (op & FUTEX_PRIVATE_FLAG) != 0;
  int realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
  uint64 deadline = 0;
  if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && timeout) {
    struct timespec ts;
    if (copyin(p->mm, &ts, timeout, sizeof(ts)) < 0)
      return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
      return -EINVAL;
    if (cmd == FUTEX_WAIT)
      deadline = time_now() + timespec_to_ticks(&ts);
    else
      deadline = abstime_to_deadline(&ts, realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC);
    if (deadline == 0)
      deadline = 1;
  }
  switch (cmd) {
  case FUTEX_WAIT:
    return futex_wait(p->mm, uaddr, private, val, deadline, FUTEX_BITSET_MATCH_ANY);
  case FUTEX_WAIT_BITSET:
    return futex_wait(p->mm, uaddr, private, val, deadline, val3);
  case FUTEX_WAKE:
    return futex_wake(p->mm, uaddr, private, (int)val, FUTEX_BITSET_MATCH_ANY);
  case FUTEX_WAKE_BITSET:
    return futex_wake(p->mm, uaddr, private, (int)val, val3);
  case FUTEX_REQUEUE:
    return futex_requeue(p->mm, uaddr, uaddr2, private, (int)val, (int)timeout, 0, 0);
  case FUTEX_CMP_REQUEUE:
    return futex_requeue(p->mm, uaddr, uaddr2, private, (int)val, (int)timeout, 1, val3);
  case FUTEX_WAKE_OP:
    return futex_wake_op(p->mm, uaddr, uaddr2, private, (int)val, (int)timeout, val3);
  default:
    return -ENOSYS;
  }
}
