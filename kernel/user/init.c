// /init: the test runner, then a tiny shell on the console.
//
//   /init tests            run every test in /etc/tests, print a summary,
//                          exit with the number of failures
//   /init tests:a,b        only those tests
//   /init shell            only the shell
//   /init                  run every test, then the shell
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include "tlib.h"

#define MAXTESTS 64

static int load_tests(char names[][32], const char *only)
{
  int n = 0;
  if (only) {
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", only);
    for (char *s = strtok(buf, ","); s && n < MAXTESTS; s = strtok(0, ","))
      snprintf(names[n++], 32, "%s", s);
    return n;
  }
  FILE *f = fopen("/etc/tests", "r");
  if (!f) {
    printf("init: cannot open /etc/tests\n");
    return 0;
  }
  char line[64];
  while (n < MAXTESTS && fgets(line, sizeof(line), f)) {
    line[strcspn(line, "\n")] = 0;
    if (line[0])
      snprintf(names[n++], 32, "%s", line);
  }
  fclose(f);
  return n;
}

// Run /tests/NAME; 1 if it exited 0.
static int run_test(const char *name)
{
  char path[64];
  snprintf(path, sizeof(path), "/tests/%s", name);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    printf("FAIL %s: fork: %s\n", name, strerror(errno));
    return 0;
  }
  if (pid == 0) {
    char *argv[] = {(char *)name, 0};
    execv(path, argv);
    printf("FAIL %s: exec %s: %s\n", name, path, strerror(errno));
    _exit(127);
  }
  // As init, also reap the orphans that tests leave behind.
  int status;
  for (;;) {
    pid_t got = wait(&status);
    if (got == pid)
      break;
    if (got < 0 && errno != EINTR) {
      printf("init: wait: %s\n", strerror(errno));
      return 0;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 1;
  if (WIFSIGNALED(status))
    printf("init: %s killed by signal %d\n", name, WTERMSIG(status));
  else
    printf("init: %s exited with status %d\n", name, WEXITSTATUS(status));
  return 0;
}

static int run_tests(const char *only)
{
  static char names[MAXTESTS][32];
  int n = load_tests(names, only);
  long before = free_frames_print(1);
  int passed = 0, failed = 0;
  for (int i = 0; i < n; i++) {
    if (run_test(names[i]))
      passed++;
    else
      failed++;
  }
  // Orphans the tests left behind that exited after their test: init reaps them.
  int status;
  while (waitpid(-1, &status, WNOHANG) > 0)
    ;
  long after = free_frames_print(1);
  printf("frames: before %ld after %ld%s\n", before, after,
         before == after ? "" : " (LEAK)");
  printf("tests: %d passed, %d failed\n", passed, failed);
  fflush(stdout);
  return failed;
}

static void list_dir(const char *path)
{
  DIR *d = opendir(path);
  if (!d) {
    printf("ls: %s: %s\n", path, strerror(errno));
    return;
  }
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.')
      printf("%s%s\n", e->d_name, e->d_type == DT_DIR ? "/" : "");
  closedir(d);
}

static void run_command(char **argv)
{
  char path[128];
  if (strchr(argv[0], '/'))
    snprintf(path, sizeof(path), "%s", argv[0]);
  else if (snprintf(path, sizeof(path), "/bin/%s", argv[0]), access(path, F_OK) != 0)
    snprintf(path, sizeof(path), "/tests/%s", argv[0]);
  pid_t pid = fork();
  if (pid == 0) {
    execv(path, argv);
    printf("sh: %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int status;
  if (pid > 0)
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
}

static void shell(void)
{
  char line[256];
  printf("trapscope shell: commands in /bin and /tests; builtins: ls [dir], tests [a,b], exit [n]\n");
  for (;;) {
    printf("$ ");
    fflush(stdout);
    if (!fgets(line, sizeof(line), stdin))
      exit(0);
    char *argv[16];
    int argc = 0;
    for (char *s = strtok(line, " \t\n"); s && argc < 15; s = strtok(0, " \t\n"))
      argv[argc++] = s;
    argv[argc] = 0;
    if (argc == 0)
      continue;
    if (strcmp(argv[0], "exit") == 0)
      exit(argc > 1 ? atoi(argv[1]) : 0);
    else if (strcmp(argv[0], "ls") == 0)
      list_dir(argc > 1 ? argv[1] : "/");
    else if (strcmp(argv[0], "tests") == 0)
      run_tests(argc > 1 ? argv[1] : 0);
    else
      run_command(argv);
  }
}

int main(int argc, char **argv)
{
  // stdout's buffer in .bss, not malloc'd at the first failure report:
  // the free-frame counts around the tests then do not move with it.
  static char outbuf[BUFSIZ];
  setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
  tstart("init");
  const char *mode = argc > 1 ? argv[1] : 0;
  if (mode && strncmp(mode, "tests", 5) == 0) {
    const char *only = mode[5] == ':' ? mode + 6 : 0;
    return run_tests(only);
  }
  if (!mode || strcmp(mode, "shell") != 0)
    run_tests(0);
  shell();
  return 0;
}
