// Tasks: allocation, clone (fork and threads), exit, wait4, and the first
// process.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "file.h"
#include "linux.h"
#include "defs.h"

struct cpu cpus[NCPU];
struct proc proc[NPROC];
struct tgroup tgroups[NPROC];
struct sighand sighands[NSIGHAND];
struct fs_struct fs_structs[NPROC];
struct proc *initproc;

struct spinlock tid_lock;
static int next_tid = 1;

// Parent/child links (proc->parent), vfork handshakes and group exit
// accounting.  Must be acquired before any p->lock.
struct spinlock wait_lock;

struct spinlock pool_lock;   // tgroups[], sighands[] and fs_structs[] slots

extern void forkret(void);

void proc_init(void)
{
  initlock(&tid_lock, "tid");
  initlock(&wait_lock, "wait_lock");
  initlock(&pool_lock, "pools");
  for (int i = 0; i < NPROC; i++) {
    initlock(&proc[i].lock, "proc");
    initlock(&tgroups[i].lock, "tgroup");
    proc[i].state = UNUSED;
  }
  for (int i = 0; i < NSIGHAND; i++)
    initlock(&sighands[i].lock, "sighand");
  for (int i = 0; i < NPROC; i++)
    initlock(&fs_structs[i].lock, "fs");
}

int cpuid(void)
{
  return r_tp();
}

// This hart's struct cpu.  Interrupts must be off (or the caller must not
// care about moving to another hart).
struct cpu *mycpu(void)
{
  uint64 id = r_tp();
  if (id >= NCPU)
    panic("mycpu: tp %p is not a hart id", id);
  return &cpus[id];
}

struct proc *myproc(void)
{
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

static int alloc_tid(void)
{
  acquire(&tid_lock);
  int tid = next_tid++;
  release(&tid_lock);
  return tid;
}

static struct tgroup *tgroup_alloc(struct proc *leader)
{
  acquire(&pool_lock);
  for (int i = 0; i < NPROC; i++) {
    struct tgroup *g = &tgroups[i];
    if (g->refs == 0) {
      g->refs = 1;
      g->live = 1;
      g->exiting = 0;
      g->exit_code = 0;
      g->leader = leader;
      release(&pool_lock);
      return g;
    }
  }
  release(&pool_lock);
  return 0;
}

static void tgroup_put(struct tgroup *g)
{
  acquire(&pool_lock);
  if (--g->refs == 0)
    g->leader = 0;
  release(&pool_lock);
}

struct sighand *sighand_alloc(void)
{
  acquire(&pool_lock);
  for (int i = 0; i < NSIGHAND; i++) {
    struct sighand *s = &sighands[i];
    if (s->refs == 0) {
      s->refs = 1;
      memset(s->action, 0, sizeof(s->action));
      release(&pool_lock);
      return s;
    }
  }
  release(&pool_lock);
  return 0;
}

static void sighand_get(struct sighand *s)
{
  acquire(&pool_lock);
  s->refs++;
  release(&pool_lock);
}

void sighand_put(struct sighand *s)
{
  acquire(&pool_lock);
  s->refs--;
  release(&pool_lock);
}

// A current-directory record for one task (and those it shares it with).
struct fs_struct *fs_alloc(struct inode *cwd)
{
  acquire(&pool_lock);
  for (int i = 0; i < NPROC; i++) {
    struct fs_struct *fs = &fs_structs[i];
    if (fs->refs == 0) {
      fs->refs = 1;
      fs->cwd = cwd;
      release(&pool_lock);
      return fs;
    }
  }
  release(&pool_lock);
  return 0;
}

static void fs_get(struct fs_struct *fs)
{
  acquire(&pool_lock);
  fs->refs++;
  release(&pool_lock);
}

void fs_put(struct fs_struct *fs)
{
  acquire(&pool_lock);
  if (--fs->refs == 0)
    fs->cwd = 0;
  release(&pool_lock);
}

struct inode *proc_cwd(struct proc *p)
{
  acquire(&p->fs->lock);
  struct inode *ip = p->fs->cwd;
  release(&p->fs->lock);
  return ip;
}

// chdir: every task sharing p's fs_struct (CLONE_FS) moves with it.
void proc_chdir(struct proc *p, struct inode *dir)
{
  acquire(&p->fs->lock);
  p->fs->cwd = dir;
  release(&p->fs->lock);
}

// A fresh task in state USED with a kernel stack, a zeroed trapframe page
// and a context that starts in forkret.  Returns with p->lock held.
static struct proc *allocproc(void)
{
  struct proc *p;
  for (p = proc; p < &proc[NPROC]; p++) {
    if (p->state != UNUSED)
      continue;   // unlocked peek; checked again under the lock
    acquire(&p->lock);
    if (p->state == UNUSED)
      goto found;
    release(&p->lock);
  }
  return 0;
found:
  p->kstack = (uint64)kalloc_pages(KSTACK_ORDER);
  p->trapframe = kalloc();   // filled by clone's copy, or zeroed by userinit/exec
  if (!p->kstack || !p->trapframe) {
    if (p->kstack)
      kfree((void *)p->kstack);
    if (p->trapframe)
      kfree(p->trapframe);
    p->kstack = 0;
    p->trapframe = 0;
    release(&p->lock);
    return 0;
  }
  p->tid = alloc_tid();
  p->state = USED;
  p->chan = 0;
  p->wchan = 0;
  p->wake_at = 0;
  p->killed = 0;
  p->xstate = 0;
  p->cpu = -1;
  p->parent = 0;
  p->vfork_parent = 0;
  p->vfork_child = 0;
  p->tgid = p->tid;
  p->group = 0;
  p->tf_slot = -1;
  p->mm = 0;
  p->files = 0;
  p->sighand = 0;
  p->fs = 0;
  p->sigmask = 0;
  p->sigpending = 0;
  p->saved_sigmask = 0;
  p->has_saved_sigmask = 0;
  p->restart_syscall = 0;
  p->clear_child_tid = 0;
  p->robust_list = 0;
  p->exit_signal = 0;
  p->utime_ticks = 0;
  p->nvcsw = 0;
  p->nivcsw = 0;
  memset(&p->fw, 0, sizeof(p->fw));
  memset(p->sigrec, 0, sizeof(p->sigrec));
  memset(&p->fault, 0, sizeof(p->fault));
  memset(&p->context, 0, sizeof(p->context));
  p->context.ra = (uint64)forkret;
  p->context.sp = p->kstack + KSTACK_SIZE;
  p->name[0] = 0;
  return p;
}

// Free a task's memory and slot.  p->lock held; the task no longer runs
// and has already dropped its address space, files and signal actions.
void freeproc(struct proc *p)
{
  if (p->kstack)
    kfree((void *)p->kstack);
  if (p->trapframe)
    frame_put((uint64)p->trapframe);
  if (p->group)
    tgroup_put(p->group);
  p->kstack = 0;
  p->trapframe = 0;
  p->group = 0;
  p->tid = 0;
  p->tgid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->state = UNUSED;
}

// Undo a half-built clone: np is USED, not locked.
static void clone_abort(struct proc *np)
{
  if (np->mm) {
    if (np->tf_slot >= 0)
      mm_unmap_trapframe(np->mm, np->tf_slot);
    mm_put(np->mm);
  }
  if (np->files)
    files_put(np->files);
  if (np->sighand)
    sighand_put(np->sighand);
  if (np->fs)
    fs_put(np->fs);
  acquire(&np->lock);
  freeproc(np);
  release(&np->lock);
}

// Give np its trapframe: a copy of the parent's, in its own page.
static int clone_trapframe(struct proc *p, struct proc *np, uint64 flags)
{
#ifdef BUG_FORK_TRAPFRAME
  if (!(flags & CLONE_VM)) {
    // BUG fork-trapframe: the child's trap context is the parent's page.
    frame_put((uint64)np->trapframe);
    frame_get((uint64)p->trapframe);
    np->trapframe = p->trapframe;
  }
#else
  (void)flags;
#endif
  if (np->trapframe != p->trapframe)
    *np->trapframe = *p->trapframe;
  np->tf_slot = mm_map_trapframe(np->mm, np->trapframe);
  return np->tf_slot < 0 ? -ENOMEM : 0;
}

static int clone_resources(struct proc *p, struct proc *np, uint64 flags)
{
  if (flags & CLONE_VM) {
    mm_get(p->mm);
    np->mm = p->mm;
  } else if ((np->mm = mm_fork(p->mm)) == 0) {
    return -ENOMEM;
  }
  if (clone_trapframe(p, np, flags) < 0)
    return -ENOMEM;
  if (flags & CLONE_FILES) {
    files_get(p->files);
    np->files = p->files;
  } else if ((np->files = files_dup(p->files)) == 0) {
    return -ENOMEM;
  }
  if (flags & CLONE_SIGHAND) {
    sighand_get(p->sighand);
    np->sighand = p->sighand;
  } else {
    if ((np->sighand = sighand_alloc()) == 0)
      return -ENOMEM;
    acquire(&p->sighand->lock);
    memmove(np->sighand->action, p->sighand->action, sizeof(np->sighand->action));
    release(&p->sighand->lock);
  }
  if (flags & CLONE_FS) {
    fs_get(p->fs);
    np->fs = p->fs;
  } else if ((np->fs = fs_alloc(proc_cwd(p))) == 0) {
    return -ENOMEM;
  }
  if (flags & CLONE_THREAD) {
    np->group = p->group;
    np->tgid = p->tgid;
    acquire(&pool_lock);
    p->group->refs++;
    release(&pool_lock);
    acquire(&p->group->lock);
    p->group->live++;
    release(&p->group->lock);
  } else if ((np->group = tgroup_alloc(np)) == 0) {
    return -ENOMEM;
  }
  return 0;
}

// clone(flags, newsp, parent_tid, tls, child_tid): fork, vfork and
// pthread_create all come here.  Returns the new task's tid.
long do_clone(uint64 flags, uint64 newsp, uint64 ptid, uint64 tls, uint64 ctid)
{
  struct proc *p = myproc();
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
    return -EINVAL;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
    return -EINVAL;
  struct proc *np = allocproc();
  if (!np)
    return -EAGAIN;
  release(&np->lock);   // USED: no one else looks at it yet

  int err = clone_resources(p, np, flags);
  if (err < 0) {
    clone_abort(np);
    return err;
  }
  struct trapframe *tf = np->trapframe;
  tf->a0 = 0;   // the child's return value
  if (newsp)
    tf->sp = newsp;
  if (flags & CLONE_SETTLS)
    tf->tp = tls;
  np->sigmask = p->sigmask;
  np->exit_signal = (flags & CLONE_THREAD) ? 0 : (int)(flags & CSIGNAL);
  if (flags & CLONE_CHILD_CLEARTID)
    np->clear_child_tid = ctid;
  safestrcpy(np->name, p->name, sizeof(np->name));
  int tid = np->tid;
  if (flags & CLONE_PARENT_SETTID)
    put_user32(p->mm, ptid, tid);
  if (flags & CLONE_CHILD_SETTID)
    put_user32(np->mm, ctid, tid);

  acquire(&wait_lock);
  struct proc *leader = p->group->leader;
  np->parent = (flags & (CLONE_THREAD | CLONE_PARENT)) ? leader->parent : leader;
  if (flags & CLONE_VFORK) {
    np->vfork_parent = p;
    p->vfork_child = tid;
  }
  release(&wait_lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);
  kick_idle_hart();

  if (flags & CLONE_VFORK) {
    acquire(&wait_lock);
    while (p->vfork_child == tid)
      sleep(&p->vfork_child, &wait_lock, "vfork");
    release(&wait_lock);
  }
  return tid;
}

// A CLONE_VFORK child has exec'd or is exiting: let the parent go on.
void vfork_release(struct proc *p)
{
  acquire(&wait_lock);
  struct proc *vp = p->vfork_parent;
  if (vp) {
    p->vfork_parent = 0;
    if (vp->vfork_child == p->tid) {
      vp->vfork_child = 0;
      wakeup(&vp->vfork_child);
    }
  }
  release(&wait_lock);
}

// Give the children of the finished process `leader` to init.
// wait_lock held.
static void reparent(struct proc *leader)
{
  for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
    if (pp->parent == leader && pp != leader) {
      pp->parent = initproc;
      wakeup(initproc);
    }
  }
}

// Ask every task of p's group but p itself (or all, if p is 0 and g given)
// to exit with wstatus.
void group_kill_tasks(struct tgroup *g, struct proc *p, int wstatus)
{
  acquire(&g->lock);
  if (!g->exiting) {
    g->exiting = 1;
    g->exit_code = wstatus;
  }
  release(&g->lock);
  for (struct proc *q = proc; q < &proc[NPROC]; q++) {
    if (q == p || q->group != g)
      continue;
    acquire(&q->lock);
    if (q->group == g && q->state != UNUSED) {
      q->killed = 1;
      if (q->state == SLEEPING)
        q->state = RUNNABLE;
    }
    release(&q->lock);
  }
  kick_idle_hart();
}

void group_kill(struct proc *p, int wstatus)
{
  group_kill_tasks(p->group, p, wstatus);
}

// Linux wait status to the exit status of a whole run.
static int run_status(int wstatus)
{
  if ((wstatus & 0x7f) == 0)
    return (wstatus >> 8) & 0xff;
  return 128 + (wstatus & 0x7f);
}

// The whole process of `leader` is done.  wait_lock held.
static void process_done(struct proc *leader, int wstatus)
{
  leader->xstate = wstatus;
  if (leader == initproc) {
    printf("[kernel] init exited with status %d\n", run_status(wstatus));
    power_off(run_status(wstatus));
  }
  reparent(leader);
  struct proc *parent = leader->parent;
  if (parent && leader->exit_signal > 0) {
    struct sigrec rec = {0};
    rec.code = (wstatus & 0x7f) ? CLD_KILLED : CLD_EXITED;
    rec.pid = leader->tgid;
    rec.status = (wstatus & 0x7f) ? (wstatus & 0x7f) : ((wstatus >> 8) & 0xff);
    signal_send(parent, leader->exit_signal, &rec, 0);
  }
  wakeup(parent);
}

// End the calling task.  wstatus is in wait4's encoding; whole_group also
// ends every other thread of the process (exit_group, fatal signals).
void task_exit(int wstatus, int whole_group)
{
  struct proc *p = myproc();
  struct tgroup *g = p->group;
  if (whole_group)
    group_kill(p, wstatus);
  if (p->clear_child_tid) {
    uint64 a = p->clear_child_tid;
    p->clear_child_tid = 0;
    if (put_user32(p->mm, a, 0) == 0)
      futex_wake_addr(p->mm, a, 1);
  }
  vfork_release(p);
  files_put(p->files);
  sighand_put(p->sighand);
  fs_put(p->fs);
  mm_unmap_trapframe(p->mm, p->tf_slot);
  mm_put(p->mm);
  acquire(&p->lock);
  p->files = 0;
  p->sighand = 0;
  p->fs = 0;
  p->mm = 0;
  release(&p->lock);

  acquire(&wait_lock);
  acquire(&g->lock);
  int last = --g->live == 0;
  if (!g->exiting)
    g->exit_code = wstatus;   // a thread's exit() ends the process only as the last one
  int code = g->exit_code;
  release(&g->lock);
  p->xstate = wstatus;   // before process_done, which sets the leader's to the group's
  if (last)
    process_done(g->leader, code);
  acquire(&p->lock);
  p->state = (p == g->leader) ? ZOMBIE : DEAD;
  release(&wait_lock);
  sched();
  panic("task_exit: zombie ran");
}

// wait4(pid, status, options, rusage): reap a child process whose every
// thread has exited.
long do_wait4(long pid, uint64 status_addr, int options, uint64 rusage)
{
  struct proc *me = myproc();
  struct proc *leader = me->group->leader;
  acquire(&wait_lock);
  for (;;) {
    int have = 0;
    for (struct proc *pp = proc; pp < &proc[NPROC]; pp++) {
      if (pp->parent != leader || pp->tid != pp->tgid || pp == leader)
        continue;
      if (pid > 0 && pp->tid != pid)
        continue;
      have = 1;
      acquire(&pp->lock);
      if (pp->state == ZOMBIE && pp->group->live == 0) {
        int cpid = pp->tid;
        int xs = pp->xstate;
        release(&pp->lock);
        // Bad pointers leave the child unreaped (Linux reaps it and loses it).
        uint8 zero[144];   // struct rusage: not accounted
        memset(zero, 0, sizeof(zero));
        if ((status_addr && copyout(me->mm, status_addr, &xs, sizeof(xs)) < 0) ||
            (rusage && copyout(me->mm, rusage, zero, sizeof(zero)) < 0)) {
          release(&wait_lock);
          return -EFAULT;
        }
        acquire(&pp->lock);
        freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        return cpid;
      }
      release(&pp->lock);
    }
    if (!have) {
      release(&wait_lock);
      return -ECHILD;
    }
    if (options & WNOHANG) {
      release(&wait_lock);
      return 0;
    }
    // Killed or signalled: tested by sleep_intr() under me->lock, where
    // kill and signal delivery look (wait_lock is not theirs).
    if (sleep_intr(leader, &wait_lock, "wait4") < 0) {
      release(&wait_lock);
      return -EINTR;
    }
  }
}

// The first task: its first run (init_start) execs init from the kernel.
static char init_path[MAXPATH];
static char init_args[512];   // NUL-separated argv strings, then envp, then ""
static int init_argc, init_envc;

static void add_arg(int *used, const char *s)
{
  int n = strlen(s) + 1;
  if (*used + n < (int)sizeof(init_args)) {
    memmove(init_args + *used, s, n);
    *used += n;
  }
}

// Work out init's program and argv from the command line:
//   init=tests[:a,b] -> /init tests[:a,b];  init=/bin/x a b -> /bin/x a b;
//   nothing          -> /init (the test runner, then a shell).
static void parse_init(const char *cmdline)
{
  const char *s = cmdline;
  const char *rest = 0;
  while (*s) {
    while (*s == ' ')
      s++;
    if (strncmp(s, "init=", 5) == 0) {
      rest = s + 5;
      break;
    }
    while (*s && *s != ' ')
      s++;
  }
  int used = 0;
  char word[MAXPATH];
  init_argc = 0;
  if (!rest || strncmp(rest, "tests", 5) == 0 || *rest == ' ' || *rest == 0) {
    safestrcpy(init_path, "/init", sizeof(init_path));
    add_arg(&used, "/init");
    init_argc = 1;
  } else {
    init_path[0] = 0;
  }
  while (rest && *rest) {
    int n = 0;
    while (*rest == ' ')
      rest++;
    while (*rest && *rest != ' ' && n < MAXPATH - 1)
      word[n++] = *rest++;
    word[n] = 0;
    if (n == 0)
      break;
    if (init_path[0] == 0)
      safestrcpy(init_path, word, sizeof(init_path));
    add_arg(&used, word);
    init_argc++;
  }
  add_arg(&used, "HOME=/");
  add_arg(&used, "PATH=/bin:/tests");
  add_arg(&used, "TERM=dumb");
  init_envc = 3;
}

static void init_start(void)
{
  struct proc *p = myproc();
  release(&p->lock);   // held from the scheduler
  printf("[kernel] starting init: %s\n", init_path);
  long r = exec_kernel(init_path, init_args, init_argc, init_envc);
  if (r < 0) {
    printf("[kernel] cannot run init %s: error %d\n", init_path, (int)r);
    power_off(127);   // like a shell's "command not found"
  }
  usertrapret();
}

void userinit(const char *cmdline)
{
  parse_init(cmdline);
  struct proc *p = allocproc();
  if (!p)
    panic("userinit: no task");
  initproc = p;
  memset(p->trapframe, 0, PGSIZE);
  p->context.ra = (uint64)init_start;
  p->group = tgroup_alloc(p);
  p->files = files_alloc();
  p->sighand = sighand_alloc();
  p->mm = mm_alloc();
  p->fs = fs_alloc(fs_root);
  if (!p->group || !p->files || !p->sighand || !p->mm || !p->fs)
    panic("userinit: out of memory");
  p->tf_slot = mm_map_trapframe(p->mm, p->trapframe);
  console_open_stdio(p->files);
  safestrcpy(p->name, "init", sizeof(p->name));
  p->state = RUNNABLE;
  release(&p->lock);
}
