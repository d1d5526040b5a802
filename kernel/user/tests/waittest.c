// waittest: wait4 semantics: WNOHANG, a specific pid, any child (-1 and 0),
// ECHILD, the raw status words for exit and for signals, SIGCHLD's siginfo,
// a zombie kept until it is reaped, orphans reparented to init (which
// reaps them), a thread reaping its process's children, and a thread group
// seen as one child through its leader.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "tlib.h"

static volatile int chld_count, chld_pid, chld_code, chld_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
  (void)sig;
  (void)uc;
  chld_pid = si->si_pid;
  chld_code = si->si_code;
  chld_status = si->si_status;
  chld_count++;
}

// A child that blocks until the pipe is written (or closed), then exits with code.
static pid_t gated_child(int gate[2], int code)
{
  CHECK(pipe(gate) == 0, "pipe");
  pid_t pid = fork();
  CHECK(pid >= 0, "fork: errno %d", errno);
  if (pid == 0) {
    close(gate[1]);
    char c;
    (void)read(gate[0], &c, 1);
    _exit(code);
  }
  close(gate[0]);
  return pid;
}

static void release_child(int gate[2])
{
  CHECK(write(gate[1], "go", 1) == 1, "write");
  close(gate[1]);
}

static void nohang_and_status_words(void)
{
  int gate[2], st = -1;
  pid_t pid = gated_child(gate, 0x1ff);   // only the low 8 bits survive
  EXPECT_EQ(waitpid(pid, &st, WNOHANG), 0);
  EXPECT_EQ(waitpid(-1, &st, WNOHANG), 0);
  CHECK(st == -1, "WNOHANG with nothing to reap wrote the status (%#x)", st);
  release_child(gate);
  struct rusage ru;
  EXPECT_EQ(wait4(pid, &st, 0, &ru), pid);
  CHECK(st == 0xff00 && WIFEXITED(st) && WEXITSTATUS(st) == 0xff, "exit status word %#x", st);
  // killed by a signal: the signal number alone
  pid = gated_child(gate, 0);
  EXPECT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(waitpid(pid, &st, 0), pid);
  CHECK(st == SIGKILL && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL word %#x", st);
  close(gate[1]);
  pid = gated_child(gate, 0);
  EXPECT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(waitpid(pid, &st, 0), pid);
  CHECK(st == SIGTERM, "SIGTERM word %#x", st);
  close(gate[1]);
}

static void which_child(void)
{
  int ga[2], gb[2], gc[2], st;
  pid_t a = gated_child(ga, 1), b = gated_child(gb, 2), c = gated_child(gc, 3);
  release_child(ga);
  release_child(gc);
  // b is still running: waiting for it by pid leaves the others alone
  EXPECT_EQ(waitpid(b, &st, WNOHANG), 0);
  release_child(gb);
  EXPECT_EQ(waitpid(b, &st, 0), b);
  CHECK(WEXITSTATUS(st) == 2, "b's status %#x", st);
  int seen = 0;
  for (int i = 0; i < 2; i++) {
    pid_t got = waitpid(i == 0 ? -1 : 0, &st, 0);   // any child; 0: our process group
    CHECK(got == a || got == c, "reaped %d, want %d or %d", got, a, c);
    CHECK(WEXITSTATUS(st) == (got == a ? 1 : 3), "status %#x of %d", st, got);
    seen |= got == a ? 1 : 2;
  }
  CHECK(seen == 3, "reaped the same child twice");
  CHECK(waitpid(a, &st, 0) < 0 && errno == ECHILD, "a reaped twice: errno %d", errno);
  CHECK(waitpid(1, &st, 0) < 0 && errno == ECHILD, "init is not our child: errno %d", errno);
  CHECK(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "no children: errno %d", errno);
}

// SIGCHLD arrives with the child's pid and status; until reaped the child is
// a zombie that still holds its task slot.
static void zombie_and_sigchld(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGCHLD, &sa, 0);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  long tasks = task_count();
  chld_count = 0;
  pid_t pid = fork();
  if (pid == 0)
    _exit(42);
  while (chld_count == 0)
    sigsuspend(&old);
  CHECK(chld_pid == pid && chld_code == CLD_EXITED && chld_status == 42,
        "SIGCHLD info: pid %d code %d status %d", chld_pid, chld_code, chld_status);
  CHECK(task_count() == tasks + 1, "the zombie does not hold its slot: %ld tasks, %ld before",
        task_count(), tasks);
  int st;
  EXPECT_EQ(waitpid(pid, &st, 0), pid);
  CHECK(WEXITSTATUS(st) == 42, "zombie's status %#x", st);
  CHECK(task_count() == tasks, "reaping left %ld tasks, %ld before", task_count(), tasks);
  // killed: CLD_KILLED with the signal
  chld_count = 0;
  int gate[2];
  pid = gated_child(gate, 0);
  kill(pid, SIGTERM);
  while (chld_count == 0)
    sigsuspend(&old);
  CHECK(chld_pid == pid && chld_code == CLD_KILLED && chld_status == SIGTERM,
        "SIGCHLD for a kill: pid %d code %d status %d", chld_pid, chld_code, chld_status);
  EXPECT_EQ(waitpid(pid, &st, 0), pid);
  close(gate[1]);
  sigprocmask(SIG_SETMASK, &old, 0);
  signal(SIGCHLD, SIG_DFL);
}

// A child forks a grandchild and exits: the grandchild's parent becomes
// init (pid 1), which reaps it when it exits.
static void orphans(void)
{
  long tasks = task_count();
  int report[2];
  CHECK(pipe(report) == 0, "pipe");
  pid_t pid = fork();
  if (pid == 0) {
    if (fork() == 0) {
      for (int i = 0; i < 2000 && getppid() != 1; i++)
        usleep(500);
      int ppid = getppid();
      (void)write(report[1], &ppid, sizeof(ppid));
      _exit(0);
    }
    _exit(0);
  }
  close(report[1]);
  int st, ppid = 0;
  EXPECT_EQ(waitpid(pid, &st, 0), pid);
  CHECK(read(report[0], &ppid, sizeof(ppid)) == sizeof(ppid), "no report from the orphan");
  CHECK(ppid == 1, "the orphan's parent is %d, not init", ppid);
  close(report[0]);
  CHECK(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "the orphan is still our child");
  for (int i = 0; i < 2000 && task_count() > tasks; i++)
    usleep(500);
  CHECK(task_count() == tasks, "init did not reap the orphan: %ld tasks, %ld before",
        task_count(), tasks);
}

static pid_t forked_by_main;

static void *reap_from_thread(void *arg)
{
  (void)arg;
  int st;
  pid_t got = waitpid(forked_by_main, &st, 0);
  return (void *)(long)(got == forked_by_main && WEXITSTATUS(st) == 6);
}

static int leader_gate[2];

static void *outlive_leader(void *arg)
{
  (void)arg;
  char c;
  (void)read(leader_gate[0], &c, 1);
  exit(9);
}

static void threads(void)
{
  // any thread of a process reaps the children of the process
  int gate[2];
  forked_by_main = gated_child(gate, 6);
  pthread_t t;
  pthread_create(&t, 0, reap_from_thread, 0);
  release_child(gate);
  void *ok;
  pthread_join(t, &ok);
  CHECK(ok == (void *)1, "a thread could not reap its process's child");
  // a child whose leader has gone while a thread lives on is not done yet
  CHECK(pipe(leader_gate) == 0, "pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(leader_gate[1]);
    pthread_create(&t, 0, outlive_leader, 0);
    pthread_exit(0);
  }
  close(leader_gate[0]);
  int st;
  for (int i = 0; i < 20; i++) {
    EXPECT_EQ(waitpid(pid, &st, WNOHANG), 0);
    usleep(500);
  }
  CHECK(write(leader_gate[1], "x", 1) == 1, "write");
  EXPECT_EQ(waitpid(pid, &st, 0), pid);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9, "thread group status %#x", st);
  close(leader_gate[1]);
}

int main(void)
{
  tstart("waittest");
  nohang_and_status_words();
  which_child();
  zombie_and_sigchld();
  orphans();
  threads();
  tpass();
}
