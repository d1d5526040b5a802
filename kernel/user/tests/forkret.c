// forkret: fork returns the child's pid in the parent and 0 in the child,
// each in its own registers (the fork-trapframe bug breaks exactly this).
#include <errno.h>
#include <sys/wait.h>
#include "tlib.h"

int main(void)
{
  tstart("forkret");
  for (int round = 0; round < 3; round++) {
    volatile long marker = 1000 + round;
    pid_t pid = fork();
    if (pid == 0)
      _exit(marker == 1000 + round ? 42 + round : 1);
    CHECK(pid > 0, "fork returned %d in the parent (errno %d)", pid, errno);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid, "waitpid(%d): errno %d", pid, errno);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42 + round, "child status %#x", st);
  }
  tpass();
}
