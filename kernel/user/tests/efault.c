// efault: bad user pointers make system calls fail with EFAULT, never crash
// the kernel: unmapped, kernel, non-canonical, read-only and partly bad
// buffers, for every kind of call that copies from or to user memory.
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/uio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "tlib.h"

#define KERNEL_ADDR ((void *)0x80200000UL)
#define HIGH_ADDR ((void *)0x3ffffff000UL)     // the trampoline: not user-accessible
#define WILD_ADDR ((void *)0xdead000000000000UL)

static void expect_efault(long r, const char *what)
{
  if (r != -1 || errno != EFAULT)
    FAIL("%s: returned %ld errno %d, want EFAULT", what, r, errno);
}

// Every other kind of system call that copies to or from user memory, with
// the pointer argument bad.
static void more_calls(void *b, int dirfd, int shmid)
{
  struct iovec bad_base = {b, 16};
  char ok[64];
  struct iovec good_then_bad[2] = {{ok, 0}, {b, 16}};
  expect_efault(syscall(SYS_readv, dirfd, b, 1), "readv with a bad iovec array");
  expect_efault(syscall(SYS_writev, 1, b, 1), "writev with a bad iovec array");
  expect_efault(syscall(SYS_writev, 1, &bad_base, 1), "writev from a bad buffer");
  expect_efault(syscall(SYS_writev, 1, good_then_bad, 2), "writev, second buffer bad");
  int fd = open("/etc/tests", O_RDONLY);
  expect_efault(syscall(SYS_readv, fd, &bad_base, 1), "readv into a bad buffer");
  expect_efault(syscall(SYS_pread64, fd, b, 8, 0), "pread64 into a bad buffer");
  close(fd);
  expect_efault(syscall(SYS_newfstatat, AT_FDCWD, b, ok, 0), "newfstatat of a bad path");
  expect_efault(syscall(SYS_newfstatat, AT_FDCWD, "/etc/tests", b, 0), "newfstatat into bad");
  expect_efault(syscall(SYS_faccessat, AT_FDCWD, b, R_OK), "faccessat of a bad path");
  expect_efault(syscall(SYS_chdir, b), "chdir to a bad path");
  expect_efault(syscall(SYS_readlinkat, AT_FDCWD, b, ok, sizeof(ok)), "readlinkat bad path");
  expect_efault(syscall(SYS_getdents64, dirfd, b, 512), "getdents64 into a bad buffer");
  expect_efault(syscall(SYS_getcwd, b, 64), "getcwd into a bad buffer");
  expect_efault(syscall(SYS_ioctl, 0, TCGETS, b), "ioctl TCGETS into a bad buffer");
  expect_efault(syscall(SYS_gettimeofday, b, 0), "gettimeofday");
  expect_efault(syscall(SYS_clock_getres, CLOCK_MONOTONIC, b), "clock_getres");
  expect_efault(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, b, 0), "clock_nanosleep");
  expect_efault(syscall(SYS_getrandom, b, 16, 0), "getrandom");
  expect_efault(syscall(SYS_prlimit64, 0, RLIMIT_STACK, 0, b), "prlimit64 old limit");
  expect_efault(syscall(SYS_getrlimit, RLIMIT_NOFILE, b), "getrlimit");
  expect_efault(syscall(SYS_sched_getaffinity, 0, 8, b), "sched_getaffinity");
  expect_efault(syscall(SYS_getcpu, b, 0, 0), "getcpu");
  expect_efault(syscall(SYS_sysinfo, b), "sysinfo");
  expect_efault(syscall(SYS_times, b), "times");
  expect_efault(syscall(SYS_getrusage, RUSAGE_SELF, b), "getrusage");
  expect_efault(syscall(SYS_rt_sigaction, SIGUSR1, b, 0, 8), "rt_sigaction new action");
  expect_efault(syscall(SYS_rt_sigaction, SIGUSR1, 0, b, 8), "rt_sigaction old action");
  expect_efault(syscall(SYS_rt_sigprocmask, SIG_BLOCK, b, 0, 8), "rt_sigprocmask set");
  expect_efault(syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, b, 8), "rt_sigprocmask old set");
  expect_efault(syscall(SYS_rt_sigpending, b, 8), "rt_sigpending");
  expect_efault(syscall(SYS_rt_sigsuspend, b, 8), "rt_sigsuspend");
  expect_efault(syscall(SYS_sigaltstack, 0, b), "sigaltstack old stack");
  expect_efault(syscall(SYS_get_robust_list, 0, b, ok), "get_robust_list head");
  expect_efault(syscall(SYS_prctl, PR_SET_NAME, b), "prctl PR_SET_NAME");
  expect_efault(syscall(SYS_prctl, PR_GET_NAME, b), "prctl PR_GET_NAME");
  expect_efault(syscall(SYS_ppoll, b, 1, 0, 0), "ppoll fds");
  expect_efault(syscall(SYS_shmctl, shmid, IPC_STAT, b), "shmctl IPC_STAT");
  expect_efault(syscall(SYS_execve, "/bin/true", b, 0), "execve argv array");
  expect_efault(syscall(SYS_futex, b, FUTEX_WAKE, 1, 0, 0, 0), "futex word");
}

int main(void)
{
  tstart("efault");
  void *bad[] = {(void *)8, KERNEL_ADDR, HIGH_ADDR, WILD_ADDR};
  int dirfd = open("/tests", O_RDONLY | O_DIRECTORY);
  int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  CHECK(dirfd >= 0 && shmid >= 0, "open /tests, shmget");
  // wait4 needs a child to get as far as copying the rusage
  pid_t child = fork();
  if (child == 0)
    _exit(0);
  while (syscall(SYS_wait4, child, 0, 0, KERNEL_ADDR) != -1)
    ;
  CHECK(errno == EFAULT, "wait4 with a bad rusage: errno %d", errno);
  CHECK(waitpid(child, 0, 0) == child, "wait4 with a bad rusage lost the child");
  for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    void *b = bad[i];
    expect_efault(syscall(SYS_write, 1, b, 10), "write from a bad buffer");
    int fd = open("/etc/tests", O_RDONLY);
    expect_efault(syscall(SYS_read, fd, b, 10), "read into a bad buffer");
    close(fd);
    expect_efault(syscall(SYS_openat, AT_FDCWD, b, O_RDONLY), "open of a bad path");
    expect_efault(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, b), "clock_gettime");
    expect_efault(syscall(SYS_fstat, 0, b), "fstat");
    expect_efault(syscall(SYS_pipe2, b, 0), "pipe2");
    expect_efault(syscall(SYS_uname, b), "uname");
    expect_efault(syscall(SYS_nanosleep, b, 0), "nanosleep");
    more_calls(b, dirfd, shmid);
  }
  close(dirfd);
  shmctl(shmid, IPC_RMID, 0);
  // A read-only page is a bad destination.
  char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(ro != MAP_FAILED, "mmap");
  expect_efault(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro), "clock_gettime into PROT_READ");
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  CHECK(write(fds[1], "abc", 3) == 3, "write");
  expect_efault(syscall(SYS_read, fds[0], ro, 3), "read into a read-only page");
  // A buffer that runs off the end of a mapping.
  char *two = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(two != MAP_FAILED, "mmap");
  munmap(two + 4096, 4096);
  long r = syscall(SYS_write, fds[1], two + 4000, 200);
  CHECK(r == -1 && errno == EFAULT, "write crossing into a hole: %ld errno %d", r, errno);
  // An untouched lazy page is fine as a source (it reads as zeros).
  char *lazy = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(write(fds[1], lazy, 16) == 16, "write from a lazy page");
  // wait4 with a bad status pointer reaps nothing and says EFAULT.
  pid_t pid = fork();
  if (pid == 0)
    _exit(3);
  expect_efault(syscall(SYS_wait4, pid, KERNEL_ADDR, 0, 0), "wait4 status");
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3, "the child was lost");
  // An unknown system call is ENOSYS (and logged once in the kernel's log).
  CHECK(syscall(999) == -1 && errno == ENOSYS, "syscall 999: errno %d", errno);
  CHECK(syscall(999) == -1 && errno == ENOSYS, "syscall 999 again: errno %d", errno);
  // Still alive and well.
  struct timespec ts;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "clock_gettime");
  tpass();
}
