// Open files and file-descriptor tables.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "file.h"
#include "linux.h"
#include "defs.h"

struct {
  struct spinlock lock;       // refs of every file, and files_tables slots
  struct file file[NFILE];
} ftable;

struct files files_tables[NPROC];

void file_init(void)
{
  initlock(&ftable.lock, "ftable");
  for (int i = 0; i < NPROC; i++)
    initlock(&files_tables[i].lock, "files");
}

struct file *file_alloc(void)
{
  acquire(&ftable.lock);
  for (struct file *f = ftable.file; f < ftable.file + NFILE; f++) {
    if (f->refs == 0) {
      memset(f, 0, sizeof(*f));
      f->refs = 1;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file *file_dup(struct file *f)
{
  acquire(&ftable.lock);
  f->refs++;
  release(&ftable.lock);
  return f;
}

void file_close(struct file *f)
{
  acquire(&ftable.lock);
  if (--f->refs > 0) {
    release(&ftable.lock);
    return;
  }
  struct file ff = *f;
  f->type = FD_NONE;
  release(&ftable.lock);
  if (ff.type == FD_PIPE)
    pipe_close(ff.pipe, ff.writable);
}

struct files *files_alloc(void)
{
  acquire(&ftable.lock);
  for (int i = 0; i < NPROC; i++) {
    struct files *t = &files_tables[i];
    if (t->refs == 0) {
      t->refs = 1;
      memset(t->fd, 0, sizeof(t->fd));
      t->cloexec = 0;
      release(&ftable.lock);
      return t;
    }
  }
  release(&ftable.lock);
  return 0;
}

void files_get(struct files *t)
{
  acquire(&ftable.lock);
  t->refs++;
  release(&ftable.lock);
}

// A copy of t for fork: the same open files, one more reference each.
struct files *files_dup(struct files *t)
{
  struct files *n = files_alloc();
  if (!n)
    return 0;
  acquire(&t->lock);
  for (int i = 0; i < NOFILE; i++)
    if (t->fd[i])
      n->fd[i] = file_dup(t->fd[i]);
  n->cloexec = t->cloexec;
  release(&t->lock);
  return n;
}

void files_put(struct files *t)
{
  acquire(&ftable.lock);
  int last = --t->refs == 0;
  release(&ftable.lock);
  if (!last)
    return;
  for (int i = 0; i < NOFILE; i++) {
    if (t->fd[i]) {
      struct file *f = t->fd[i];
      t->fd[i] = 0;
      file_close(f);
    }
  }
}

// execve: close the O_CLOEXEC descriptors.
void files_exec(struct files *t)
{
  for (int i = 0; i < NOFILE; i++) {
    acquire(&t->lock);
    struct file *f = 0;
    if ((t->cloexec & (1UL << i)) && t->fd[i]) {
      f = t->fd[i];
      t->fd[i] = 0;
    }
    t->cloexec &= ~(1UL << i);
    release(&t->lock);
    if (f)
      file_close(f);
  }
}

// Install f at the lowest free descriptor >= min.  -EMFILE if none.
int fd_install(struct proc *p, struct file *f, int min, int cloexec)
{
  struct files *t = p->files;
  acquire(&t->lock);
  for (int fd = min; fd < NOFILE; fd++) {
    if (!t->fd[fd]) {
      t->fd[fd] = f;
      if (cloexec)
        t->cloexec |= 1UL << fd;
      else
        t->cloexec &= ~(1UL << fd);
      release(&t->lock);
      return fd;
    }
  }
  release(&t->lock);
  return -EMFILE;
}

// The open file behind fd, with a reference the caller drops with
// file_close(): a close of fd by another thread cannot free it meanwhile.
struct file *fd_get(struct proc *p, int fd)
{
  if (fd < 0 || fd >= NOFILE)
    return 0;
  struct files *t = p->files;
  acquire(&t->lock);
  struct file *f = t->fd[fd];
  if (f)
    file_dup(f);
  release(&t->lock);
  return f;
}

void console_open_stdio(struct files *t)
{
  struct inode *con = namei(fs_root, "/dev/console");
  for (int i = 0; i < 3; i++) {
    struct file *f = file_alloc();
    if (!f)
      panic("console_open_stdio");
    f->type = FD_CONSOLE;
    f->ip = con;
    f->flags = O_RDWR;
    t->fd[i] = f;
  }
}

long file_read(struct file *f, uint64 addr, long n)
{
  if ((f->flags & O_ACCMODE) == O_WRONLY)
    return -EBADF;
  switch (f->type) {
  case FD_CONSOLE:
    return console_read(addr, n);
  case FD_PIPE:
    return pipe_read(f->pipe, addr, n, f->flags & O_NONBLOCK);
  case FD_INODE: {
    struct inode *ip = f->ip;
    if ((ip->mode & S_IFMT) == S_IFDIR)
      return -EISDIR;
    if (inode_is_dev(ip, 2))
      return 0;
    if (inode_is_dev(ip, 3)) {
      static const uint8 zeros[256];
      long done = 0;
      while (done < n) {
        long m = MIN(n - done, (long)sizeof(zeros));
        if (copyout(myproc()->mm, addr + done, zeros, m) < 0)
          return done ? done : -EFAULT;
        done += m;
      }
      return done;
    }
    uint64 off = __atomic_load_n(&f->off, __ATOMIC_RELAXED);
    if (off >= ip->size)
      return 0;
    long m = MIN((uint64)n, ip->size - off);
    if (copyout(myproc()->mm, addr, ip->data + off, m) < 0)
      return -EFAULT;
    __atomic_fetch_add(&f->off, m, __ATOMIC_RELAXED);
    return m;
  }
  default:
    return -EBADF;
  }
}

long file_write(struct file *f, uint64 addr, long n)
{
  if ((f->flags & O_ACCMODE) == O_RDONLY)
    return -EBADF;
  switch (f->type) {
  case FD_CONSOLE:
    return console_write(addr, n);
  case FD_PIPE:
    return pipe_write(f->pipe, addr, n, f->flags & O_NONBLOCK);
  case FD_INODE:
    if (inode_is_dev(f->ip, 2) || inode_is_dev(f->ip, 3))
      return n;
    return -EBADF;
  default:
    return -EBADF;
  }
}
