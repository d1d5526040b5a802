// Address spaces and their mmap areas: lazy anonymous and file pages,
// copy-on-write, fork's copy, brk, mmap/munmap/mprotect with area splitting,
// and TLB shootdowns.
//
// Invariants (mm->lock):
//  - areas are sorted, page aligned and do not overlap;
//  - every valid user PTE lies inside an area (trampoline, trapframes and
//    the sigreturn page lie above all areas);
//  - a private page shared with another address space, or backed by the
//    kernel image (initramfs), is mapped without PTE_W and with PTE_COW;
//  - a managed frame's refcnt counts the PTEs that map it (plus SysV shm
//    segments holding it).
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "sbi.h"
#include "file.h"
#include "linux.h"
#include "defs.h"

struct mm mm_table[NMM];
struct spinlock mm_table_lock;
struct vma vma_pool[NVMA];
static struct vma *vma_free_list;
struct spinlock vma_lock;

void mm_init(void)
{
  initlock(&mm_table_lock, "mm_table");
  initlock(&vma_lock, "vma");
  for (int i = 0; i < NMM; i++)
    initlock(&mm_table[i].lock, "mm");
  for (int i = NVMA - 1; i >= 0; i--) {
    vma_pool[i].next = vma_free_list;
    vma_free_list = &vma_pool[i];
  }
}

static struct vma *vma_alloc(void)
{
  acquire(&vma_lock);
  struct vma *v = vma_free_list;
  if (v) {
    vma_free_list = v->next;
    memset(v, 0, sizeof(*v));
  }
  release(&vma_lock);
  return v;
}

static void vma_release(struct vma *v)
{
  acquire(&vma_lock);
  v->start = v->end = 0;
  v->next = vma_free_list;
  vma_free_list = v;
  release(&vma_lock);
}

// PTE permission bits for an area's prot.  PROT_NONE pages stay mapped but
// without PTE_U, so their contents survive a later mprotect.
static uint64 prot_to_pte(int prot)
{
  if (prot == PROT_NONE)
    return PTE_R;
  uint64 perm = PTE_U | PTE_R;
  if (prot & PROT_WRITE)
    perm |= PTE_W;
  if (prot & PROT_EXEC)
    perm |= PTE_X;
  return perm;
}

static int vma_shared(struct vma *v)
{
  return v->kind == VMA_SHM || (v->flags & MAP_TYPE) == MAP_SHARED;
}

struct mm *mm_alloc(void)
{
  pagetable_t pt = uvm_create();
  if (!pt)
    return 0;
  acquire(&mm_table_lock);
  for (struct mm *mm = mm_table; mm < &mm_table[NMM]; mm++) {
    if (mm->refs == 0 && mm->pagetable == 0) {
      mm->refs = 1;
      mm->pagetable = pt;
      mm->vmas = 0;
      mm->brk_start = mm->brk = 0;
      mm->mmap_hint = MMAP_TOP;
      memset(mm->tf_slots, 0, sizeof(mm->tf_slots));
      mm->hart_mask = 0;
      release(&mm_table_lock);
      return mm;
    }
  }
  release(&mm_table_lock);
  uvm_free(pt);
  return 0;
}

void mm_get(struct mm *mm)
{
  acquire(&mm->lock);
  mm->refs++;
  release(&mm->lock);
}

// Drop every area (their pages, shm attachments).  mm->lock held; nobody
// runs in the address space any more, so no shootdown is needed.
static void mm_clear(struct mm *mm)
{
  struct vma *v = mm->vmas;
  while (v) {
    struct vma *next = v->next;
    uvm_unmap_begin(mm->pagetable, v->start, v->end);
    uvm_unmap_finish(mm->pagetable, v->start, v->end);
    if (v->kind == VMA_SHM)
      shm_vma_drop(v->shm);
    vma_release(v);
    v = next;
  }
  mm->vmas = 0;
}

void mm_put(struct mm *mm)
{
  acquire(&mm->lock);
  if (--mm->refs > 0) {
    release(&mm->lock);
    return;
  }
  mm_clear(mm);
  pagetable_t pt = mm->pagetable;
  release(&mm->lock);
  uvm_free(pt);
  acquire(&mm_table_lock);
  mm->pagetable = 0;
  release(&mm_table_lock);
}

// Make other harts forget this address space's old translations.  Needed
// after a PTE loses permissions or changes frame while other tasks run the
// same mm in user mode.  Every switch into user mode (userret) flushes the
// TLB, so only harts in user mode with this mm right now need the fence;
// the page-table writes are ordered before reading cpus[].user_mm.
void mm_shootdown(struct mm *mm)
{
  if (mm->refs <= 1)
    return;
  __sync_synchronize();
  int me = cpuid();
  uint64 mask = 0;
  for (int i = 0; i < NCPU; i++)
    if (i != me && __atomic_load_n(&cpus[i].user_mm, __ATOMIC_ACQUIRE) == mm)
      mask |= 1UL << i;
  if (mask)
    sbi_remote_sfence_vma(mask, 0, (uint64)-1);
}

// Claim a trapframe slot and map the trapframe page there.  -1 if none.
int mm_map_trapframe(struct mm *mm, struct trapframe *tf)
{
  acquire(&mm->lock);
  for (int s = 0; s < NTFSLOT; s++) {
    if (mm->tf_slots[s / 64] & (1UL << (s % 64)))
      continue;
    if (map_pages(mm->pagetable, TRAPFRAME(s), PGSIZE, (uint64)tf, PTE_R | PTE_W) < 0)
      break;
    mm->tf_slots[s / 64] |= 1UL << (s % 64);
    release(&mm->lock);
    return s;
  }
  release(&mm->lock);
  return -1;
}

// Unlink a thread's trapframe page from the page table (it is not freed:
// the thread owns it).
void mm_unmap_trapframe(struct mm *mm, int slot)
{
  acquire(&mm->lock);
  pte_t *pte = walk(mm->pagetable, TRAPFRAME(slot), 0);
  if (pte)
    *pte = 0;
  mm->tf_slots[slot / 64] &= ~(1UL << (slot % 64));
  release(&mm->lock);
}

struct vma *vma_find(struct mm *mm, uint64 va)
{
  for (struct vma *v = mm->vmas; v; v = v->next) {
    if (va < v->start)
      return 0;
    if (va < v->end)
      return v;
  }
  return 0;
}

static void vma_link(struct mm *mm, struct vma *nv)
{
  struct vma **pp = &mm->vmas;
  while (*pp && (*pp)->start < nv->start)
    pp = &(*pp)->next;
  nv->next = *pp;
  *pp = nv;
}

// Split v at addr into [start, addr) and a new area [addr, end) that follows it.
static struct vma *vma_split(struct vma *v, uint64 addr)
{
  struct vma *nv = vma_alloc();
  if (!nv)
    return 0;
  *nv = *v;
  nv->start = addr;
  if (v->kind == VMA_FILE || v->kind == VMA_SHM)
    nv->file_off = v->file_off + (addr - v->start);
  if (v->kind == VMA_SHM)
    shm_vma_dup(v->shm);
  v->end = addr;
  v->next = nv;
  return nv;
}

// Cut the areas so that none straddles start or end.
static int vma_cut(struct mm *mm, uint64 start, uint64 end)
{
  for (struct vma *v = mm->vmas; v; v = v->next) {
    if (v->end <= start || v->start >= end)
      continue;
    if (v->start < start) {
      if (!vma_split(v, start))
        return -ENOMEM;
      continue;   // the new piece is next
    }
    if (v->end > end && !vma_split(v, end))
      return -ENOMEM;
  }
  return 0;
}

// Unmap [start, end): split areas at the edges, take the areas inside off
// the list, invalidate their PTEs, shoot down other harts' TLBs, and only
// then drop the frames and the areas.  Returns 1 if anything was unmapped.
// mm->lock held.
static int unmap_range(struct mm *mm, uint64 start, uint64 end)
{
  if (vma_cut(mm, start, end) < 0)
    return -ENOMEM;
  struct vma *gone = 0;
  struct vma **pp = &mm->vmas;
  while (*pp) {
    struct vma *v = *pp;
    if (v->start >= start && v->end <= end) {
      *pp = v->next;
      uvm_unmap_begin(mm->pagetable, v->start, v->end);
      v->next = gone;
      gone = v;
    } else {
      pp = &v->next;
    }
  }
  if (!gone)
    return 0;
  mm_shootdown(mm);
  while (gone) {
    struct vma *v = gone;
    gone = v->next;
    uvm_unmap_finish(mm->pagetable, v->start, v->end);
    if (v->kind == VMA_SHM)
      shm_vma_drop(v->shm);
    vma_release(v);
  }
  return 1;
}

static int range_free(struct mm *mm, uint64 start, uint64 end)
{
  for (struct vma *v = mm->vmas; v; v = v->next)
    if (v->start < end && start < v->end)
      return 0;
  return 1;
}

// The highest free gap of len bytes in [MMAP_BOTTOM, MMAP_TOP).  0 if none.
static uint64 find_free(struct mm *mm, uint64 len)
{
  uint64 best = 0, gap_start = MMAP_BOTTOM;
  for (struct vma *v = mm->vmas;; v = v->next) {
    uint64 gap_end = v ? MIN(v->start, (uint64)MMAP_TOP) : MMAP_TOP;
    if (gap_end > gap_start && gap_end - gap_start >= len)
      best = gap_end - len;
    if (!v)
      break;
    gap_start = MAX(gap_start, v->end);
  }
  return best;
}

// Create an area.  mm->lock held; [start, end) is free.
struct vma *vma_add(struct mm *mm, uint64 start, uint64 end, int prot, int flags,
                    enum vma_kind kind)
{
  struct vma *v = vma_alloc();
  if (!v)
    return 0;
  v->start = start;
  v->end = end;
  v->prot = prot;
  v->flags = flags;
  v->kind = kind;
  vma_link(mm, v);
  return v;
}

// Copy-on-write: give this address space its own writable copy of the page,
// or just the write permission if nobody else holds the frame.
static int cow_break(struct mm *mm, struct vma *v, pte_t *pte)
{
  uint64 pa = PTE2PA(*pte);
  uint64 perm = prot_to_pte(v->prot);
  if (frame_managed(pa) && frame_refcnt(pa) == 1) {
    *pte = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
    return 0;
  }
  void *copy = kalloc();
  if (!copy)
    return -ENOMEM;
  memmove(copy, (void *)pa, PGSIZE);
  *pte = PA2PTE(copy) | perm | PTE_V | PTE_A | PTE_D;
  mm_shootdown(mm);   // other threads must stop reading the old frame before it can go
  frame_put(pa);
  return 0;
}

// First touch of a file-backed page: map the initramfs page itself when it
// lies wholly inside the file data and no write is due (read-only, or
// private and copy-on-write); otherwise copy the file bytes into a new page.
static int fault_file(struct vma *v, pte_t *pte, uint64 page, int access)
{
  uint64 off = v->file_off + (page - v->start);
  uint64 perm = prot_to_pte(v->prot);
  int writable = (v->prot & PROT_WRITE) != 0;
  if (page + PGSIZE <= v->file_end && off + PGSIZE <= v->file->size &&
      !(writable && (access & ACC_WRITE))) {
    uint64 pa = (uint64)v->file->data + off;
    if (writable)
      perm = (perm & ~PTE_W) | PTE_COW;
    *pte = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
    return 0;
  }
  uint8 *mem = kzalloc();
  if (!mem)
    return -ENOMEM;
  if (page < v->file_end && off < v->file->size) {
    uint64 n = MIN(v->file_end - page, (uint64)PGSIZE);
    n = MIN(n, v->file->size - off);
    memmove(mem, v->file->data + off, n);
  }
  *pte = PA2PTE(mem) | perm | PTE_V | PTE_A | PTE_D;
  return 0;
}

// Resolve a fault at va for access (ACC_*): lazy allocation, file pages,
// copy-on-write.  0 if the access may now proceed, -EFAULT if it is not
// allowed, -ENOMEM.  mm->lock held.
int mm_fault_locked(struct mm *mm, uint64 va, int access)
{
  struct vma *v = vma_find(mm, va);
  if (!v || v->prot == PROT_NONE)
    return -EFAULT;
  if (((access & ACC_WRITE) && !(v->prot & PROT_WRITE)) ||
      ((access & ACC_EXEC) && !(v->prot & PROT_EXEC)))
    return -EFAULT;
  uint64 page = PGROUNDDOWN(va);
  pte_t *pte = walk(mm->pagetable, page, 1);
  if (!pte)
    return -ENOMEM;
  if (*pte & PTE_V) {
    if ((*pte & PTE_COW) && (access & ACC_WRITE))
      return cow_break(mm, v, pte);
    if (!(*pte & PTE_U))
      return -EFAULT;
    return 0;   // already fixed by another thread: retry
  }
  if (v->kind == VMA_FILE)
    return fault_file(v, pte, page, access);
  if (v->kind == VMA_SHM)
    return -EFAULT;   // shm areas are mapped whole at shmat
  void *mem = kzalloc();
  if (!mem)
    return -ENOMEM;
  *pte = PA2PTE(mem) | prot_to_pte(v->prot) | PTE_V | PTE_A | PTE_D;
  return 0;
}

int mm_fault(struct mm *mm, uint64 va, int access)
{
  acquire(&mm->lock);
  int r = mm_fault_locked(mm, va, access);
  release(&mm->lock);
  return r;
}

// Fill [start, end) now (MAP_SHARED anonymous areas, MAP_POPULATE).
static int populate(struct mm *mm, uint64 start, uint64 end)
{
  for (uint64 a = start; a < end; a += PGSIZE) {
    int r = mm_fault_locked(mm, a, ACC_READ);
    if (r < 0)
      return r;
  }
  return 0;
}

struct fork_ctx {
  pagetable_t child;
  int shared;
  int failed;
};

static void fork_pte(pte_t *pte, uint64 va, void *arg)
{
  struct fork_ctx *c = arg;
  uint64 pa = PTE2PA(*pte);
  uint64 flags = PTE_FLAGS(*pte);
  pte_t *cpte = walk(c->child, va, 1);
  if (!cpte) {
    c->failed = 1;
    return;
  }
  if (!c->shared) {
    flags = (flags & ~PTE_W) | PTE_COW;
    *pte = PA2PTE(pa) | flags;
  }
  *cpte = PA2PTE(pa) | flags;
#ifdef BUG_COW_REFCOUNT
  if (c->shared)
    frame_get(pa);   // BUG cow-refcount: private pages shared without a new count
#else
  frame_get(pa);
#endif
}

// A copy-on-write copy of parent for fork: same areas; private pages shared
// read-only with PTE_COW on both sides, shared pages shared as they are.
struct mm *mm_fork(struct mm *parent)
{
  struct mm *child = mm_alloc();
  if (!child)
    return 0;
  acquire(&parent->lock);
  struct vma **tail = &child->vmas;
  struct fork_ctx ctx = {child->pagetable, 0, 0};
  for (struct vma *v = parent->vmas; v && !ctx.failed; v = v->next) {
    struct vma *nv = vma_alloc();
    if (!nv) {
      ctx.failed = 1;
      break;
    }
    *nv = *v;
    nv->next = 0;
    *tail = nv;
    tail = &nv->next;
    if (v->kind == VMA_SHM)
      shm_vma_dup(v->shm);
    ctx.shared = vma_shared(v);
    pt_for_each(parent->pagetable, v->start, v->end, fork_pte, &ctx);
  }
  child->brk_start = parent->brk_start;
  child->brk = parent->brk;
  child->mmap_hint = parent->mmap_hint;
  mm_shootdown(parent);
  release(&parent->lock);
  if (ctx.failed) {
    mm_put(child);
    return 0;
  }
  return child;
}

// --- system calls ---

long sys_brk(uint64 addr)
{
  struct mm *mm = myproc()->mm;
  acquire(&mm->lock);
  uint64 old = mm->brk;
  if (addr < mm->brk_start) {
    release(&mm->lock);
    return old;
  }
  uint64 olde = PGROUNDUP(old), newe = PGROUNDUP(addr);
  if (newe > olde) {
    if (newe > MMAP_BOTTOM || !range_free(mm, olde, newe)) {
      release(&mm->lock);
      return old;
    }
    struct vma *v = olde > mm->brk_start ? vma_find(mm, olde - 1) : 0;
    if (v && v->kind == VMA_BRK)
      v->end = newe;
    else if (!vma_add(mm, olde, newe, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, VMA_BRK)) {
      release(&mm->lock);
      return old;
    }
  } else if (newe < olde) {
    unmap_range(mm, newe, olde);
  }
  mm->brk = addr;
  release(&mm->lock);
  return addr;
}

long sys_mmap(uint64 addr, uint64 len, int prot, int flags, int fd, uint64 off)
{
  struct proc *p = myproc();
  struct mm *mm = p->mm;
  int type = flags & MAP_TYPE;
  if (len == 0 || (off & (PGSIZE - 1)) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
    return -EINVAL;
  if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
    return -EINVAL;
  if (type == MAP_SHARED_VALIDATE)
    flags = (flags & ~MAP_TYPE) | MAP_SHARED;
  len = PGROUNDUP(len);
  if (len == 0 || len >= MAXVA)
    return -ENOMEM;
  struct inode *ip = 0;
  if (!(flags & MAP_ANONYMOUS)) {
    struct file *f = fd_get(p, fd);
    if (!f)
      return -EBADF;
    ip = f->ip;   // inodes live as long as the kernel
    int type_ok = f->type == FD_INODE && (ip->mode & S_IFMT) == S_IFREG;
    file_close(f);
    if (!type_ok)
      return -ENODEV;
    if ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE))
      return -EACCES;   // the initramfs is read-only
  }
  acquire(&mm->lock);
  int fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  if (fixed) {
    if ((addr & (PGSIZE - 1)) || addr + len > USTACK_TOP || addr + len < addr) {
      release(&mm->lock);
      return -EINVAL;
    }
    if (!range_free(mm, addr, addr + len)) {
      if (flags & MAP_FIXED_NOREPLACE) {
        release(&mm->lock);
        return -EEXIST;
      }
      if (unmap_range(mm, addr, addr + len) < 0) {
        release(&mm->lock);
        return -ENOMEM;
      }
    }
  } else if (!(addr && !(addr & (PGSIZE - 1)) && addr >= PGSIZE && addr + len <= MMAP_TOP &&
               addr + len > addr && range_free(mm, addr, addr + len))) {
    addr = find_free(mm, len);
    if (!addr) {
      release(&mm->lock);
      return -ENOMEM;
    }
  }
  struct vma *v = vma_add(mm, addr, addr + len, prot, flags, ip ? VMA_FILE : VMA_ANON);
  if (!v) {
    release(&mm->lock);
    return -ENOMEM;
  }
  if (ip) {
    v->file = ip;
    v->file_off = off;
    v->file_end = addr + len;
  }
  if (((flags & MAP_TYPE) == MAP_SHARED && !ip) || (flags & MAP_POPULATE)) {
    if (populate(mm, addr, addr + len) < 0) {
      unmap_range(mm, addr, addr + len);
      release(&mm->lock);
      return -ENOMEM;
    }
  }
  release(&mm->lock);
  return addr;
}

long sys_munmap(uint64 addr, uint64 len)
{
  struct mm *mm = myproc()->mm;
  if ((addr & (PGSIZE - 1)) || len == 0 || addr + len < addr)
    return -EINVAL;
  acquire(&mm->lock);
  int r = unmap_range(mm, addr, PGROUNDUP(addr + len));
  release(&mm->lock);
  return r < 0 ? r : 0;
}

struct prot_ctx {
  int prot;
};

static void mprotect_pte(pte_t *pte, uint64 va, void *arg)
{
  (void)va;
  struct prot_ctx *c = arg;
  uint64 pa = PTE2PA(*pte);
  uint64 perm = prot_to_pte(c->prot);
  uint64 cow = *pte & PTE_COW;
  if ((perm & PTE_W) && !frame_managed(pa))
    cow = PTE_COW;   // a kernel-image (initramfs) page is never writable in place
  if (cow)
    perm &= ~PTE_W;
  *pte = PA2PTE(pa) | perm | cow | PTE_V | PTE_A | PTE_D;
}

long sys_mprotect(uint64 addr, uint64 len, int prot)
{
  struct mm *mm = myproc()->mm;
  if ((addr & (PGSIZE - 1)) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
    return -EINVAL;
  uint64 end = PGROUNDUP(addr + len);
  if (end < addr)
    return -ENOMEM;
  if (end == addr)
    return 0;
  acquire(&mm->lock);
  uint64 a = addr;
  for (struct vma *v = mm->vmas; v && a < end; v = v->next) {
    if (v->end <= a)
      continue;
    if (v->start > a)
      break;
    if (v->kind == VMA_FILE && vma_shared(v) && (prot & PROT_WRITE)) {
      release(&mm->lock);
      return -EACCES;
    }
    a = v->end;
  }
  if (a < end) {
    release(&mm->lock);
    return -ENOMEM;   // a hole in the range
  }
  if (vma_cut(mm, addr, end) < 0) {
    release(&mm->lock);
    return -ENOMEM;
  }
  for (struct vma *v = mm->vmas; v; v = v->next)
    if (v->start >= addr && v->end <= end)
      v->prot = prot;
  struct prot_ctx ctx = {prot};
  pt_for_each(mm->pagetable, addr, end, mprotect_pte, &ctx);
  mm_shootdown(mm);
  release(&mm->lock);
  return 0;
}

long sys_madvise(uint64 addr, uint64 len, int advice)
{
  (void)addr;
  (void)len;
  (void)advice;
  return 0;
}

// Attach a SysV segment's frames as an area.  The caller has counted the
// attachment in seg->nattch; the new area owns that count (and a failure
// here drops it).  Called by shm.c; mm->lock not held.
long mm_attach_shm(struct mm *mm, uint64 addr, uint64 len, int prot, struct shmseg *seg,
                   const uint64 *frames)
{
  acquire(&mm->lock);
  long err = -ENOMEM;
  if (addr == 0) {
    addr = find_free(mm, len);
  } else if (!range_free(mm, addr, addr + len)) {
    addr = 0;
    err = -EINVAL;
  }
  struct vma *v = addr ? vma_add(mm, addr, addr + len, prot, MAP_SHARED, VMA_SHM) : 0;
  if (!v) {
    release(&mm->lock);
    shm_vma_drop(seg);
    return err;
  }
  v->shm = seg;
  v->file_off = 0;   // offset into the segment
  uint64 perm = prot_to_pte(prot);
  for (uint64 i = 0; i < len / PGSIZE; i++) {
    if (map_pages(mm->pagetable, addr + i * PGSIZE, PGSIZE, frames[i], perm) < 0) {
      unmap_range(mm, addr, addr + len);   // drops the pages mapped so far and the area
      release(&mm->lock);
      return -ENOMEM;
    }
    frame_get(frames[i]);
  }
  release(&mm->lock);
  return addr;
}

// Detach the shm area that starts at addr.  -EINVAL if there is none.
long mm_detach_shm(struct mm *mm, uint64 addr)
{
  acquire(&mm->lock);
  struct vma *v = vma_find(mm, addr);
  if (!v || v->kind != VMA_SHM || v->start != addr) {
    release(&mm->lock);
    return -EINVAL;
  }
  struct shmseg *seg = v->shm;
  uint64 end = v->end;
  // The whole attachment: the pieces mprotect left, which continue both the
  // addresses and the segment offsets (another attachment of the same
  // segment right next to it starts again at offset 0).
  if (v->file_off != 0) {
    release(&mm->lock);
    return -EINVAL;
  }
  for (struct vma *w = v->next; w && w->kind == VMA_SHM && w->shm == seg && w->start == end &&
                                w->file_off == end - addr;
       w = w->next)
    end = w->end;
  unmap_range(mm, addr, end);
  release(&mm->lock);
  return 0;
}
