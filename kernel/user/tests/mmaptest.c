// mmaptest: lazy anonymous mmap, MAP_FIXED over the middle of an area,
// munmap of a middle slice, mprotect then a write that must fault and kill,
// shared anonymous memory across fork, file mappings of the initramfs
// (contents, faults on read-only ones, MAP_PRIVATE copy-on-write).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "tlib.h"

#define PG 4096

// Run fn in a child; return the signal that killed it (0 if it exited).
static int killed_by(void (*fn)(char *), char *arg)
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    fn(arg);
    _exit(0);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
  return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void write_byte(char *p) { *(volatile char *)p = 1; }
static void read_byte(char *p) { (void)*(volatile char *)p; }

static void lazy(void)
{
  long before = free_frames();
  size_t len = 64 << 20;   // half of RAM, but nothing is allocated until touched
  char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(p != MAP_FAILED, "mmap 64 MiB: errno %d", errno);
  long after_map = free_frames();
  CHECK(before - after_map < 4, "mmap allocated %ld frames eagerly", before - after_map);
  p[0] = 'a';
  p[len / 2] = 'b';
  p[len - 1] = 'c';
  long touched = free_frames();
  CHECK(after_map - touched >= 3 && after_map - touched < 16, "3 touches took %ld frames",
        after_map - touched);
  CHECK(p[1] == 0 && p[len / 2 + 1] == 0, "fresh pages are not zero");
  CHECK(munmap(p, len) == 0, "munmap");
  CHECK(free_frames() >= touched + 3, "munmap did not free the pages");
}

static void fixed_and_holes(void)
{
  char *p = mmap(0, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(p != MAP_FAILED, "mmap");
  memset(p, 'a', 8 * PG);
  // MAP_FIXED over pages 2..3 replaces them (zeros), splitting the area in three.
  char *q = mmap(p + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                 -1, 0);
  CHECK(q == p + 2 * PG, "MAP_FIXED returned %p, want %p", (void *)q, (void *)(p + 2 * PG));
  for (int i = 0; i < 8; i++) {
    char want = (i == 2 || i == 3) ? 0 : 'a';
    CHECK(p[i * PG] == want && p[i * PG + PG - 1] == want, "page %d holds %d after MAP_FIXED",
          i, p[i * PG]);
  }
  // MAP_FIXED_NOREPLACE over a mapped range must fail.
  q = mmap(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  CHECK(q == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE over a mapping: %p", (void *)q);
  // munmap a middle slice: pages 5..6.
  CHECK(munmap(p + 5 * PG, 2 * PG) == 0, "munmap middle");
  CHECK(killed_by(read_byte, p + 5 * PG) == SIGSEGV, "reading an unmapped page did not SIGSEGV");
  CHECK(killed_by(read_byte, p + 6 * PG + 100) == SIGSEGV, "unmapped page 6 readable");
  CHECK(p[4 * PG] == 'a' && p[7 * PG] == 'a', "neighbours of the hole changed");
  // A hint inside the hole gets exactly the hole back.
  q = mmap(p + 5 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(q == p + 5 * PG, "hint into the hole gave %p", (void *)q);
  CHECK(munmap(p, 8 * PG) == 0, "munmap all (with a hole in it)");
  CHECK(killed_by(read_byte, p) == SIGSEGV, "page 0 still mapped");
}

static void protect(void)
{
  char *p = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(p != MAP_FAILED, "mmap");
  memset(p, 'z', 4 * PG);
  CHECK(mprotect(p + PG, PG, PROT_READ) == 0, "mprotect");
  CHECK(killed_by(write_byte, p + PG) == SIGSEGV, "write to a PROT_READ page did not kill");
  CHECK(killed_by(write_byte, p + 2 * PG) == 0, "write to page 2 killed the child");
  CHECK(p[PG] == 'z', "read-only page lost its data");
  p[0] = 'y';
  p[2 * PG] = 'y';
  CHECK(mprotect(p + PG, PG, PROT_NONE) == 0, "mprotect NONE");
  CHECK(killed_by(read_byte, p + PG) == SIGSEGV, "PROT_NONE page readable");
  CHECK(mprotect(p, 4 * PG, PROT_READ | PROT_WRITE) == 0, "mprotect back");
  CHECK(p[PG] == 'z', "data lost across PROT_NONE");
  p[PG] = 'w';
  CHECK(mprotect(p + 8 * PG, PG, PROT_READ) < 0 && errno == ENOMEM, "mprotect of a hole");
  CHECK(munmap(p, 4 * PG) == 0, "munmap");
}

static void shared_anon(void)
{
  volatile int *s = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(s != MAP_FAILED, "mmap shared");
  s[0] = 1;
  pid_t pid = fork();
  if (pid == 0) {
    s[1] = 42;
    _exit(s[0] == 1 ? 0 : 1);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child");
  CHECK(s[1] == 42, "the child's write to MAP_SHARED memory is not visible: %d", s[1]);
  munmap((void *)s, PG);
}

// Read-only file mappings of the initramfs: /etc/tests (one short page).
static void small_file_map(void)
{
  int fd = open("/etc/tests", O_RDONLY);
  CHECK(fd >= 0, "open /etc/tests");
  char want[256];
  int n = read(fd, want, sizeof(want));
  CHECK(n > 0, "read");
  char *p = mmap(0, PG, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(p != MAP_FAILED, "mmap file: errno %d", errno);
  CHECK(memcmp(p, want, n) == 0, "mapped file differs from read()");
  CHECK(p[n] == 0, "bytes past the end of the file are not zero");
  char *w = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(w == MAP_FAILED && errno == EACCES, "writable shared mapping of a read-only file");
  munmap(p, PG);
  close(fd);
}

#define FPAGES 8
#define FOFF (3 * PG)

static int same_as_file(int fd, const char *p, long off, long len)
{
  static char buf[FPAGES * PG];
  return pread(fd, buf, len, off) == len && memcmp(buf, p, len) == 0;
}

// A multi-page file mapped from an offset: the pages are the file's (shared
// with the kernel image, not copied), read-only ones fault on a write, and
// MAP_PRIVATE writes stay private (copy-on-write), across fork too.
static void file_map(void)
{
  int fd = open("/tests/hello", O_RDONLY);
  CHECK(fd >= 0, "open /tests/hello");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size > FOFF + FPAGES * PG, "hello is %ld bytes",
        (long)st.st_size);
  char *p = mmap(0, FPAGES * PG, PROT_READ, MAP_PRIVATE, fd, FOFF);
  CHECK(p != MAP_FAILED, "mmap file at an offset: errno %d", errno);
  long before = free_frames();
  for (int i = 0; i < FPAGES; i++)
    read_byte(p + i * PG);
  CHECK(before - free_frames() < FPAGES / 2, "reading %d file pages took %ld frames", FPAGES,
        before - free_frames());
  CHECK(same_as_file(fd, p, FOFF, FPAGES * PG), "the mapping differs from pread()");
  CHECK(killed_by(write_byte, p + PG + 8) == SIGSEGV, "a write to a read-only file map lived");
  char *sh = mmap(0, PG, PROT_READ, MAP_SHARED, fd, FOFF + PG);
  CHECK(sh != MAP_FAILED && memcmp(sh, p + PG, PG) == 0, "read-only shared file mapping");
  CHECK(mprotect(sh, PG, PROT_READ | PROT_WRITE) < 0 && errno == EACCES,
        "mprotect made a shared file mapping writable: errno %d", errno);
  char *c = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, FOFF + PG);
  CHECK(c != MAP_FAILED && c[7] == p[PG + 7], "private writable file mapping");
  char first = c[0];
  c[0] = first ^ 0x55;
  c[PG + 5] = '#';
  CHECK(same_as_file(fd, sh, FOFF + PG, PG) && same_as_file(fd, p, FOFF, FPAGES * PG),
        "a private write reached the file or another mapping");
  char *again = mmap(0, PG, PROT_READ, MAP_PRIVATE, fd, FOFF + PG);
  CHECK(again != MAP_FAILED && again[0] == first, "a new mapping sees another's private write");
  // mprotect a read-only private file mapping to writable: private writes
  CHECK(mprotect(p, PG, PROT_READ | PROT_WRITE) == 0, "mprotect private file map: errno %d",
        errno);
  p[0] ^= 1;
  CHECK(same_as_file(fd, again, FOFF + PG, PG), "the file changed");
  // a child inherits the private copy; its own writes stay its own
  pid_t pid = fork();
  if (pid == 0) {
    int ok = c[0] == (char)(first ^ 0x55) && c[PG + 5] == '#';
    c[1] ^= 0x77;
    _exit(ok ? 0 : 1);
  }
  int ws;
  CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
        "the child did not see the private copy: %#x", ws);
  CHECK(c[1] == again[1], "the child's private write reached the parent");
  munmap(p, FPAGES * PG);
  munmap(sh, PG);
  munmap(c, 2 * PG);
  munmap(again, PG);
  close(fd);
}

int main(void)
{
  tstart("mmaptest");
  lazy();
  fixed_and_holes();
  protect();
  shared_anon();
  small_file_map();
  file_map();
  long before = free_frames();
  fixed_and_holes();
  protect();
  shared_anon();
  small_file_map();
  file_map();
  long after = free_frames();
  CHECK(before == after, "frames leaked: %ld before, %ld after", before, after);
  tpass();
}
