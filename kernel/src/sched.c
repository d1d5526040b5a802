// The scheduler: a round-robin loop per hart, sleep and wakeup, timed
// sleeps, and the timer tick.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "sbi.h"
#include "klog.h"
#include "defs.h"

extern volatile int panicked;
uint64 tick_interval;         // timebase ticks per scheduler tick

// Per-hart scheduler loop.  Takes RUNNABLE tasks in table order, runs each
// until it gives the hart back (yield, sleep, exit), and frees tasks that
// exited as DEAD (threads) once they are off their kernel stack.
void scheduler(void)
{
  struct cpu *c = mycpu();
  c->proc = 0;
  for (;;) {
    intr_on();
    c->idle = 1;
    int found = 0;
    for (struct proc *p = proc; p < &proc[NPROC]; p++) {
      if (p->state != RUNNABLE)
        continue;
      acquire(&p->lock);
      if (p->state == RUNNABLE) {
        c->idle = 0;
        p->state = RUNNING;
        p->cpu = c->hartid;
        c->proc = p;
        swtch(&c->context, &p->context);
        c->proc = 0;
        found = 1;
        if (p->state == DEAD)
          freeproc(p);
      }
      release(&p->lock);
    }
    if (!found) {
      // Nothing to run: wait for an interrupt (the tick, a device, or an IPI
      // from a hart that made a task runnable).  With interrupts off a
      // pending one still ends wfi, and a kick during the scan cleared idle.
      intr_off();
      if (c->idle) {
        uint64 before = r_instret();
        wfi();
        c->idle_instret += r_instret() - before;
      }
    }
  }
}

// Switch to the scheduler.  The caller holds p->lock only and has changed
// p->state.  intena belongs to this kernel thread, not to the hart.
void sched(void)
{
  struct proc *p = myproc();
  if (!holding(&p->lock))
    panic("sched: p->lock not held");
  if (mycpu()->noff != 1)
    panic("sched: %d locks held", mycpu()->noff);
  if (p->state == RUNNING)
    panic("sched: running");
  if (intr_get())
    panic("sched: interruptible");
  if (p->state == RUNNABLE)
    p->nivcsw++;
  else if (p->state == SLEEPING)
    p->nvcsw++;
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

void yield(void)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  p->state = RUNNABLE;
  sched();
  release(&p->lock);
}

// Wake one idle hart (if any) so a newly runnable task starts soon.
void kick_idle_hart(void)
{
  int me = r_tp();
  for (int i = 0; i < NCPU; i++) {
    if (i != me && cpus[i].online && cpus[i].idle) {
      cpus[i].idle = 0;
      sbi_send_ipi(1UL << i);
      return;
    }
  }
}

// Arm this hart's timer for `when` if that is before its next tick.
static void arm_timer(uint64 when)
{
  struct cpu *c = mycpu();
  if (when < c->next_timer) {
    c->next_timer = when;
    sbi_set_timer(when);
  }
}

// Sleep on chan until woken or until `deadline` (timebase ticks, 0 = none).
// Releases lk while asleep and holds it again on return.  The state is set
// before lk is released, so a waker holding lk never misses us.
//
// intr: an interruptible sleep (see sleep_intr): return -EINTR at once,
// without sleeping, if the task has been killed or has a signal it can take.
static int sleep_on(void *chan, struct spinlock *lk, uint64 deadline, const char *why, int intr)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  if (intr && (p->killed || signal_pending(p))) {
    release(&p->lock);
    return -EINTR;
  }
  p->chan = chan;
  p->wchan = why;
  p->wake_at = deadline;
  p->state = SLEEPING;
  if (deadline)
    arm_timer(deadline);
  release(lk);
  sched();
  p->chan = 0;
  p->wchan = 0;
  p->wake_at = 0;
  release(&p->lock);
  acquire(lk);
  return 0;
}

void sleep_until(void *chan, struct spinlock *lk, uint64 deadline, const char *why)
{
  sleep_on(chan, lk, deadline, why, 0);
}

void sleep(void *chan, struct spinlock *lk, const char *why)
{
  sleep_on(chan, lk, 0, why, 0);
}

// Sleep as sleep() does, unless the task must leave the call instead:
// returns -EINTR (lk still held, never released) if it has been killed or
// has a signal it can take, 0 after a wakeup (which may be spurious: the
// caller checks its condition again and calls this again).
//
// The invariant: a sleeper tests every condition that should end its sleep
// under a lock its waker holds while making that condition true.  For the
// caller's own condition that lock is lk.  For `killed` and pending signals
// it is p->lock, not lk: group_kill_tasks() and post_signal() set them and
// wake a SLEEPING task under p->lock, and take no lock of the caller's.  So
// the test must be made here, under p->lock and in the same critical
// section that sets SLEEPING.  Testing them under lk only, before sleep(),
// loses the wakeup: the killer runs between that test and
// `p->state = SLEEPING`, finds the task RUNNING and leaves it alone, and
// the task then sleeps with killed set or a signal pending, until its own
// condition comes true, which may be never (waittest hung this way: a
// SIGKILLed child asleep in a pipe read whose writer, its parent, waited
// for it in wait4).
int sleep_intr(void *chan, struct spinlock *lk, const char *why)
{
  return sleep_on(chan, lk, 0, why, 1);
}

// Sleep with p->lock itself held (futex waits): returns with it held.
void sleep_self(void *chan, uint64 deadline, const char *why)
{
  struct proc *p = myproc();
  p->chan = chan;
  p->wchan = why;
  p->wake_at = deadline;
  p->state = SLEEPING;
  if (deadline)
    arm_timer(deadline);
  sched();
  p->chan = 0;
  p->wchan = 0;
  p->wake_at = 0;
}

// Wake every task sleeping on chan.  The caller holds the lock the
// sleepers passed to sleep().
void wakeup(void *chan)
{
  struct proc *me = myproc();
  int woke = 0;
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p == me || p->state != SLEEPING || p->chan != chan)
      continue;
    acquire(&p->lock);
    if (p->state == SLEEPING && p->chan == chan) {
      p->state = RUNNABLE;
      woke = 1;
    }
    release(&p->lock);
  }
  if (woke)
    kick_idle_hart();
}

// Wake p if it sleeps, whatever it sleeps on (signals, futex wakes).
void wake_task(struct proc *p)
{
  acquire(&p->lock);
  int woke = p->state == SLEEPING;
  if (woke)
    p->state = RUNNABLE;
  release(&p->lock);
  if (woke)
    kick_idle_hart();
}

uint64 time_now(void)
{
  return r_time();
}

// Wake the timed sleepers whose deadline has passed; return the earliest
// deadline still ahead (or ~0).
static uint64 wake_expired(uint64 now)
{
  uint64 next = ~0UL;
  int woke = 0;
  for (struct proc *p = proc; p < &proc[NPROC]; p++) {
    if (p->state != SLEEPING || p->wake_at == 0)
      continue;
    if (p->wake_at > now) {
      next = MIN(next, p->wake_at);
      continue;
    }
    acquire(&p->lock);
    if (p->state == SLEEPING && p->wake_at && p->wake_at <= now) {
      p->state = RUNNABLE;
      woke = 1;
    }
    release(&p->lock);
  }
  if (woke)
    kick_idle_hart();
  return next;
}

void timer_start_hart(void)
{
  struct cpu *c = mycpu();
  c->next_timer = r_time() + tick_interval;
  sbi_set_timer(c->next_timer);
}

// The timer interrupt: rearm, account, wake expired sleepers.
void timer_tick(void)
{
  struct cpu *c = mycpu();
  uint64 now = r_time();
  c->ticks++;
  c->instret = r_instret();
  if (c->proc)
    c->proc->utime_ticks++;
  uint64 next = wake_expired(now);
  c->next_timer = MIN(now + tick_interval, MAX(next, now + 1));
  sbi_set_timer(c->next_timer);
}
