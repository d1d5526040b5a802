// System call dispatch: number in a7, arguments in a0..a5, result in a0
// (negative errno on failure), as on Linux riscv64.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "linux.h"
#include "defs.h"

typedef long (*sysfn)(uint64, uint64, uint64, uint64, uint64, uint64);

struct syscall_entry {
  sysfn fn;
  const char *name;
};

// Handlers take their own argument types; the call passes all six registers.
#define SC(nr, f) [SYS_##nr] = {(sysfn)(void (*)(void))(f), #nr}
static const struct syscall_entry syscalls[] = {
  SC(getcwd, sys_getcwd),
  SC(dup, sys_dup),
  SC(dup3, sys_dup3),
  SC(fcntl, sys_fcntl),
  SC(ioctl, sys_ioctl),
  SC(mkdirat, sys_rofs),
  SC(unlinkat, sys_rofs),
  SC(faccessat, sys_faccessat),
  SC(chdir, sys_chdir),
  SC(openat, sys_openat),
  SC(close, sys_close),
  SC(pipe2, sys_pipe2),
  SC(getdents64, sys_getdents64),
  SC(lseek, sys_lseek),
  SC(read, sys_read),
  SC(write, sys_write),
  SC(readv, sys_readv),
  SC(writev, sys_writev),
  SC(pread64, sys_pread64),
  SC(ppoll, sys_ppoll),
  SC(readlinkat, sys_readlinkat),
  SC(newfstatat, sys_newfstatat),
  SC(fstat, sys_fstat),
  SC(exit, sys_exit),
  SC(exit_group, sys_exit_group),
  SC(set_tid_address, sys_set_tid_address),
  SC(futex, sys_futex),
  SC(set_robust_list, sys_set_robust_list),
  SC(get_robust_list, sys_get_robust_list),
  SC(nanosleep, sys_nanosleep),
  SC(clock_gettime, sys_clock_gettime),
  SC(clock_getres, sys_clock_getres),
  SC(clock_nanosleep, sys_clock_nanosleep),
  SC(sched_setaffinity, sys_sched_setaffinity),
  SC(sched_getaffinity, sys_sched_getaffinity),
  SC(sched_yield, sys_sched_yield),
  SC(kill, sys_kill),
  SC(tkill, sys_tkill),
  SC(tgkill, sys_tgkill),
  SC(sigaltstack, sys_sigaltstack),
  SC(rt_sigsuspend, sys_rt_sigsuspend),
  SC(rt_sigaction, sys_rt_sigaction),
  SC(rt_sigprocmask, sys_rt_sigprocmask),
  SC(rt_sigpending, sys_rt_sigpending),
  SC(rt_sigreturn, sys_rt_sigreturn),
  SC(times, sys_times),
  SC(setpgid, sys_setpgid),
  SC(getpgid, sys_getpgid),
  SC(setsid, sys_setsid),
  SC(uname, sys_uname),
  SC(getrlimit, sys_getrlimit),
  SC(setrlimit, sys_setpgid),
  SC(getrusage, sys_getrusage),
  SC(umask, sys_umask),
  SC(prctl, sys_prctl),
  SC(getcpu, sys_getcpu),
  SC(gettimeofday, sys_gettimeofday),
  SC(getpid, sys_getpid),
  SC(getppid, sys_getppid),
  SC(getuid, sys_getuid),
  SC(geteuid, sys_getuid),
  SC(getgid, sys_getuid),
  SC(getegid, sys_getuid),
  SC(gettid, sys_gettid),
  SC(sysinfo, sys_sysinfo),
  SC(shmget, sys_shmget),
  SC(shmctl, sys_shmctl),
  SC(shmat, sys_shmat),
  SC(shmdt, sys_shmdt),
  SC(brk, sys_brk),
  SC(munmap, sys_munmap),
  SC(clone, sys_clone),
  SC(execve, sys_execve),
  SC(mmap, sys_mmap),
  SC(mprotect, sys_mprotect),
  SC(madvise, sys_madvise),
  SC(wait4, sys_wait4),
  SC(prlimit64, sys_prlimit64),
  SC(getrandom, sys_getrandom),
};
#define NSYSCALL ARRAY_SIZE(syscalls)

// Unknown numbers seen so far, each logged once: a bitmap below 512 and a
// short list above (when it is full, numbers above 512 are no longer logged).
static uint64 unknown_seen[8];
static uint64 unknown_high[32];
static int unknown_nhigh;
static struct spinlock unknown_lock = {0, "unknown", 0};

// 1 the first time num is seen.
static int first_unknown(uint64 num)
{
  if (num < 512) {
    uint64 bit = 1UL << (num % 64);
    return !(__atomic_fetch_or(&unknown_seen[num / 64], bit, __ATOMIC_RELAXED) & bit);
  }
  int first = 1;
  acquire(&unknown_lock);
  for (int i = 0; i < unknown_nhigh; i++)
    if (unknown_high[i] == num)
      first = 0;
  if (first && unknown_nhigh < (int)ARRAY_SIZE(unknown_high))
    unknown_high[unknown_nhigh++] = num;
  else
    first = 0;
  release(&unknown_lock);
  return first;
}

static void log_unknown(struct proc *p, uint64 num)
{
  if (first_unknown(num))
    klog_printf("[kernel] pid %d (%s): unknown syscall %ld, returning -ENOSYS\n", p->tgid,
                p->name, (long)num);
}

// Calls that SA_RESTART restarts after a handler when a signal interrupted
// them (-EINTR); the timed ones (nanosleep, futex waits with a timeout)
// return EINTR instead, as on Linux without restart blocks.
static int restartable(uint64 num, uint64 a1, uint64 a3)
{
  switch (num) {
  case SYS_read:
  case SYS_write:
  case SYS_readv:
  case SYS_writev:
  case SYS_wait4:
    return 1;
  case SYS_futex:
    return (a1 & FUTEX_CMD_MASK) == FUTEX_WAIT && a3 == 0;
  default:
    return 0;
  }
}

void syscall(void)
{
  struct proc *p = myproc();
  struct trapframe *tf = p->trapframe;
  uint64 num = tf->a7;
  uint64 a0 = tf->a0, a1 = tf->a1, a3 = tf->a3;
  long ret;
  if (num < NSYSCALL && syscalls[num].fn) {
    ret = syscalls[num].fn(tf->a0, tf->a1, tf->a2, tf->a3, tf->a4, tf->a5);
  } else if (num == SYS_kinfo) {
    ret = sys_kinfo(tf->a0, tf->a1);
  } else {
    log_unknown(p, num);
    ret = -ENOSYS;
  }
  tf->a0 = ret;
  p->restart_syscall = ret == -EINTR && restartable(num, a1, a3);
  p->restart_a0 = a0;
}

const char *syscall_name(uint64 num)
{
  if (num < NSYSCALL && syscalls[num].name)
    return syscalls[num].name;
  return "?";
}
