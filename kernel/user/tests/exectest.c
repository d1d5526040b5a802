// exectest: execve passes argv and envp through intact; the auxiliary
// vector is there; exec errors come back as errno.
#include <errno.h>
#include <spawn.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include "tlib.h"

extern char **environ;
static char long_arg[3000];

static void child(int argc, char **argv)
{
  tstart("exectest(child)");
  CHECK(argc == 5, "argc %d", argc);
  CHECK(strcmp(argv[0], "exectest") == 0, "argv[0] %s", argv[0]);
  CHECK(strcmp(argv[2], "two words") == 0, "argv[2] %s", argv[2]);
  CHECK(strcmp(argv[3], "") == 0, "argv[3] not empty");
  memset(long_arg, 'L', sizeof(long_arg) - 1);
  CHECK(strcmp(argv[4], long_arg) == 0, "argv[4] (%zu bytes) damaged", strlen(argv[4]));
  CHECK(argv[5] == 0, "argv not NULL-terminated");
  CHECK(getenv("FOO") && strcmp(getenv("FOO"), "bar") == 0, "FOO=%s", getenv("FOO"));
  CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0, "EMPTY missing");
  CHECK(!getenv("HOME"), "environment leaked through execve");
  CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ %lu", getauxval(AT_PAGESZ));
  CHECK(getauxval(AT_PHNUM) > 0 && getauxval(AT_PHDR) != 0, "AT_PHDR/AT_PHNUM missing");
  CHECK(getauxval(AT_ENTRY) != 0, "AT_ENTRY missing");
  CHECK(getauxval(AT_RANDOM) != 0, "AT_RANDOM missing");
  CHECK((getauxval(AT_HWCAP) & (1 << ('I' - 'A'))) != 0, "AT_HWCAP lacks I");
  CHECK(getauxval(AT_SECURE) == 0, "AT_SECURE set");
  _exit(0);
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "child") == 0)
    child(argc, argv);
  tstart("exectest");
  memset(long_arg, 'L', sizeof(long_arg) - 1);
  char *cargv[] = {"exectest", "child", "two words", "", long_arg, 0};
  char *cenvp[] = {"FOO=bar", "EMPTY=", 0};
  pid_t pid = fork();
  if (pid == 0) {
    execve("/tests/exectest", cargv, cenvp);
    printf("execve: errno %d\n", errno);
    _exit(99);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
  char *noargs[] = {"x", 0};
  CHECK(execve("/tests/nonexistent", noargs, cenvp) < 0 && errno == ENOENT, "missing file: %d",
        errno);
  CHECK(execve("/etc/tests", noargs, cenvp) < 0 && errno == ENOEXEC, "non-ELF: %d", errno);
  CHECK(execve("/tests", noargs, cenvp) < 0 && errno == EACCES, "directory: %d", errno);
  CHECK(syscall(SYS_execve, 8, noargs, cenvp) < 0 && errno == EFAULT, "bad path pointer: %d", errno);
  char *badv[] = {"x", (char *)16, 0};
  CHECK(execve("/tests/exectest", badv, cenvp) < 0 && errno == EFAULT, "bad argv entry: %d",
        errno);
  // exec replaces the image: a child that execs /bin/true exits 0; with an
  // argument, its status is that number.
  pid = fork();
  if (pid == 0) {
    char *tv[] = {"true", "7", 0};
    execve("/bin/true", tv, cenvp);
    _exit(99);
  }
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7, "true 7: %#x", st);
  // posix_spawn: clone(CLONE_VM | CLONE_VFORK) on its own stack, then exec
  char *sv[] = {"true", "9", 0};
  CHECK(posix_spawn(&pid, "/bin/true", 0, 0, sv, cenvp) == 0, "posix_spawn");
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9, "spawned: %#x", st);
  CHECK(posix_spawn(&pid, "/bin/nonexistent", 0, 0, sv, cenvp) == ENOENT,
        "posix_spawn of a missing file");
  tpass();
}
