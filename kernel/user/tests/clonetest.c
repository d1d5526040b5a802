// clonetest: clone's flags one by one, through glibc's clone() on our own
// stacks: CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD,
// CLONE_SYSVSEM, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID,
// CLONE_CHILD_CLEARTID (0 written and a futex wake at exit), each shared
// with the flag and not shared without it; invalid combinations; clone3
// answering ENOSYS; set_robust_list/get_robust_list; a thread's own exit.
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include "tlib.h"

#define STACK 16384
#define PTHREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
                       CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static char stacks[2][STACK] __attribute__((aligned(16)));
static uint64_t fake_tls[16];

// System calls without errno: a child with a borrowed or fake TLS pointer
// must not touch TLS.
static long raw(long n, long a, long b, long c, long d)
{
  register long a0 asm("a0") = a;
  register long a1 asm("a1") = b;
  register long a2 asm("a2") = c;
  register long a3 asm("a3") = d;
  register long a7 asm("a7") = n;
  asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a7) : "memory");
  return a0;
}

struct seen {
  uint64_t tp;
  long tid, pid, fd, chdir, sigaction;
  volatile int ready;
  volatile uint32_t go;
};

static void on_usr2(int sig) { (void)sig; }

// What every child does: look at itself, change what the flags may share.
static void probe(struct seen *s, const char *dir)
{
  asm volatile("mv %0, tp" : "=r"(s->tp));
  s->tid = raw(SYS_gettid, 0, 0, 0, 0);
  s->pid = raw(SYS_getpid, 0, 0, 0, 0);
  s->chdir = raw(SYS_chdir, (long)dir, 0, 0, 0);
  s->fd = raw(SYS_openat, AT_FDCWD, (long)"/etc/tests", O_RDONLY, 0);
  uint64_t act[3] = {(uint64_t)on_usr2, 0, 0};   // riscv64's sigaction: handler, flags, mask
  s->sigaction = raw(SYS_rt_sigaction, SIGUSR2, (long)act, 0, 8);
}

static int thread_child(void *arg)
{
  struct seen *s = arg;
  probe(s, "/tests");
  __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
  while (__atomic_load_n(&s->go, __ATOMIC_ACQUIRE) == 0)
    raw(SYS_futex, (long)&s->go, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, 0);
  return 0;   // glibc's clone() then makes the exit system call
}

static int process_child(void *arg)
{
  probe(arg, "/bin");
  return 7;
}

static int shares_usr2_handler(void)
{
  struct sigaction old;
  sigaction(SIGUSR2, 0, &old);
  return old.sa_handler == on_usr2;
}

static void pthread_flags(void)
{
  static struct seen s;
  pid_t ptid = 0, ctid = -1;
  int tid = clone(thread_child, stacks[0] + STACK, PTHREAD_FLAGS, &s, &ptid, fake_tls, &ctid);
  CHECK(tid > 0, "clone: errno %d", errno);
  CHECK(ptid == tid, "CLONE_PARENT_SETTID wrote %d, tid %d", ptid, tid);
  while (!__atomic_load_n(&s.ready, __ATOMIC_ACQUIRE))
    sched_yield();
  CHECK(s.tp == (uint64_t)fake_tls, "CLONE_SETTLS: tp %#lx, want %p", s.tp, (void *)fake_tls);
  CHECK(s.tid == tid && s.pid == getpid(), "CLONE_THREAD: tid %ld pid %ld (want %d %d)", s.tid,
        s.pid, tid, getpid());
  char cwd[64];
  CHECK(s.chdir == 0 && getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tests") == 0,
        "CLONE_FS: the thread's chdir left us in %s", cwd);
  CHECK(s.fd >= 0 && fcntl(s.fd, F_GETFD) >= 0, "CLONE_FILES: fd %ld not ours", s.fd);
  close(s.fd);
  CHECK(s.sigaction == 0 && shares_usr2_handler(), "CLONE_SIGHAND: handler not shared");
  signal(SIGUSR2, SIG_DFL);
  CHECK(chdir("/") == 0, "chdir");
  int st;
  CHECK(waitpid(tid, &st, WNOHANG) < 0 && errno == ECHILD, "a thread is waitable: errno %d",
        errno);
  CHECK(ctid == -1, "child_tid %d before the thread exits", ctid);
  __atomic_store_n(&s.go, 1, __ATOMIC_RELEASE);
  syscall(SYS_futex, &s.go, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0);
  // CLONE_CHILD_CLEARTID: 0 written at exit, and a FUTEX_WAKE on it
  int v;
  while ((v = __atomic_load_n(&ctid, __ATOMIC_ACQUIRE)) != 0)
    syscall(SYS_futex, &ctid, FUTEX_WAIT, v, 0, 0, 0);
  CHECK(ptid == tid, "parent_tid changed to %d", ptid);
}

static void nothing_shared(void)
{
  static struct seen s;
  int ctid = 0;
  int pid = clone(process_child, stacks[1] + STACK, CLONE_VM | CLONE_CHILD_SETTID | SIGCHLD, &s,
                  0, 0, &ctid);
  CHECK(pid > 0, "clone: errno %d", errno);
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
        "a clone with SIGCHLD is a waitable child: %#x", st);
  CHECK(s.tid == pid && s.pid == pid, "a new process: tid %ld pid %ld, clone gave %d", s.tid,
        s.pid, pid);
  CHECK(ctid == pid, "CLONE_CHILD_SETTID wrote %d", ctid);
  CHECK(s.tp == (uint64_t)__builtin_thread_pointer(), "without CLONE_SETTLS tp changed");
  char cwd[64];
  CHECK(s.chdir == 0 && getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0,
        "no CLONE_FS, yet the child's chdir moved us to %s", cwd);
  CHECK(s.fd >= 0 && fcntl(s.fd, F_GETFD) < 0 && errno == EBADF,
        "no CLONE_FILES, yet the child's fd %ld is ours", s.fd);
  CHECK(s.sigaction == 0 && !shares_usr2_handler(), "no CLONE_SIGHAND, yet the handler is shared");
}

static void *exits_alone(void *arg)
{
  (void)arg;
  syscall(SYS_exit, 5);   // this thread only
  return (void *)1;
}

static void bad_calls(void)
{
  CHECK(syscall(SYS_clone, CLONE_THREAD | SIGCHLD, 0, 0, 0, 0) < 0 && errno == EINVAL,
        "CLONE_THREAD without CLONE_SIGHAND: errno %d", errno);
  CHECK(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0) < 0 && errno == EINVAL,
        "CLONE_SIGHAND without CLONE_VM: errno %d", errno);
  uint64_t args[11] = {0};
  CHECK(syscall(SYS_clone3, args, sizeof(args)) < 0 && errno == ENOSYS,
        "clone3: errno %d (glibc falls back to clone on ENOSYS)", errno);
  // glibc registered its robust list at start; it is accepted and kept
  void *head;
  size_t len;
  CHECK(syscall(SYS_get_robust_list, 0, &head, &len) == 0 && head && len == 24,
        "get_robust_list: %p %zu", head, len);
  uint64_t mine[3];
  EXPECT_EQ(syscall(SYS_set_robust_list, mine, 24), 0);
  void *now;
  CHECK(syscall(SYS_get_robust_list, 0, &now, &len) == 0 && now == mine, "robust list %p", now);
  CHECK(syscall(SYS_set_robust_list, mine, 23) < 0 && errno == EINVAL, "bad length: errno %d",
        errno);
  EXPECT_EQ(syscall(SYS_set_robust_list, head, 24), 0);
  pthread_t t;
  void *ret = 0;
  pthread_create(&t, 0, exits_alone, 0);
  CHECK(pthread_join(t, &ret) == 0 && ret == 0, "a thread's exit: join gave %p", ret);
}

int main(void)
{
  tstart("clonetest");
  pthread_flags();
  nothing_shared();
  bad_calls();
  tpass();
}
