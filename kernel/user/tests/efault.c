// efault: bad user pointers make system calls fail with EFAULT, never crash
// the kernel: unmapped, kernel, non-canonical, read-only and partly bad
// buffers.
#include <errno.h>
#include <fcntl.h>
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

int main(void)
{
  tstart("efault");
  void *bad[] = {(void *)8, KERNEL_ADDR, HIGH_ADDR, WILD_ADDR};
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
  }
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
