// Signals, the subset threaded programs need: actions, masks, kill/tgkill,
// default actions, user handlers with a Linux-layout signal frame and
// rt_sigreturn, fatal faults.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "linux.h"
#include "defs.h"

#define UNBLOCKABLE (SIGMASK(SIGKILL) | SIGMASK(SIGSTOP))

static int default_ignored(int sig)
{
  return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
         sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

// Signals that can be taken now.
int signal_pending(struct proc *p)
{
  return (p->sigpending & ~p->sigmask) != 0;
}

static int task_alive(struct proc *t)
{
  return t->state != UNUSED && t->state != ZOMBIE && t->state != DEAD && t->sighand;
}

// The thread of g to take a process-directed signal: one that does not
// block it, the leader first.
static struct proc *pick_thread(struct tgroup *g, int sig)
{
  struct proc *fallback = 0;
  if (g->leader && task_alive(g->leader) && !(g->leader->sigmask & SIGMASK(sig)))
    return g->leader;
  for (struct proc *t = proc; t < &proc[NPROC]; t++) {
    if (t->group != g || !task_alive(t))
      continue;
    if (!(t->sigmask & SIGMASK(sig)))
      return t;
    if (!fallback)
      fallback = t;
  }
  return fallback;
}

// Make sig pending on the thread t.  Discarded if ignored.
static void post_signal(struct proc *t, int sig, const struct sigrec *rec)
{
  struct sighand *sh = t->sighand;
  if (!sh)
    return;
  uint64 handler = sh->action[sig - 1].handler;
  if (handler == SIG_IGN || (handler == SIG_DFL && default_ignored(sig)))
    return;
  acquire(&t->lock);
  t->sigpending |= SIGMASK(sig);
  if (sig <= 32) {
    struct sigcause *c = &t->sigrec[sig - 1];
    c->code = rec ? rec->code : 0;
    c->pid = rec ? rec->pid : 0;
    c->status = rec ? rec->status : 0;
    if (rec && rec->cause)
      t->fault = *rec;
    else if (t->fault.cause && sig == (int)t->fault.status)
      t->fault.cause = 0;   // this signal is now sent by someone, not a fault
  }
  int wake = t->state == SLEEPING && !(t->sigmask & SIGMASK(sig));
  if (wake)
    t->state = RUNNABLE;
  release(&t->lock);
  if (wake)
    kick_idle_hart();
}

// Send sig to p's process (thread_directed = 0) or to p itself.
int signal_send(struct proc *p, int sig, const struct sigrec *rec, int thread_directed)
{
  if (sig == 0)
    return 0;
  struct tgroup *g = p->group;
  if (!g)
    return -ESRCH;
  if (sig == SIGKILL) {
    group_kill_tasks(g, 0, SIGKILL);
    return 0;
  }
  struct proc *t = thread_directed ? p : pick_thread(g, sig);
  if (!t || !task_alive(t))
    return thread_directed ? -ESRCH : 0;
  post_signal(t, sig, rec);
  return 0;
}

// A synchronous fault: the signal cannot be blocked or ignored.
void signal_force(struct proc *p, int sig, const struct sigrec *rec)
{
  acquire(&p->sighand->lock);
  struct ksigaction *a = &p->sighand->action[sig - 1];
  if (a->handler == SIG_IGN || (p->sigmask & SIGMASK(sig)))
    a->handler = SIG_DFL;
  release(&p->sighand->lock);
  p->sigmask &= ~SIGMASK(sig);
  struct sigrec r = *rec;
  r.status = sig;   // in the fault record, status names the fault's signal
  post_signal(p, sig, &r);
}

static const char *signame(int sig)
{
  switch (sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGILL: return "SIGILL";
  case SIGBUS: return "SIGBUS";
  case SIGTRAP: return "SIGTRAP";
  case SIGFPE: return "SIGFPE";
  case SIGABRT: return "SIGABRT";
  case SIGKILL: return "SIGKILL";
  case SIGTERM: return "SIGTERM";
  default: return "signal";
  }
}

// Push a signal frame and point the thread at the handler.
static int setup_frame(struct proc *p, int sig, const struct ksigaction *act,
                       const struct sigrec *rec, uint64 oldmask)
{
  struct trapframe *tf = p->trapframe;
  uint64 sp = (tf->sp - sizeof(struct rt_sigframe)) & ~15UL;
  struct rt_sigframe f;
  memset(&f, 0, sizeof(f));
  f.info.si_signo = sig;
  f.info.si_code = rec->code;
  if (rec->cause) {
    f.info.u.fault.addr = rec->addr;
  } else {
    f.info.u.kill.pid = rec->pid;
    f.info.u.kill.status = rec->status;
  }
  f.uc.uc_sigmask = oldmask;
  f.uc.uc_mcontext.sc_regs[0] = tf->epc;
  memmove(&f.uc.uc_mcontext.sc_regs[1], &tf->ra, 31 * sizeof(uint64));
  memmove(f.uc.uc_mcontext.sc_fpregs, tf->f, 32 * sizeof(uint64));
  f.uc.uc_mcontext.sc_fpregs[32] = (uint32)tf->fcsr;
  if (copyout(p->mm, sp, &f, sizeof(f)) < 0)
    return -EFAULT;
  tf->epc = act->handler;
  tf->sp = sp;
  tf->ra = SIGTRAMP;
  tf->a0 = sig;
  tf->a1 = sp + offsetof(struct rt_sigframe, info);
  tf->a2 = sp + offsetof(struct rt_sigframe, uc);
  uint64 mask = oldmask | act->mask;
  if (!(act->flags & SA_NODEFER))
    mask |= SIGMASK(sig);
  p->sigmask = mask & ~UNBLOCKABLE;
  return 0;
}

static void die_of(struct proc *p, int sig, const struct sigrec *rec)
{
  if (rec->cause)
    printf("[kernel] pid %d (%s) killed by %s: pc %p cause %d addr %p (tid %d ra %p sp %p)\n",
           p->tgid, p->name, signame(sig), (void *)rec->pc, (int)rec->cause, (void *)rec->addr,
           p->tid, (void *)p->trapframe->ra, (void *)p->trapframe->sp);
  else
    klog_printf("[kernel] pid %d (%s) killed by signal %d\n", p->tgid, p->name, sig);
  task_exit(sig, 1);
}

// On the way back to user mode: take the lowest pending unblocked signal.
void signal_deliver(struct proc *p)
{
  for (;;) {
    acquire(&p->lock);
    uint64 ready = p->sigpending & ~p->sigmask;
    if (!ready || p->killed) {
      release(&p->lock);
      break;
    }
    int sig = 1;
    while (!(ready & SIGMASK(sig)))
      sig++;
    p->sigpending &= ~SIGMASK(sig);
    struct sigrec rec = {0};
    if (sig <= 32) {
      rec.code = p->sigrec[sig - 1].code;
      rec.pid = p->sigrec[sig - 1].pid;
      rec.status = p->sigrec[sig - 1].status;
      if (p->fault.cause && p->fault.status == sig) {
        rec = p->fault;
        rec.status = 0;
        p->fault.cause = 0;
      }
    }
    release(&p->lock);

    acquire(&p->sighand->lock);
    struct ksigaction act = p->sighand->action[sig - 1];
    if (act.handler > SIG_IGN && (act.flags & SA_RESETHAND))
      p->sighand->action[sig - 1].handler = SIG_DFL;
    release(&p->sighand->lock);

    if (act.handler == SIG_IGN || (act.handler == SIG_DFL && default_ignored(sig)))
      continue;
    if (act.handler == SIG_DFL)
      die_of(p, sig, &rec);
    if (p->restart_syscall && (act.flags & SA_RESTART)) {
      // Back to the ecall with its first argument: the handler returns there.
      p->trapframe->a0 = p->restart_a0;
      p->trapframe->epc -= 4;
    }
    p->restart_syscall = 0;
    uint64 oldmask = p->has_saved_sigmask ? p->saved_sigmask : p->sigmask;
    p->has_saved_sigmask = 0;
    if (setup_frame(p, sig, &act, &rec, oldmask) < 0) {
      struct sigrec r = {0};
      r.code = SEGV_MAPERR;
      r.cause = EXC_STORE_PAGE_FAULT;
      r.addr = p->trapframe->sp;
      r.pc = p->trapframe->epc;
      die_of(p, SIGSEGV, &r);
    }
    return;
  }
  p->restart_syscall = 0;
  if (p->has_saved_sigmask) {
    p->sigmask = p->saved_sigmask;
    p->has_saved_sigmask = 0;
  }
}

long sys_rt_sigreturn(void)
{
  struct proc *p = myproc();
  struct trapframe *tf = p->trapframe;
  struct rt_sigframe f;
  if (copyin(p->mm, &f, tf->sp, sizeof(f)) < 0) {
    struct sigrec r = {0};
    r.code = SEGV_MAPERR;
    r.cause = EXC_LOAD_PAGE_FAULT;
    r.addr = tf->sp;
    r.pc = tf->epc;
    signal_force(p, SIGSEGV, &r);
    return tf->a0;
  }
  tf->epc = f.uc.uc_mcontext.sc_regs[0];
  memmove(&tf->ra, &f.uc.uc_mcontext.sc_regs[1], 31 * sizeof(uint64));
  memmove(tf->f, f.uc.uc_mcontext.sc_fpregs, 32 * sizeof(uint64));
  tf->fcsr = (uint32)f.uc.uc_mcontext.sc_fpregs[32];
  p->sigmask = f.uc.uc_sigmask & ~UNBLOCKABLE;
  return tf->a0;   // syscall() stores this in a0: the interrupted code's a0
}

long sys_rt_sigaction(int sig, uint64 act, uint64 oact, uint64 size)
{
  struct proc *p = myproc();
  if (sig < 1 || sig > NSIG || size != 8)
    return -EINVAL;
  struct ksigaction new, old;
  if (act && copyin(p->mm, &new, act, sizeof(new)) < 0)
    return -EFAULT;
  if (act && (sig == SIGKILL || sig == SIGSTOP))
    return -EINVAL;
  acquire(&p->sighand->lock);
  old = p->sighand->action[sig - 1];
  if (act) {
    new.mask &= ~UNBLOCKABLE;
    p->sighand->action[sig - 1] = new;
  }
  release(&p->sighand->lock);
  if (act && (new.handler == SIG_IGN || (new.handler == SIG_DFL && default_ignored(sig)))) {
    // Pending instances of a now-ignored signal are dropped, as in Linux.
    for (struct proc *t = proc; t < &proc[NPROC]; t++) {
      if (t->group != p->group)
        continue;
      acquire(&t->lock);
      t->sigpending &= ~SIGMASK(sig);
      release(&t->lock);
    }
  }
  if (oact && copyout(p->mm, oact, &old, sizeof(old)) < 0)
    return -EFAULT;
  return 0;
}

long sys_rt_sigprocmask(int how, uint64 set, uint64 oset, uint64 size)
{
  struct proc *p = myproc();
  if (size != 8)
    return -EINVAL;
  uint64 old = p->sigmask, m;
  if (set) {
    if (copyin(p->mm, &m, set, 8) < 0)
      return -EFAULT;
    if (how == SIG_BLOCK)
      p->sigmask |= m;
    else if (how == SIG_UNBLOCK)
      p->sigmask &= ~m;
    else if (how == SIG_SETMASK)
      p->sigmask = m;
    else
      return -EINVAL;
    p->sigmask &= ~UNBLOCKABLE;
  }
  if (oset && copyout(p->mm, oset, &old, 8) < 0)
    return -EFAULT;
  return 0;
}

long sys_rt_sigpending(uint64 set, uint64 size)
{
  struct proc *p = myproc();
  if (size != 8)
    return -EINVAL;
  uint64 pend = p->sigpending & p->sigmask;
  return copyout(p->mm, set, &pend, 8);
}

// Sleep until a signal arrives (pause, sigsuspend).
static long wait_for_signal(void)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  while (!signal_pending(p) && !p->killed)
    sleep_self(p, 0, "pause");
  release(&p->lock);
  return -EINTR;
}

long sys_rt_sigsuspend(uint64 set, uint64 size)
{
  struct proc *p = myproc();
  uint64 m;
  if (size != 8)
    return -EINVAL;
  if (copyin(p->mm, &m, set, 8) < 0)
    return -EFAULT;
  p->saved_sigmask = p->sigmask;
  p->has_saved_sigmask = 1;
  p->sigmask = m & ~UNBLOCKABLE;
  return wait_for_signal();
}

long sys_pause(void)
{
  return wait_for_signal();
}

long sys_sigaltstack(uint64 ss, uint64 oss)
{
  (void)ss;
  if (oss) {
    uint64 old[3] = {0, 2 /* SS_DISABLE */, 0};
    return copyout(myproc()->mm, oss, old, sizeof(old));
  }
  return 0;
}

static struct proc *find_task(int tid)
{
  for (struct proc *t = proc; t < &proc[NPROC]; t++)
    if (t->tid == tid && task_alive(t))
      return t;
  return 0;
}

// A task of process pid that can stand for it (the leader, or any thread).
static struct proc *find_process(int pid)
{
  for (struct proc *t = proc; t < &proc[NPROC]; t++)
    if (t->tgid == pid && t->group && t->state != UNUSED && t->group->live > 0)
      return t;
  return 0;
}

long sys_kill(long pid, int sig)
{
  struct proc *p = myproc();
  if (sig < 0 || sig > NSIG)
    return -EINVAL;
  struct sigrec rec = {0};
  rec.code = SI_USER;
  rec.pid = p->tgid;
  if (pid == -1) {
    int n = 0;
    for (struct proc *t = proc; t < &proc[NPROC]; t++) {
      if (t->tid == t->tgid && t->group && t->group->live > 0 && t->tgid != 1 &&
          t->tgid != p->tgid) {
        signal_send(t, sig, &rec, 0);
        n++;
      }
    }
    return n ? 0 : -ESRCH;
  }
  if (pid == 0)
    pid = p->tgid;
  if (pid < 0)
    pid = -pid;
  struct proc *t = find_process(pid);
  if (!t)
    return -ESRCH;
  return signal_send(t, sig, &rec, 0);
}

long sys_tgkill(long tgid, long tid, int sig)
{
  if (sig < 0 || sig > NSIG || tid <= 0)
    return -EINVAL;
  struct proc *t = find_task(tid);
  if (!t || (tgid > 0 && t->tgid != tgid))
    return -ESRCH;
  struct sigrec rec = {0};
  rec.code = SI_TKILL;
  rec.pid = myproc()->tgid;
  return signal_send(t, sig, &rec, 1);
}

long sys_tkill(long tid, int sig)
{
  return sys_tgkill(-1, tid, sig);
}
