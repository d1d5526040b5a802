// Pipes: a ring buffer in one page, with sleeping readers and writers.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "file.h"
#include "linux.h"
#include "defs.h"

_Static_assert(sizeof(struct pipe) <= PGSIZE, "a pipe fits one page");

int pipe_alloc(struct file **rf, struct file **wf)
{
  struct pipe *pi = kalloc();
  *rf = *wf = 0;
  if (!pi)
    return -ENOMEM;
  *rf = file_alloc();
  *wf = file_alloc();
  if (!*rf || !*wf) {
    if (*rf)
      file_close(*rf);
    if (*wf)
      file_close(*wf);
    kfree(pi);
    return -ENFILE;
  }
  initlock(&pi->lock, "pipe");
  pi->nread = pi->nwrite = 0;
  pi->readopen = pi->writeopen = 1;
  (*rf)->type = FD_PIPE;
  (*rf)->pipe = pi;
  (*rf)->writable = 0;
  (*rf)->flags = O_RDONLY;
  (*wf)->type = FD_PIPE;
  (*wf)->pipe = pi;
  (*wf)->writable = 1;
  (*wf)->flags = O_WRONLY;
  return 0;
}

void pipe_close(struct pipe *pi, int writable)
{
  acquire(&pi->lock);
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nread);
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);
  }
  int gone = !pi->readopen && !pi->writeopen;
  release(&pi->lock);
  if (gone)
    kfree(pi);
}

long pipe_write(struct pipe *pi, uint64 addr, long n, int nonblock)
{
  struct proc *p = myproc();
  long i = 0;
  acquire(&pi->lock);
  while (i < n) {
    if (!pi->readopen) {
      release(&pi->lock);
      struct sigrec rec = {0};
      rec.pid = p->tgid;
      signal_send(p, SIGPIPE, &rec, 1);
      return i ? i : -EPIPE;
    }
    if (pi->nwrite == pi->nread + PIPEBUF) {
      wakeup(&pi->nread);
      // Killed or signalled: sleep_intr() tests that under p->lock (a test
      // made here, under pi->lock only, could miss the kill's wakeup).
      if (nonblock || sleep_intr(&pi->nwrite, &pi->lock, "pipe write") < 0) {
        release(&pi->lock);
        return i ? i : (nonblock ? -EAGAIN : -EINTR);
      }
      continue;
    }
    long room = PIPEBUF - (pi->nwrite - pi->nread);
    long off = pi->nwrite % PIPEBUF;
    long m = MIN(MIN(room, n - i), (long)PIPEBUF - off);
    if (copyin(p->mm, &pi->data[off], addr + i, m) < 0) {
      release(&pi->lock);
      return i ? i : -EFAULT;
    }
    pi->nwrite += m;
    i += m;
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return i;
}

long pipe_read(struct pipe *pi, uint64 addr, long n, int nonblock)
{
  struct proc *p = myproc();
  acquire(&pi->lock);
  while (pi->nread == pi->nwrite && pi->writeopen) {
    // Killed or signalled: sleep_intr() tests that under p->lock (a test
    // made here, under pi->lock only, could miss the kill's wakeup).
    if (nonblock || sleep_intr(&pi->nread, &pi->lock, "pipe read") < 0) {
      release(&pi->lock);
      return nonblock ? -EAGAIN : -EINTR;
    }
  }
  long i = 0;
  while (i < n && pi->nread != pi->nwrite) {
    long avail = pi->nwrite - pi->nread;
    long off = pi->nread % PIPEBUF;
    long m = MIN(MIN(avail, n - i), (long)PIPEBUF - off);
    if (copyout(p->mm, addr + i, &pi->data[off], m) < 0) {
      release(&pi->lock);
      return i ? i : -EFAULT;
    }
    pi->nread += m;
    i += m;
  }
  wakeup(&pi->nwrite);
  release(&pi->lock);
  return i;
}
