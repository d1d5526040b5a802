// pipetest: pipes between processes: a large transfer with a checksum,
// EOF when writers close, EPIPE/SIGPIPE without readers, a child's stdout
// redirected into a pipe.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include "tlib.h"

#define TOTAL (128 * 1024)

static unsigned sum(const unsigned char *b, int n, unsigned s)
{
  for (int i = 0; i < n; i++)
    s = s * 31 + b[i];
  return s;
}

static void transfer(void)
{
  int fd[2];
  CHECK(pipe(fd) == 0, "pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    unsigned char buf[3000];
    unsigned s = 0;
    for (int sent = 0; sent < TOTAL;) {
      int n = TOTAL - sent < (int)sizeof(buf) ? TOTAL - sent : (int)sizeof(buf);
      for (int i = 0; i < n; i++)
        buf[i] = (unsigned char)((sent + i) * 7);
      s = sum(buf, n, s);
      if (write(fd[1], buf, n) != n)
        _exit(2);
      sent += n;
    }
    if (write(fd[1], &s, sizeof(s)) != sizeof(s))
      _exit(3);
    _exit(0);
  }
  close(fd[1]);
  unsigned char buf[1000];
  unsigned s = 0, theirs = 0;
  long got = 0;
  int n;
  while ((n = read(fd[0], buf, sizeof(buf))) > 0) {
    int data = n;
    if (got + n > TOTAL)
      data = TOTAL - got;
    s = sum(buf, data, s);
    if (data < n)
      memcpy((char *)&theirs + (got + data - TOTAL), buf + data, n - data);
    got += n;
  }
  CHECK(n == 0, "read error %d", errno);
  CHECK(got == TOTAL + 4, "got %ld bytes", got);
  CHECK(s == theirs, "checksum %x, sender's %x", s, theirs);
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %#x", st);
  close(fd[0]);
}

static void no_reader(void)
{
  int fd[2];
  CHECK(pipe(fd) == 0, "pipe");
  close(fd[0]);
  signal(SIGPIPE, SIG_IGN);
  CHECK(write(fd[1], "x", 1) < 0 && errno == EPIPE, "write without reader: errno %d", errno);
  signal(SIGPIPE, SIG_DFL);
  pid_t pid = fork();
  if (pid == 0) {
    (void)write(fd[1], "x", 1);
    _exit(0);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
        "SIGPIPE did not kill the writer: %#x", st);
  close(fd[1]);
}

static void redirect(void)
{
  int fd[2];
  CHECK(pipe2(fd, O_CLOEXEC) == 0, "pipe2");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[1], 1);
    char *argv[] = {"echo", "through", "the", "pipe", 0};
    execv("/bin/echo", argv);
    _exit(99);
  }
  close(fd[1]);
  char buf[64] = {0};
  int n = 0, r;
  while ((r = read(fd[0], buf + n, sizeof(buf) - 1 - n)) > 0)
    n += r;
  CHECK(strcmp(buf, "through the pipe\n") == 0, "child wrote '%s'", buf);
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "echo %#x", st);
  close(fd[0]);
}

static void nonblocking(void)
{
  int fd[2];
  CHECK(pipe2(fd, O_NONBLOCK) == 0, "pipe2");
  char c;
  CHECK(read(fd[0], &c, 1) < 0 && errno == EAGAIN, "empty nonblocking read: %d", errno);
  char big[8192];
  memset(big, 1, sizeof(big));
  int n = write(fd[1], big, sizeof(big));
  CHECK(n > 0 && n < (int)sizeof(big), "nonblocking write of 8 KiB wrote %d", n);
  CHECK(write(fd[1], big, 1) < 0 && errno == EAGAIN, "full nonblocking write: %d", errno);
  close(fd[0]);
  close(fd[1]);
}

int main(void)
{
  tstart("pipetest");
  transfer();
  no_reader();
  redirect();
  nonblocking();
  tpass();
}
