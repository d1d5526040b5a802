// Spin locks, and push_off/pop_off: matched interrupt disabling.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

void initlock(struct spinlock *lk, const char *name)
{
  lk->name = name;
  lk->locked = 0;
  lk->cpu = 0;
}

// Spin until the lock is ours.  Interrupts stay off until release() to
// avoid deadlocking with an interrupt handler on this hart.
void acquire(struct spinlock *lk)
{
  push_off();
  if (holding(lk))
    panic("acquire: %s already held by this hart", lk->name);
  while (__sync_lock_test_and_set(&lk->locked, 1) != 0)
    ;
  __sync_synchronize();
  lk->cpu = mycpu();
}

void release(struct spinlock *lk)
{
  if (!holding(lk))
    panic("release: %s not held", lk->name);
  lk->cpu = 0;
  __sync_synchronize();
  __sync_lock_release(&lk->locked);
  pop_off();
}

// Is this hart holding the lock?  Interrupts must be off.
int holding(struct spinlock *lk)
{
  return lk->locked && lk->cpu == mycpu();
}

void push_off(void)
{
  int old = intr_get();
  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = old;
  c->noff += 1;
}

void pop_off(void)
{
  struct cpu *c = mycpu();
  if (intr_get())
    panic("pop_off: interruptible");
  if (c->noff < 1)
    panic("pop_off: unbalanced");
  c->noff -= 1;
  if (c->noff == 0 && c->intena)
    intr_on();
}
