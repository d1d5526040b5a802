// File-system system calls over the initramfs, the console and pipes.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "file.h"
#include "linux.h"
#include "defs.h"

// Run `expr` with _f bound to fd's open file, holding a reference to it.
#define WITH_FILE(fd, expr)                           \
  ({                                                  \
    struct file *_f = fd_get(myproc(), (fd));         \
    long _r = -EBADF;                                 \
    if (_f) {                                         \
      _r = (expr);                                    \
      file_close(_f);                                 \
    }                                                 \
    _r;                                               \
  })

// The directory a dirfd-relative path starts from.
static int start_dir(int dirfd, const char *path, struct inode **dir)
{
  struct proc *p = myproc();
  if (path[0] == '/' || dirfd == AT_FDCWD) {
    *dir = proc_cwd(p);
    return 0;
  }
  struct file *f = fd_get(p, dirfd);
  if (!f)
    return -EBADF;
  int isdir = f->type == FD_INODE && (f->ip->mode & S_IFMT) == S_IFDIR;
  *dir = f->ip;   // inodes are never freed
  file_close(f);
  return isdir ? 0 : -ENOTDIR;
}

static long lookup_user_path(int dirfd, uint64 upath, struct inode **ipp, int allow_empty)
{
  char path[MAXPATH];
  struct inode *dir;
  long r = copyinstr(myproc()->mm, path, upath, sizeof(path));
  if (r < 0)
    return r;
  if (path[0] == 0) {
    if (!allow_empty)
      return -ENOENT;
    struct file *f = fd_get(myproc(), dirfd);
    if (!f)
      return -EBADF;
    *ipp = f->ip;
    file_close(f);
    return *ipp ? 0 : -EBADF;
  }
  if ((r = start_dir(dirfd, path, &dir)) < 0)
    return r;
  *ipp = namei(dir, path);
  return *ipp ? 0 : -ENOENT;
}

long sys_openat(int dirfd, uint64 upath, int flags, int mode)
{
  (void)mode;
  struct proc *p = myproc();
  struct inode *ip;
  long r = lookup_user_path(dirfd, upath, &ip, 0);
  if (r == -ENOENT && (flags & O_CREAT))
    return -EROFS;
  if (r < 0)
    return r;
  if ((flags & O_CREAT) && (flags & O_EXCL))
    return -EEXIST;
  uint32 type = ip->mode & S_IFMT;
  if ((flags & O_DIRECTORY) && type != S_IFDIR)
    return -ENOTDIR;
  if (type != S_IFCHR && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
    return type == S_IFDIR ? -EISDIR : -EROFS;
  struct file *f = file_alloc();
  if (!f)
    return -ENFILE;
  f->type = inode_is_dev(ip, 1) ? FD_CONSOLE : FD_INODE;
  f->ip = ip;
  f->flags = flags & (O_ACCMODE | O_NONBLOCK | O_APPEND);
  int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
  if (fd < 0)
    file_close(f);
  return fd;
}

long sys_close(int fd)
{
  struct files *t = myproc()->files;
  if (fd < 0 || fd >= NOFILE)
    return -EBADF;
  acquire(&t->lock);
  struct file *f = t->fd[fd];
  t->fd[fd] = 0;
  t->cloexec &= ~(1UL << fd);
  release(&t->lock);
  if (!f)
    return -EBADF;
  file_close(f);
  return 0;
}

long sys_read(int fd, uint64 buf, long n)
{
  if (n < 0)
    return -EINVAL;
  return WITH_FILE(fd, file_read(_f, buf, n));
}

long sys_write(int fd, uint64 buf, long n)
{
  if (n < 0)
    return -EINVAL;
  return WITH_FILE(fd, file_write(_f, buf, n));
}

static long do_iov(struct file *f, uint64 iov, int cnt, int write)
{
  if (cnt < 0 || cnt > 1024)
    return -EINVAL;
  long total = 0;
  for (int i = 0; i < cnt; i++) {
    struct iovec v;
    if (copyin(myproc()->mm, &v, iov + i * sizeof(v), sizeof(v)) < 0)
      return total ? total : -EFAULT;
    if (v.iov_len == 0)
      continue;
    long r = write ? file_write(f, v.iov_base, v.iov_len) : file_read(f, v.iov_base, v.iov_len);
    if (r < 0)
      return total ? total : r;
    total += r;
    if ((uint64)r < v.iov_len)
      break;
  }
  return total;
}

long sys_readv(int fd, uint64 iov, int cnt)
{
  return WITH_FILE(fd, do_iov(_f, iov, cnt, 0));
}

long sys_writev(int fd, uint64 iov, int cnt)
{
  return WITH_FILE(fd, do_iov(_f, iov, cnt, 1));
}

static long do_pread(struct file *f, uint64 buf, long n, long off)
{
  if (f->type != FD_INODE || (f->ip->mode & S_IFMT) != S_IFREG)
    return -ESPIPE;
  if (off < 0 || n < 0)
    return -EINVAL;
  if ((uint64)off >= f->ip->size)
    return 0;
  long m = MIN((uint64)n, f->ip->size - off);
  if (copyout(myproc()->mm, buf, f->ip->data + off, m) < 0)
    return -EFAULT;
  return m;
}

long sys_pread64(int fd, uint64 buf, long n, long off)
{
  return WITH_FILE(fd, do_pread(_f, buf, n, off));
}

static long do_lseek(struct file *f, long off, int whence)
{
  if (f->type != FD_INODE)
    return -ESPIPE;
  long base;
  if (whence == SEEK_SET)
    base = 0;
  else if (whence == SEEK_CUR)
    base = f->off;
  else if (whence == SEEK_END)
    base = f->ip->size;
  else
    return -EINVAL;
  if (base + off < 0)
    return -EINVAL;
  f->off = base + off;
  return f->off;
}

long sys_lseek(int fd, long off, int whence)
{
  return WITH_FILE(fd, do_lseek(_f, off, whence));
}

static long do_fstat(struct file *f, uint64 st)
{
  struct linux_stat s;
  if (f->type == FD_PIPE) {
    memset(&s, 0, sizeof(s));
    s.st_mode = S_IFIFO | 0600;
    s.st_blksize = PGSIZE;
  } else {
    fill_stat(f->ip, &s);
  }
  return copyout(myproc()->mm, st, &s, sizeof(s));
}

long sys_fstat(int fd, uint64 st)
{
  return WITH_FILE(fd, do_fstat(_f, st));
}

long sys_newfstatat(int dirfd, uint64 upath, uint64 st, int flags)
{
  struct inode *ip;
  long r = lookup_user_path(dirfd, upath, &ip, flags & AT_EMPTY_PATH);
  if (r == -EBADF && (flags & AT_EMPTY_PATH))
    return sys_fstat(dirfd, st);
  if (r < 0)
    return r;
  struct linux_stat s;
  fill_stat(ip, &s);
  return copyout(myproc()->mm, st, &s, sizeof(s));
}

long sys_faccessat(int dirfd, uint64 upath, int mode)
{
  struct inode *ip;
  long r = lookup_user_path(dirfd, upath, &ip, 0);
  if (r < 0)
    return r;
  if ((mode & 2) && (ip->mode & S_IFMT) != S_IFCHR)
    return -EROFS;
  return 0;
}

static long do_getdents64(struct file *f, uint64 buf, long len)
{
  if (f->type != FD_INODE || (f->ip->mode & S_IFMT) != S_IFDIR)
    return -ENOTDIR;
  struct inode *dir = f->ip;
  long done = 0;
  for (;;) {
    uint64 idx = f->off;
    struct inode *ip;
    const char *name;
    if (idx == 0) {
      ip = dir;
      name = ".";
    } else if (idx == 1) {
      ip = dir->parent;
      name = "..";
    } else {
      ip = dir->child;
      for (uint64 i = 2; ip && i < idx; i++)
        ip = ip->sibling;
      if (!ip)
        break;
      name = ip->name;
    }
    uint8 rec[sizeof(struct linux_dirent64) + 72];
    int nlen = strlen(name);
    uint16 reclen = (offsetof(struct linux_dirent64, d_name) + nlen + 1 + 7) & ~7;
    if (done + reclen > len)
      break;
    struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
    memset(rec, 0, sizeof(rec));
    d->d_ino = ip->ino;
    d->d_off = idx + 1;
    d->d_reclen = reclen;
    uint32 t = ip->mode & S_IFMT;
    d->d_type = t == S_IFDIR ? DT_DIR : t == S_IFCHR ? DT_CHR : DT_REG;
    memmove(d->d_name, name, nlen + 1);
    if (copyout(myproc()->mm, buf + done, rec, reclen) < 0)
      return done ? done : -EFAULT;
    done += reclen;
    f->off = idx + 1;
  }
  if (done == 0 && f->off > 1) {
    // Nothing more, or the buffer holds not even one entry.
    struct inode *ip = dir->child;
    for (uint64 i = 2; ip && i < f->off; i++)
      ip = ip->sibling;
    if (ip)
      return -EINVAL;
  }
  return done;
}

long sys_getdents64(int fd, uint64 buf, long len)
{
  return WITH_FILE(fd, do_getdents64(_f, buf, len));
}

long sys_dup(int fd)
{
  struct proc *p = myproc();
  struct file *f = fd_get(p, fd);   // this reference becomes the new descriptor's
  if (!f)
    return -EBADF;
  int nfd = fd_install(p, f, 0, 0);
  if (nfd < 0)
    file_close(f);
  return nfd;
}

long sys_dup3(int oldfd, int newfd, int flags)
{
  struct proc *p = myproc();
  struct files *t = p->files;
  if (oldfd == newfd)
    return -EINVAL;
  if (newfd < 0 || newfd >= NOFILE || (flags & ~O_CLOEXEC))
    return -EINVAL;
  struct file *f = fd_get(p, oldfd);
  if (!f)
    return -EBADF;
  acquire(&t->lock);
  struct file *old = t->fd[newfd];
  t->fd[newfd] = f;
  if (flags & O_CLOEXEC)
    t->cloexec |= 1UL << newfd;
  else
    t->cloexec &= ~(1UL << newfd);
  release(&t->lock);
  if (old)
    file_close(old);
  return newfd;
}

static long do_fcntl(struct file *f, int fd, int cmd, uint64 arg)
{
  struct proc *p = myproc();
  switch (cmd) {
  case F_DUPFD:
  case F_DUPFD_CLOEXEC: {
    file_dup(f);
    int nfd = fd_install(p, f, (int)arg, cmd == F_DUPFD_CLOEXEC);
    if (nfd < 0)
      file_close(f);
    return nfd;
  }
  case F_GETFD:
    return (p->files->cloexec >> fd) & 1 ? FD_CLOEXEC : 0;
  case F_SETFD:
    acquire(&p->files->lock);
    if (arg & FD_CLOEXEC)
      p->files->cloexec |= 1UL << fd;
    else
      p->files->cloexec &= ~(1UL << fd);
    release(&p->files->lock);
    return 0;
  case F_GETFL:
    return f->flags;
  case F_SETFL:
    f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) | (arg & (O_NONBLOCK | O_APPEND));
    return 0;
  default:
    return -EINVAL;
  }
}

long sys_fcntl(int fd, int cmd, uint64 arg)
{
  return WITH_FILE(fd, do_fcntl(_f, fd, cmd, arg));
}

static long do_ioctl(struct file *f, uint64 req, uint64 arg)
{
  if (f->type != FD_CONSOLE)
    return -ENOTTY;
  struct proc *p = myproc();
  if (req == TCGETS) {
    struct ktermios t;
    memset(&t, 0, sizeof(t));
    t.c_iflag = 0x500;    // ICRNL | IXON
    t.c_oflag = 0x5;      // OPOST | ONLCR
    t.c_cflag = 0xbf;     // B38400 | CS8 | CREAD
    t.c_lflag = 0x8a3b;   // ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
    t.c_cc[0] = 3;        // VINTR ^C
    t.c_cc[2] = 0x7f;     // VERASE
    t.c_cc[4] = 4;        // VEOF ^D
    t.c_cc[6] = 1;        // VMIN
    return copyout(p->mm, arg, &t, sizeof(t));
  }
  if (req == TCSETS || req == TCSETSW || req == TCSETSF)
    return 0;
  if (req == TIOCGWINSZ) {
    struct winsize w = {24, 80, 0, 0};
    return copyout(p->mm, arg, &w, sizeof(w));
  }
  if (req == TIOCGPGRP) {
    int pg = p->tgid;
    return copyout(p->mm, arg, &pg, sizeof(pg));
  }
  if (req == TIOCSPGRP)
    return 0;
  return -ENOTTY;
}

long sys_ioctl(int fd, uint64 req, uint64 arg)
{
  return WITH_FILE(fd, do_ioctl(_f, req, arg));
}

long sys_pipe2(uint64 fds, int flags)
{
  struct proc *p = myproc();
  struct file *rf, *wf;
  int r = pipe_alloc(&rf, &wf);
  if (r < 0)
    return r;
  if (flags & O_NONBLOCK) {
    rf->flags |= O_NONBLOCK;
    wf->flags |= O_NONBLOCK;
  }
  int fd[2];
  fd[0] = fd_install(p, rf, 0, flags & O_CLOEXEC);
  fd[1] = fd[0] < 0 ? -EMFILE : fd_install(p, wf, 0, flags & O_CLOEXEC);
  if (fd[0] < 0 || fd[1] < 0) {
    if (fd[0] >= 0)
      sys_close(fd[0]);
    else
      file_close(rf);
    file_close(wf);
    return -EMFILE;
  }
  if (copyout(p->mm, fds, fd, sizeof(fd)) < 0) {
    sys_close(fd[0]);
    sys_close(fd[1]);
    return -EFAULT;
  }
  return 0;
}

long sys_getcwd(uint64 buf, uint64 size)
{
  char path[MAXPATH];
  int n = inode_path(proc_cwd(myproc()), path, sizeof(path));
  if ((uint64)n + 1 > size)
    return -ERANGE;
  if (copyout(myproc()->mm, buf, path, n + 1) < 0)
    return -EFAULT;
  return n + 1;
}

long sys_chdir(uint64 upath)
{
  struct inode *ip;
  long r = lookup_user_path(AT_FDCWD, upath, &ip, 0);
  if (r < 0)
    return r;
  if ((ip->mode & S_IFMT) != S_IFDIR)
    return -ENOTDIR;
  proc_chdir(myproc(), ip);
  return 0;
}

long sys_readlinkat(int dirfd, uint64 upath, uint64 buf, long size)
{
  (void)buf;
  (void)size;
  struct inode *ip;
  long r = lookup_user_path(dirfd, upath, &ip, 0);
  return r < 0 ? r : -EINVAL;   // there are no symlinks
}

long sys_rofs(void)
{
  return -EROFS;
}
