// stress: fork, exec and wait in a loop, several children at once, and
// orphans reparented to init.
#include <errno.h>
#include <sys/wait.h>
#include "tlib.h"

#define ROUNDS 12
#define WIDTH 4

int main(void)
{
  tstart("stress");
  long procs = task_count();
  for (int r = 0; r < ROUNDS; r++) {
    pid_t pids[WIDTH];
    for (int i = 0; i < WIDTH; i++) {
      pids[i] = fork();
      CHECK(pids[i] >= 0, "fork: errno %d", errno);
      if (pids[i] == 0) {
        char code[8];
        snprintf(code, sizeof(code), "%d", (r * WIDTH + i) % 50);
        char *argv[] = {"true", code, 0};
        execv("/bin/true", argv);
        _exit(99);
      }
    }
    // Reap in reverse order of creation, by pid.
    for (int i = WIDTH - 1; i >= 0; i--) {
      int st;
      CHECK(waitpid(pids[i], &st, 0) == pids[i], "waitpid %d: errno %d", pids[i], errno);
      CHECK(WIFEXITED(st) && WEXITSTATUS(st) == (r * WIDTH + i) % 50, "child %d status %#x",
            i, st);
    }
  }
  // A child that forks a grandchild and exits at once: the grandchild is
  // reparented to init, which reaps it; we only see our child.
  pid_t pid = fork();
  if (pid == 0) {
    if (fork() == 0) {
      char *argv[] = {"true", 0};
      execv("/bin/true", argv);
      _exit(99);
    }
    _exit(0);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "middle child");
  CHECK(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "the grandchild is still ours");
  // Any-child wait collects everything.
  for (int i = 0; i < WIDTH; i++)
    if (fork() == 0)
      _exit(i);
  int seen = 0;
  for (int i = 0; i < WIDTH; i++) {
    CHECK(wait(&st) > 0, "wait: errno %d", errno);
    seen |= 1 << WEXITSTATUS(st);
  }
  CHECK(seen == (1 << WIDTH) - 1, "exit statuses seen %#x", seen);
  CHECK(wait(&st) < 0 && errno == ECHILD, "wait with no children: errno %d", errno);
  // Give init a moment to reap the orphan, then the task count is back.
  for (int i = 0; i < 50 && task_count() > procs; i++)
    usleep(2000);
  CHECK(task_count() == procs, "tasks: %ld before, %ld after", procs, task_count());
  tpass();
}
