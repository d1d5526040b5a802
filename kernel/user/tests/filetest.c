// filetest: the initramfs through openat, read, lseek, fstat, getdents64,
// dup/dup3/fcntl, and the device nodes.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tlib.h"

int main(void)
{
  tstart("filetest");
  int fd = open("/etc/tests", O_RDONLY);
  CHECK(fd >= 0, "open: errno %d", errno);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0, "fstat");
  char buf[2048];
  CHECK(read(fd, buf, sizeof(buf)) == st.st_size, "read the whole file");
  CHECK(read(fd, buf, 10) == 0, "read at EOF");
  CHECK(lseek(fd, 2, SEEK_SET) == 2, "lseek");
  char c;
  CHECK(read(fd, &c, 1) == 1 && c == buf[2], "read after lseek");
  CHECK(lseek(fd, -1, SEEK_END) == st.st_size - 1, "SEEK_END");
  CHECK(pread(fd, &c, 1, 0) == 1 && c == buf[0], "pread");
  int fd2 = dup(fd);
  CHECK(fd2 > fd && lseek(fd2, 0, SEEK_CUR) == st.st_size - 1, "dup shares the offset");
  CHECK(dup3(fd, 20, O_CLOEXEC) == 20 && fcntl(20, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
  close(20);
  close(fd2);
  close(fd);
  CHECK(open("/etc/tests", O_WRONLY) < 0 && errno == EROFS, "write-open of the read-only fs");
  CHECK(open("/nope", O_RDONLY) < 0 && errno == ENOENT, "missing file");
  CHECK(open("/etc/tests/x", O_RDONLY) < 0 && errno == ENOENT, "file as a directory");
  CHECK(open("/etc/tests", O_RDONLY | O_DIRECTORY) < 0 && errno == ENOTDIR, "O_DIRECTORY");
  CHECK(stat("/tests", &st) == 0 && S_ISDIR(st.st_mode), "stat /tests");
  CHECK(stat("/tests/../etc/./tests", &st) == 0 && S_ISREG(st.st_mode), ". and ..");
  // Every test in /etc/tests is in /tests.
  DIR *d = opendir("/tests");
  CHECK(d, "opendir");
  int n = 0, sawhello = 0, sawdot = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    n++;
    sawhello |= strcmp(e->d_name, "hello") == 0 && e->d_type == DT_REG;
    sawdot |= strcmp(e->d_name, "..") == 0 && e->d_type == DT_DIR;
  }
  closedir(d);
  CHECK(n >= 4 && sawhello && sawdot, "readdir saw %d entries", n);
  CHECK(chdir("/tests") == 0, "chdir");
  char cwd[64];
  CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tests") == 0, "getcwd");
  CHECK(access("hello", R_OK) == 0, "relative access");
  int dn = open("/dev/null", O_RDWR);
  CHECK(dn >= 0 && write(dn, "x", 1) == 1 && read(dn, &c, 1) == 0, "/dev/null");
  int dz = open("/dev/zero", O_RDONLY);
  c = 1;
  CHECK(dz >= 0 && read(dz, &c, 1) == 1 && c == 0, "/dev/zero");
  CHECK(isatty(0) && !isatty(dn), "isatty");
  tpass();
}
