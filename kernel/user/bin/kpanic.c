// kpanic MSG [PROGRAM ARG...]: run PROGRAM (if given) to its end, then make
// the kernel panic with MSG through trapscope's kinfo call, so tests can
// read the panic record and the log ring from a halted machine.
#include <sys/wait.h>
#include "tlib.h"

#define KINFO_PANIC 6

int main(int argc, char **argv)
{
  if (argc < 2) {
    printf("usage: kpanic MSG [PROGRAM ARG...]\n");
    return 2;
  }
  if (argc > 2) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      execv(argv[2], argv + 2);
      printf("kpanic: cannot run %s\n", argv[2]);
      _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
      ;
  }
  printf("kpanic: pid %d asks for a panic\n", getpid());
  fflush(stdout);
  long r = syscall(SYS_kinfo, KINFO_PANIC, argv[1]);
  printf("kpanic: the kernel did not panic (%ld)\n", r);
  return 1;
}
