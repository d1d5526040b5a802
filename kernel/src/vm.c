// Page tables: the kernel's identity map, user page tables, and checked
// copies between kernel and user memory.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "linux.h"
#include "defs.h"

pagetable_t kernel_pagetable;
extern char etext[], trampoline[], sigtramp[];

// The PTE for va at level 0, creating page-table pages if alloc.  Returns 0
// if a table is missing (and !alloc) or allocation fails.
pte_t *walk(pagetable_t pt, uint64 va, int alloc)
{
  if (va >= MAXVA && pt != kernel_pagetable)
    return 0;
  for (int level = 2; level > 0; level--) {
    pte_t *pte = &pt[PX(level, va)];
    if (*pte & PTE_V) {
      if (PTE_LEAF(*pte))
        return pte;   // a kernel megapage
      pt = (pagetable_t)PTE2PA(*pte);
    } else {
      if (!alloc || (pt = (pagetable_t)kzalloc()) == 0)
        return 0;
      *pte = PA2PTE(pt) | PTE_V;
    }
  }
  return &pt[PX(0, va)];
}

// Map [va, va+size) to [pa, ...) with perm.  Returns 0, or -1 if a page
// table could not be allocated.  Remapping a valid page is a kernel bug.
int map_pages(pagetable_t pt, uint64 va, uint64 size, uint64 pa, uint64 perm)
{
  uint64 a = PGROUNDDOWN(va), last = PGROUNDDOWN(va + size - 1);
  for (;; a += PGSIZE, pa += PGSIZE) {
    pte_t *pte = walk(pt, a, 1);
    if (!pte)
      return -1;
    if (*pte & PTE_V)
      panic("map_pages: remap of %p", a);
    *pte = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
    if (a == last)
      break;
  }
  return 0;
}

static void kmap_megapage(uint64 va, uint64 pa, uint64 perm)
{
  pte_t *l2 = &kernel_pagetable[PX(2, va)];
  pagetable_t l1;
  if (*l2 & PTE_V) {
    l1 = (pagetable_t)PTE2PA(*l2);
  } else {
    l1 = kzalloc();
    *l2 = PA2PTE(l1) | PTE_V;
  }
  l1[PX(1, va)] = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
}

// Identity-map [start, end) using megapages where alignment allows.
static void kmap_range(uint64 start, uint64 end, uint64 perm)
{
  uint64 a = start;
  while (a < end) {
    if ((a & (MEGAPAGE - 1)) == 0 && a + MEGAPAGE <= end) {
      kmap_megapage(a, a, perm);
      a += MEGAPAGE;
    } else {
      if (map_pages(kernel_pagetable, a, PGSIZE, a, perm) < 0)
        panic("kvm_init: out of memory");
      a += PGSIZE;
    }
  }
}

// Build the kernel page table: devices, kernel text (R-X), the rest of RAM
// (RW-), the trampoline.
void kvm_init(uint64 ram_end)
{
  kernel_pagetable = kzalloc();
  kmap_range(SYSCON, SYSCON + PGSIZE, PTE_R | PTE_W);
  kmap_range(PLIC, PLIC + PLIC_SIZE, PTE_R | PTE_W);
  kmap_range(UART0, UART0 + PGSIZE, PTE_R | PTE_W);
  kmap_range(KERNBASE, (uint64)etext, PTE_R | PTE_X);
  kmap_range((uint64)etext, ram_end, PTE_R | PTE_W);
  if (map_pages(kernel_pagetable, TRAMPOLINE, PGSIZE, (uint64)trampoline, PTE_R | PTE_X) < 0)
    panic("kvm_init: trampoline");
}

// Turn on paging with the kernel page table on this hart.
void kvm_init_hart(void)
{
  sfence_vma();
  w_satp(MAKE_SATP(kernel_pagetable));
  sfence_vma();
}

// A new user page table with the trampoline and the sigreturn page.
pagetable_t uvm_create(void)
{
  pagetable_t pt = kzalloc();
  if (!pt)
    return 0;
  if (map_pages(pt, TRAMPOLINE, PGSIZE, (uint64)trampoline, PTE_R | PTE_X) < 0 ||
      map_pages(pt, SIGTRAMP, PGSIZE, (uint64)sigtramp, PTE_R | PTE_X | PTE_U) < 0) {
    uvm_free(pt);
    return 0;
  }
  return pt;
}

// Call fn on every valid leaf PTE mapping a page in [start, end), skipping
// absent tables a whole 1 GiB or 2 MiB at a time.
void pt_for_each(pagetable_t pt, uint64 start, uint64 end,
                 void (*fn)(pte_t *pte, uint64 va, void *arg), void *arg)
{
  uint64 va = start;
  while (va < end) {
    pte_t l2 = pt[PX(2, va)];
    uint64 gig_end = (va | ((1UL << 30) - 1)) + 1;
    if (!(l2 & PTE_V)) {
      va = gig_end;
      continue;
    }
    pagetable_t t1 = (pagetable_t)PTE2PA(l2);
    for (; va < end && va < gig_end; va = (va | (MEGAPAGE - 1)) + 1) {
      pte_t l1 = t1[PX(1, va)];
      if (!(l1 & PTE_V))
        continue;
      pte_t *pte = &((pagetable_t)PTE2PA(l1))[PX(0, va)];
      uint64 stop = MIN(end, (va | (MEGAPAGE - 1)) + 1);
      for (uint64 a = va; a < stop; a += PGSIZE, pte++)
        if (*pte & PTE_V)
          fn(pte, a, arg);
    }
  }
}

static void free_tables(pagetable_t pt, int level)
{
  for (int i = 0; i < 512; i++) {
    pte_t pte = pt[i];
    if ((pte & PTE_V) && !PTE_LEAF(pte) && level > 0)
      free_tables((pagetable_t)PTE2PA(pte), level - 1);
  }
  kfree(pt);
}

// Free the page-table pages.  The caller has unmapped every area first;
// what is left (trampoline, sigreturn page, trapframes) is not owned by the
// page table.
void uvm_free(pagetable_t pt)
{
  free_tables(pt, 2);
}

// Unmapping takes two steps so that no frame is reused while some hart may
// still reach it through a stale TLB entry: uvm_unmap_begin() clears V in
// every PTE of the range but keeps the frame number; the caller then shoots
// down other harts' TLBs (mm_shootdown); uvm_unmap_finish() drops the frames
// and frees the level-0 tables of whole 2 MiB regions.  V=0 PTEs that still
// hold a frame number exist only between the two steps.  mm->lock held.
static void invalidate_pte(pte_t *pte, uint64 va, void *arg)
{
  (void)va;
  (void)arg;
  *pte &= ~PTE_V;
}

void uvm_unmap_begin(pagetable_t pt, uint64 start, uint64 end)
{
  pt_for_each(pt, start, end, invalidate_pte, 0);
}

// The level-0 table for va, or 0.
static pagetable_t l0_table(pagetable_t pt, uint64 va, pte_t **l1out)
{
  pte_t l2 = pt[PX(2, va)];
  if (!(l2 & PTE_V))
    return 0;
  pte_t *l1 = &((pagetable_t)PTE2PA(l2))[PX(1, va)];
  *l1out = l1;
  if (!(*l1 & PTE_V) || PTE_LEAF(*l1))
    return 0;
  return (pagetable_t)PTE2PA(*l1);
}

void uvm_unmap_finish(pagetable_t pt, uint64 start, uint64 end)
{
  for (uint64 va = start; va < end;) {
    uint64 region_end = MIN(end, (va | (MEGAPAGE - 1)) + 1);
    pte_t *l1;
    pagetable_t t0 = l0_table(pt, va, &l1);
    if (t0) {
      for (uint64 a = va; a < region_end; a += PGSIZE) {
        pte_t *pte = &t0[PX(0, a)];
        if (*pte && !(*pte & PTE_V)) {
          frame_put(PTE2PA(*pte));
          *pte = 0;
        }
      }
      if ((va & (MEGAPAGE - 1)) == 0 && region_end - va == MEGAPAGE) {
        kfree(t0);   // nothing else can live in a region the range covers
        *l1 = 0;
      }
    }
    va = region_end;
  }
}

// Is this user PTE good for the access without a fault?
static int pte_allows(pte_t pte, int access)
{
  if ((pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
    return 0;
  if ((access & ACC_WRITE) && !(pte & PTE_W))
    return 0;
  if ((access & ACC_READ) && !(pte & PTE_R))
    return 0;
  if ((access & ACC_EXEC) && !(pte & PTE_X))
    return 0;
  return 1;
}

// Physical address for user va, faulting in lazy and copy-on-write pages as
// a user access would.  0 if the access is not allowed.  mm->lock held.
uint64 uva2pa_locked(struct mm *mm, uint64 va, int access)
{
  if (va >= MAXVA)
    return 0;
  pte_t *pte = walk(mm->pagetable, va, 0);
  if (!pte || !pte_allows(*pte, access)) {
    if (mm_fault_locked(mm, va, access) < 0)
      return 0;
    pte = walk(mm->pagetable, va, 0);
    if (!pte || !pte_allows(*pte, access))
      return 0;
  }
  return PTE2PA(*pte) | (va & (PGSIZE - 1));
}

uint64 uva2pa(struct mm *mm, uint64 va, int access)
{
  acquire(&mm->lock);
  uint64 pa = uva2pa_locked(mm, va, access);
  release(&mm->lock);
  return pa;
}

// Copy len bytes from kernel src to user dst.  0, or -EFAULT.
int copyout(struct mm *mm, uint64 dst, const void *src, uint64 len)
{
  const char *s = src;
  acquire(&mm->lock);
  while (len > 0) {
    uint64 pa = uva2pa_locked(mm, dst, ACC_WRITE);
    if (!pa) {
      release(&mm->lock);
      return -EFAULT;
    }
    uint64 n = MIN(PGSIZE - (dst & (PGSIZE - 1)), len);
    memmove((void *)pa, s, n);
    len -= n;
    s += n;
    dst += n;
  }
  release(&mm->lock);
  return 0;
}

// Copy len bytes from user src to kernel dst.  0, or -EFAULT.
int copyin(struct mm *mm, void *dst, uint64 src, uint64 len)
{
  char *d = dst;
  acquire(&mm->lock);
  while (len > 0) {
    uint64 pa = uva2pa_locked(mm, src, ACC_READ);
    if (!pa) {
      release(&mm->lock);
      return -EFAULT;
    }
    uint64 n = MIN(PGSIZE - (src & (PGSIZE - 1)), len);
    memmove(d, (void *)pa, n);
    len -= n;
    d += n;
    src += n;
  }
  release(&mm->lock);
  return 0;
}

// Copy a NUL-terminated string of at most max bytes (with the NUL) from
// user src.  Returns its length, -EFAULT, or -ENAMETOOLONG.
long copyinstr(struct mm *mm, char *dst, uint64 src, uint64 max)
{
  uint64 got = 0;
  acquire(&mm->lock);
  while (got < max) {
    uint64 pa = uva2pa_locked(mm, src, ACC_READ);
    if (!pa) {
      release(&mm->lock);
      return -EFAULT;
    }
    uint64 n = MIN(PGSIZE - (src & (PGSIZE - 1)), max - got);
    const char *p = (const char *)pa;
    for (uint64 i = 0; i < n; i++) {
      dst[got] = p[i];
      if (p[i] == 0) {
        release(&mm->lock);
        return got;
      }
      got++;
    }
    src += n;
  }
  release(&mm->lock);
  return -ENAMETOOLONG;
}

int put_user32(struct mm *mm, uint64 uaddr, uint32 v)
{
  return copyout(mm, uaddr, &v, 4);
}

int get_user32(struct mm *mm, uint64 uaddr, uint32 *v)
{
  return copyin(mm, v, uaddr, 4);
}

int put_user64(struct mm *mm, uint64 uaddr, uint64 v)
{
  return copyout(mm, uaddr, &v, 8);
}

int get_user64(struct mm *mm, uint64 uaddr, uint64 *v)
{
  return copyin(mm, v, uaddr, 8);
}
