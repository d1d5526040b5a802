// forktest: copy-on-write fork.  Parent and child write the same pages and
// each keeps its own data; pages are shared until written (free frames
// show it); the kernel's own writes (read()) copy too; a page nobody else
// shares any more is written in place; many forks, nested forks; no frames
// leak.
#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tlib.h"

#define NPAGES 64
#define PG 4096

static char *buf;

static void fill(char c)
{
  for (int i = 0; i < NPAGES; i++)
    memset(buf + i * PG, c + i % 7, PG);
}

static int check(char c)
{
  for (int i = 0; i < NPAGES; i++)
    for (int j = 0; j < PG; j += 512)
      if (buf[i * PG + j] != (char)(c + i % 7))
        return i;
  return -1;
}

static int wait_ok(pid_t pid)
{
  int st;
  if (waitpid(pid, &st, 0) != pid)
    return 0;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// Parent and child both write every page while the other is alive.
static void cow_both_write(void)
{
  fill('a');
  int up[2], down[2];
  CHECK(pipe(up) == 0 && pipe(down) == 0, "pipe");
  long before = free_frames();
  pid_t pid = fork();
  CHECK(pid >= 0, "fork: %d", errno);
  char x = 'x';
  if (pid == 0) {
    long shared = before - free_frames();
    if (shared >= NPAGES)
      FAIL("fork copied eagerly: %ld frames used, buffer is %d pages", shared, NPAGES);
    if (check('a') >= 0)
      FAIL("child does not see the parent's data");
    fill('c');
    long copied = before - free_frames();
    if (copied < NPAGES)
      FAIL("child wrote %d pages but only %ld frames were used", NPAGES, copied);
    if (write(up[1], &x, 1) != 1 || read(down[0], &x, 1) != 1)
      _exit(3);
    int bad = check('c');
    if (bad >= 0)
      FAIL("child page %d changed by the parent", bad);
    _exit(0);
  }
  CHECK(read(up[0], &x, 1) == 1, "read");
  int bad = check('a');
  CHECK(bad < 0, "parent page %d changed by the child", bad);
  fill('p');
  CHECK(write(down[1], &x, 1) == 1, "write");
  CHECK(wait_ok(pid), "child failed");
  bad = check('p');
  CHECK(bad < 0, "parent page %d lost its data", bad);
  close(up[0]);
  close(up[1]);
  close(down[0]);
  close(down[1]);
}

// Once the other sharer of a copy-on-write page has gone, a write to it
// takes no new frame: the count is 1, so the fault only restores write
// permission.
static void sole_owner_writes_in_place(void)
{
  fill('s');
  pid_t pid = fork();
  CHECK(pid >= 0, "fork: %d", errno);
  if (pid == 0)
    _exit(0);
  CHECK(wait_ok(pid), "child failed");
  long before = free_frames();
  fill('t');
  long used = before - free_frames();
  CHECK(used < 4, "writing %d pages nobody shares any more took %ld frames", NPAGES, used);
  CHECK(check('t') < 0, "data lost");
}

// The kernel's own writes into user memory (read() into a buffer) copy a
// shared page too: neither side sees the other's data.
static void kernel_writes_copy_too(void)
{
  fill('k');
  int data[2], ack[2], go[2];
  CHECK(pipe(data) == 0 && pipe(ack) == 0 && pipe(go) == 0, "pipe");
  char z[64], x = 'x';
  memset(z, 'Z', sizeof(z));
  pid_t pid = fork();
  CHECK(pid >= 0, "fork: %d", errno);
  if (pid == 0) {
    if (read(data[0], buf + 5 * PG, sizeof(z)) != sizeof(z) || buf[5 * PG] != 'Z')
      _exit(2);
    if (write(ack[1], &x, 1) != 1 || read(go[0], &x, 1) != 1)
      _exit(3);
    // the parent has read() into its page 6 by now
    _exit(check('k') == 5 && buf[6 * PG] == (char)('k' + 6 % 7) ? 0 : 4);
  }
  CHECK(write(data[1], z, sizeof(z)) == sizeof(z), "write");
  CHECK(read(ack[0], &x, 1) == 1, "read");
  CHECK(write(data[1], z, sizeof(z)) == sizeof(z), "write");
  CHECK(read(data[0], buf + 6 * PG, sizeof(z)) == sizeof(z), "read");
  CHECK(write(go[1], &x, 1) == 1, "write");
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
        "the child saw the parent's read() data or lost its own (status %#x)", st);
  CHECK(buf[5 * PG] == (char)('k' + 5 % 7) && buf[6 * PG] == 'Z',
        "the child's read() changed the parent's page");
  int fds[] = {data[0], data[1], ack[0], ack[1], go[0], go[1]};
  for (int i = 0; i < 6; i++)
    close(fds[i]);
}

static void many_forks(int n)
{
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork %d: errno %d", i, errno);
    if (pid == 0) {
      buf[i * 7 % (NPAGES * PG)] = 1;
      _exit(i % 3 == 0 ? 0 : 0);
    }
    CHECK(wait_ok(pid), "child %d failed", i);
  }
}

// A small tree: each level forks two children and waits for both.
static int tree(int depth)
{
  if (depth == 0)
    return 0;
  pid_t a = fork();
  if (a == 0)
    _exit(tree(depth - 1));
  pid_t b = fork();
  if (b == 0)
    _exit(tree(depth - 1));
  return (a > 0 && b > 0 && wait_ok(a) && wait_ok(b)) ? 0 : 1;
}

int main(void)
{
  tstart("forktest");
  buf = mmap(0, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(buf != MAP_FAILED, "mmap");
  // One round first so the parent's own lazily-touched pages (stack, stdio,
  // malloc) exist before we count frames.
  cow_both_write();
  many_forks(2);
  CHECK(tree(1) == 0, "tree");
  sole_owner_writes_in_place();
  kernel_writes_copy_too();
  long before = free_frames();
  cow_both_write();
  kernel_writes_copy_too();
  many_forks(40);
  CHECK(tree(3) == 0, "fork tree failed");
  long after = free_frames();
  CHECK(before == after, "frames leaked: %ld free before, %ld after", before, after);
  tpass();
}
