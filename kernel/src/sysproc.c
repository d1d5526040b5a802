// Process, time and miscellaneous system calls.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "file.h"
#include "kalloc.h"
#include "linux.h"
#include "defs.h"

// CLOCK_REALTIME is boot time plus this fixed epoch: runs are reproducible.
#define REALTIME_EPOCH 1700000000L

uint64 timebase_hz;

uint64 timespec_to_ticks(const struct timespec *ts)
{
  return (uint64)ts->tv_sec * timebase_hz + (uint64)ts->tv_nsec * timebase_hz / 1000000000UL;
}

static void ticks_to_timespec(uint64 t, struct timespec *ts)
{
  ts->tv_sec = t / timebase_hz;
  ts->tv_nsec = (t % timebase_hz) * 1000000000UL / timebase_hz;
}

// An absolute time on clock to a deadline in timebase ticks (at least 1).
uint64 abstime_to_deadline(const struct timespec *ts, int clock)
{
  struct timespec t = *ts;
  if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
    t.tv_sec -= REALTIME_EPOCH;
  if (t.tv_sec < 0)
    return 1;
  uint64 d = timespec_to_ticks(&t);
  return d ? d : 1;
}

long sys_clock_gettime(int clock, uint64 uts)
{
  struct timespec ts;
  uint64 now = time_now();
  if (clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID)
    now = myproc()->utime_ticks * (timebase_hz / TICK_HZ);
  else if (clock < 0 || clock > CLOCK_BOOTTIME)
    return -EINVAL;
  ticks_to_timespec(now, &ts);
  if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
    ts.tv_sec += REALTIME_EPOCH;
  return copyout(myproc()->mm, uts, &ts, sizeof(ts));
}

long sys_clock_getres(int clock, uint64 uts)
{
  (void)clock;
  struct timespec ts = {0, 1000000000L / (long)timebase_hz};
  if (ts.tv_nsec == 0)
    ts.tv_nsec = 1;
  return uts ? copyout(myproc()->mm, uts, &ts, sizeof(ts)) : 0;
}

long sys_gettimeofday(uint64 utv, uint64 utz)
{
  (void)utz;
  struct timespec ts;
  ticks_to_timespec(time_now(), &ts);
  struct timeval tv = {ts.tv_sec + REALTIME_EPOCH, ts.tv_nsec / 1000};
  return utv ? copyout(myproc()->mm, utv, &tv, sizeof(tv)) : 0;
}

// Sleep until deadline; -EINTR with the time left in rem on a signal.
static long sleep_to(uint64 deadline, uint64 rem)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  while (time_now() < deadline && !signal_pending(p) && !p->killed)
    sleep_self(&p->wake_at, deadline, "nanosleep");
  release(&p->lock);
  uint64 now = time_now();
  if (now >= deadline)
    return 0;
  if (rem) {
    struct timespec ts;
    ticks_to_timespec(deadline - now, &ts);
    copyout(p->mm, rem, &ts, sizeof(ts));
  }
  return -EINTR;
}

long sys_nanosleep(uint64 ureq, uint64 urem)
{
  struct timespec ts;
  if (copyin(myproc()->mm, &ts, ureq, sizeof(ts)) < 0)
    return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
    return -EINVAL;
  return sleep_to(time_now() + timespec_to_ticks(&ts) + 1, urem);
}

long sys_clock_nanosleep(int clock, int flags, uint64 ureq, uint64 urem)
{
  struct timespec ts;
  if (copyin(myproc()->mm, &ts, ureq, sizeof(ts)) < 0)
    return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
    return -EINVAL;
  if (flags & TIMER_ABSTIME)
    return sleep_to(abstime_to_deadline(&ts, clock), 0);
  return sleep_to(time_now() + timespec_to_ticks(&ts) + 1, urem);
}

long sys_sched_yield(void)
{
  yield();
  return 0;
}

long sys_getpid(void) { return myproc()->tgid; }
long sys_gettid(void) { return myproc()->tid; }
long sys_getuid(void) { return 0; }

long sys_getppid(void)
{
  acquire(&wait_lock);
  struct proc *parent = myproc()->group->leader->parent;
  long r = parent ? parent->tgid : 0;
  release(&wait_lock);
  return r;
}

long sys_exit(int code)
{
  task_exit((code & 0xff) << 8, 0);
  return 0;
}

long sys_exit_group(int code)
{
  task_exit((code & 0xff) << 8, 1);
  return 0;
}

long sys_clone(uint64 flags, uint64 newsp, uint64 ptid, uint64 tls, uint64 ctid)
{
  return do_clone(flags, newsp, ptid, tls, ctid);
}

long sys_wait4(long pid, uint64 status, int options, uint64 rusage)
{
  return do_wait4(pid, status, options, rusage);
}

long sys_set_tid_address(uint64 tidptr)
{
  struct proc *p = myproc();
  p->clear_child_tid = tidptr;
  return p->tid;
}

long sys_set_robust_list(uint64 head, uint64 len)
{
  if (len != 24)
    return -EINVAL;
  myproc()->robust_list = head;
  return 0;
}

long sys_get_robust_list(int tid, uint64 head_ptr, uint64 len_ptr)
{
  (void)tid;
  struct proc *p = myproc();
  uint64 len = 24;
  if (put_user64(p->mm, head_ptr, p->robust_list) < 0 || put_user64(p->mm, len_ptr, len) < 0)
    return -EFAULT;
  return 0;
}

long sys_uname(uint64 buf)
{
  struct utsname u;
  memset(&u, 0, sizeof(u));
  safestrcpy(u.sysname, "Linux", sizeof(u.sysname));
  safestrcpy(u.nodename, "trapscope", sizeof(u.nodename));
  safestrcpy(u.release, "6.1.0-trapscope", sizeof(u.release));
  safestrcpy(u.version, "#1 SMP", sizeof(u.version));
  safestrcpy(u.machine, "riscv64", sizeof(u.machine));
  safestrcpy(u.domainname, "(none)", sizeof(u.domainname));
  return copyout(myproc()->mm, buf, &u, sizeof(u));
}

static void rlimit_of(int res, struct rlimit *r)
{
  r->rlim_cur = r->rlim_max = RLIM_INFINITY;
  if (res == RLIMIT_STACK)
    r->rlim_cur = USTACK_MAX;
  else if (res == RLIMIT_NOFILE)
    r->rlim_cur = r->rlim_max = NOFILE;
}

long sys_prlimit64(long pid, int res, uint64 newlim, uint64 oldlim)
{
  (void)pid;
  (void)newlim;
  if (res < 0 || res > 15)
    return -EINVAL;
  struct rlimit r;
  rlimit_of(res, &r);
  return oldlim ? copyout(myproc()->mm, oldlim, &r, sizeof(r)) : 0;
}

long sys_getrlimit(int res, uint64 lim)
{
  return sys_prlimit64(0, res, 0, lim);
}

// A deterministic generator (xorshift64*): runs are repeatable.
static uint64 rng_state = 0x9E3779B97F4A7C15UL;
struct spinlock rng_lock;

void random_bytes(void *buf, uint64 n)
{
  uint8 *b = buf;
  acquire(&rng_lock);
  for (uint64 i = 0; i < n; i++) {
    if (i % 8 == 0) {
      rng_state ^= rng_state >> 12;
      rng_state ^= rng_state << 25;
      rng_state ^= rng_state >> 27;
    }
    b[i] = (rng_state * 0x2545F4914F6CDD1DUL) >> (8 * (i % 8));
  }
  release(&rng_lock);
}

long sys_getrandom(uint64 buf, uint64 len, int flags)
{
  (void)flags;
  uint8 tmp[256];
  uint64 done = 0;
  while (done < len) {
    uint64 m = MIN(len - done, sizeof(tmp));
    random_bytes(tmp, m);
    if (copyout(myproc()->mm, buf + done, tmp, m) < 0)
      return done ? (long)done : -EFAULT;
    done += m;
  }
  return done;
}

long sys_sched_getaffinity(long pid, uint64 size, uint64 mask)
{
  (void)pid;
  if (size < 8)
    return -EINVAL;
  uint64 m = 0;
  for (int i = 0; i < NCPU; i++)
    if (cpus[i].online)
      m |= 1UL << i;
  return copyout(myproc()->mm, mask, &m, 8) < 0 ? -EFAULT : 8;
}

long sys_sched_setaffinity(long pid, uint64 size, uint64 mask)
{
  (void)pid;
  (void)size;
  (void)mask;
  return 0;   // accepted; tasks run on any hart
}

long sys_getcpu(uint64 cpu, uint64 node, uint64 cache)
{
  (void)cache;
  struct proc *p = myproc();
  uint32 c = p->cpu, n = 0;
  if (cpu && copyout(p->mm, cpu, &c, 4) < 0)
    return -EFAULT;
  if (node && copyout(p->mm, node, &n, 4) < 0)
    return -EFAULT;
  return 0;
}

long sys_sysinfo(uint64 info)
{
  uint64 s[14];   // struct sysinfo: uptime, loads[3], totalram, freeram, ...
  memset(s, 0, sizeof(s));
  s[0] = time_now() / timebase_hz;
  s[4] = kmem.nframes * PGSIZE;
  s[5] = kmem.nfree * PGSIZE;
  s[10] = 1;     // procs (low 16 bits) | pad
  ((uint32 *)&s[13])[0] = 1;  // mem_unit
  return copyout(myproc()->mm, info, s, 112);
}

long sys_times(uint64 buf)
{
  uint64 t[4] = {myproc()->utime_ticks, 0, 0, 0};
  if (buf && copyout(myproc()->mm, buf, t, sizeof(t)) < 0)
    return -EFAULT;
  return time_now() / (timebase_hz / TICK_HZ);
}

// struct rusage: ru_utime, ru_stime (struct timeval), then 14 longs of
// which ru_nvcsw and ru_nivcsw are the last two.
struct rusage_linux {
  struct timeval utime, stime;
  long rest[12];
  long nvcsw, nivcsw;
};

static void add_usage(struct rusage_linux *r, const struct proc *t)
{
  uint64 us = r->utime.tv_sec * 1000000 + r->utime.tv_usec + t->utime_ticks * (1000000 / TICK_HZ);
  r->utime.tv_sec = us / 1000000;
  r->utime.tv_usec = us % 1000000;
  r->nvcsw += t->nvcsw;
  r->nivcsw += t->nivcsw;
}

// getrusage: RUSAGE_SELF sums the live threads of the process,
// RUSAGE_THREAD is the caller alone; children are not accounted (zeros).
long sys_getrusage(int who, uint64 buf)
{
  struct proc *p = myproc();
  struct rusage_linux r;
  memset(&r, 0, sizeof(r));
  if (who == RUSAGE_THREAD) {
    add_usage(&r, p);
  } else if (who == RUSAGE_SELF) {
    for (struct proc *t = proc; t < &proc[NPROC]; t++)
      if (t->group == p->group && t->state != UNUSED)
        add_usage(&r, t);
  } else if (who != RUSAGE_CHILDREN) {
    return -EINVAL;
  }
  return copyout(p->mm, buf, &r, sizeof(r));
}

long sys_umask(int mask)
{
  (void)mask;
  return 022;
}

long sys_prctl(int option, uint64 arg2)
{
  struct proc *p = myproc();
  if (option == 15) {   // PR_SET_NAME
    char name[16];
    if (copyinstr(p->mm, name, arg2, sizeof(name)) < 0)
      return -EFAULT;
    safestrcpy(p->name, name, sizeof(p->name));
    return 0;
  }
  if (option == 16)     // PR_GET_NAME
    return copyout(p->mm, arg2, p->name, sizeof(p->name));
  return -EINVAL;
}

long sys_setpgid(void) { return 0; }
long sys_getpgid(void) { return myproc()->tgid; }
long sys_setsid(void) { return myproc()->tgid; }

// ppoll: only what libc needs without real polling: no fds means sleep
// (pause), and descriptors are reported ready at once.
long sys_ppoll(uint64 fds, uint64 nfds, uint64 tmo, uint64 sigmask)
{
  (void)sigmask;
  struct proc *p = myproc();
  if (nfds == 0) {
    if (!tmo)
      return sys_pause();
    struct timespec ts;
    if (copyin(p->mm, &ts, tmo, sizeof(ts)) < 0)
      return -EFAULT;
    long r = sleep_to(time_now() + timespec_to_ticks(&ts) + 1, 0);
    return r == 0 ? 0 : r;
  }
  int ready = 0;
  for (uint64 i = 0; i < nfds; i++) {
    int16 ev[4];   // int fd; short events; short revents
    if (copyin(p->mm, ev, fds + i * 8, 8) < 0)
      return -EFAULT;
    ev[3] = ev[2] & 0x5;   // POLLIN | POLLOUT as asked
    if (ev[3])
      ready++;
    if (copyout(p->mm, fds + i * 8, ev, 8) < 0)
      return -EFAULT;
  }
  return ready;
}

// trapscope's own call for tests: free frames, task count, power off, ...
long sys_kinfo(int what, long arg)
{
  if (what == KINFO_FREE_FRAMES) {
    uint64 n = kalloc_nfree();
    if (arg)
      printf("[kernel] free frames: %d\n", (int)n);
    return n;
  }
  if (what == KINFO_NPROC) {
    int n = 0;
    for (struct proc *p = proc; p < &proc[NPROC]; p++)
      if (p->state != UNUSED)
        n++;
    return n;
  }
  if (what == KINFO_POWEROFF)
    power_off(arg);
  if (what == KINFO_FUTEX_WAITERS)
    return futex_count_waiters(myproc()->mm, arg);
  if (what == KINFO_PANIC) {
    char why[128];
    if (copyinstr(myproc()->mm, why, arg, sizeof(why)) < 0)
      return -EFAULT;
    panic("%s (asked by pid %d)", why, myproc()->tgid);
  }
  if (what == KINFO_TASK_SLEEP) {
    // One consistent look (under p->lock, where kill and signal delivery
    // change these): a task asleep in an interruptible call (sleep_intr)
    // with KINFO_TASK_KILLED or KINFO_TASK_SIGNAL has lost its wakeup.
    for (struct proc *p = proc; p < &proc[NPROC]; p++) {
      if (p->state == UNUSED || p->tid != arg)
        continue;
      acquire(&p->lock);
      long r = -ESRCH;
      if (p->state != UNUSED && p->tid == arg)
        r = (p->state == SLEEPING ? KINFO_TASK_SLEEPING : 0) |
            (p->killed ? KINFO_TASK_KILLED : 0) | (signal_pending(p) ? KINFO_TASK_SIGNAL : 0);
      release(&p->lock);
      return r;
    }
    return -ESRCH;
  }
  if (what == KINFO_HARTS) {
    int n = 0;
    for (int i = 0; i < NCPU; i++)
      n += cpus[i].online;
    return n;
  }
  return -EINVAL;
}
