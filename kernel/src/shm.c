// SysV shared memory: shmget, shmat, shmdt, shmctl(IPC_RMID / IPC_STAT).
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "shm.h"
#include "linux.h"
#include "defs.h"

struct shmseg shm_segs[NSHM];
struct spinlock shm_lock;
static int shm_seq;

void shm_init(void)
{
  initlock(&shm_lock, "shm");
}

// Free the frames and the slot.  shm_lock held.
static void shm_destroy(struct shmseg *s)
{
  for (int i = 0; i < s->npages; i++)
    frame_put(s->frames[i]);
  kfree(s->frames);
  memset(s, 0, sizeof(*s));
}

static struct shmseg *shm_by_id(int id)
{
  for (int i = 0; i < NSHM; i++)
    if (shm_segs[i].used && shm_segs[i].id == id)
      return &shm_segs[i];
  return 0;
}

static struct shmseg *shm_create(int key, uint64 size, int mode)
{
  struct shmseg *s = 0;
  for (int i = 0; i < NSHM && !s; i++)
    if (!shm_segs[i].used)
      s = &shm_segs[i];
  if (!s)
    return 0;
  uint64 *frames = kzalloc();
  if (!frames)
    return 0;
  int npages = PGROUNDUP(size) / PGSIZE;
  for (int i = 0; i < npages; i++) {
    if ((frames[i] = (uint64)kzalloc()) == 0) {
      while (--i >= 0)
        kfree((void *)frames[i]);
      kfree(frames);
      return 0;
    }
  }
  s->used = 1;
  s->key = key;
  s->id = (++shm_seq) * NSHM + (int)(s - shm_segs);
  s->removed = 0;
  s->mode = mode & 0777;
  s->cpid = myproc()->tgid;
  s->lpid = 0;
  s->size = size;
  s->npages = npages;
  s->nattch = 0;
  s->frames = frames;
  return s;
}

long sys_shmget(int key, uint64 size, int flags)
{
  acquire(&shm_lock);
  if (key != IPC_PRIVATE) {
    for (int i = 0; i < NSHM; i++) {
      struct shmseg *s = &shm_segs[i];
      if (!s->used || s->removed || s->key != key)
        continue;
      long r = s->id;
      if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
        r = -EEXIST;
      else if (size > s->size)
        r = -EINVAL;
      release(&shm_lock);
      return r;
    }
    if (!(flags & IPC_CREAT)) {
      release(&shm_lock);
      return -ENOENT;
    }
  }
  if (size == 0 || PGROUNDUP(size) / PGSIZE > SHM_MAXPAGES) {
    release(&shm_lock);
    return -EINVAL;
  }
  struct shmseg *s = shm_create(key, size, flags);
  long r = s ? s->id : -ENOSPC;
  release(&shm_lock);
  return r;
}

long sys_shmat(int id, uint64 addr, int flags)
{
  struct proc *p = myproc();
  if (addr) {
    if (flags & SHM_RND)
      addr &= ~(uint64)(SHMLBA - 1);
    if (addr & (PGSIZE - 1))
      return -EINVAL;
  }
  acquire(&shm_lock);
  struct shmseg *s = shm_by_id(id);
  if (!s || s->removed) {
    release(&shm_lock);
    return s ? -EIDRM : -EINVAL;
  }
  s->nattch++;   // held while mapping so the segment cannot vanish
  s->lpid = p->tgid;
  uint64 len = (uint64)s->npages * PGSIZE;
  uint64 *frames = s->frames;
  release(&shm_lock);
  int prot = (flags & SHM_RDONLY) ? PROT_READ : PROT_READ | PROT_WRITE;
  return mm_attach_shm(p->mm, addr, len, prot, s, frames);
}

long sys_shmdt(uint64 addr)
{
  return mm_detach_shm(myproc()->mm, addr);
}

long sys_shmctl(int id, int cmd, uint64 buf)
{
  cmd &= 0xff;   // glibc may add IPC_64
  acquire(&shm_lock);
  struct shmseg *s = shm_by_id(id);
  if (!s) {
    release(&shm_lock);
    return -EINVAL;
  }
  if (cmd == IPC_RMID) {
    s->removed = 1;
    if (s->nattch == 0)
      shm_destroy(s);
    release(&shm_lock);
    return 0;
  }
  if (cmd == IPC_STAT) {
    struct shmid_ds64 ds;
    memset(&ds, 0, sizeof(ds));
    ds.key = s->key;
    ds.mode = s->mode;
    ds.shm_segsz = s->size;
    ds.shm_cpid = s->cpid;
    ds.shm_lpid = s->lpid;
    ds.shm_nattch = s->nattch;
    release(&shm_lock);
    return copyout(myproc()->mm, buf, &ds, sizeof(ds));
  }
  if (cmd == IPC_SET) {
    release(&shm_lock);
    return 0;
  }
  release(&shm_lock);
  return -EINVAL;
}

// An area now refers to the segment (fork, area split).
void shm_vma_dup(struct shmseg *s)
{
  acquire(&shm_lock);
  s->nattch++;
  release(&shm_lock);
}

// An area referring to the segment went away.
void shm_vma_drop(struct shmseg *s)
{
  acquire(&shm_lock);
  if (--s->nattch == 0 && s->removed)
    shm_destroy(s);
  release(&shm_lock);
}
