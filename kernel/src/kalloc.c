// Physical memory allocator, for user pages, page tables, kernel stacks,
// trapframes and pipe buffers: a binary buddy system over the RAM above the
// kernel image, with a reference count per frame (seed 000's frame
// reference manager).
//
// Ownership: an allocation starts with refcnt 1.  Whoever shares a frame
// (fork's copy-on-write, shared mappings, SysV shm) calls frame_get(); every
// owner drops it with frame_put(), and the last one frees it.  A block of
// several frames is counted on its first frame and freed as a whole.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "kalloc.h"
#include "defs.h"

struct frame_allocator kmem;

static struct frame *frame_of(uint64 idx) { return &kmem.frames[idx]; }
static uint64 idx_of(uint64 pa) { return (pa >> PGSHIFT) - kmem.base_ppn; }
static uint64 pa_of(uint64 idx) { return (idx + kmem.base_ppn) << PGSHIFT; }

static void list_init(struct free_block *head) { head->next = head->prev = head; }

static void list_add(struct free_block *head, struct free_block *b)
{
  b->next = head->next;
  b->prev = head;
  head->next->prev = b;
  head->next = b;
}

static void list_del(struct free_block *b)
{
  b->prev->next = b->next;
  b->next->prev = b->prev;
}

// Put block idx of the given order on its free list.  kmem.lock held.
static void add_free(uint64 idx, int order)
{
  struct frame *f = frame_of(idx);
  f->flags = FRAME_FREE;
  f->order = order;
  f->refcnt = 0;
  list_add(&kmem.free_area[order], (struct free_block *)pa_of(idx));
  kmem.nblocks[order]++;
}

static void remove_free(uint64 idx, int order)
{
  frame_of(idx)->flags = 0;
  list_del((struct free_block *)pa_of(idx));
  kmem.nblocks[order]--;
}

// Manage [start, end): the metadata array goes first, frames follow.
void kalloc_init(uint64 start, uint64 end)
{
  initlock(&kmem.lock, "kmem");
  start = PGROUNDUP(start);
  uint64 upper = (end - start) / PGSIZE;
  uint64 meta = PGROUNDUP(upper * sizeof(struct frame));
  kmem.frames = (struct frame *)start;
  kmem.base_ppn = (start + meta) >> PGSHIFT;
  kmem.nframes = (end >> PGSHIFT) - kmem.base_ppn;
  memset(kmem.frames, 0, meta);
  for (int o = 0; o < MAX_ORDER; o++)
    list_init(&kmem.free_area[o]);
  uint64 idx = 0;
  while (idx < kmem.nframes) {
    int order = MAX_ORDER - 1;
    while (order > 0 && ((idx & ((1UL << order) - 1)) || idx + (1UL << order) > kmem.nframes))
      order--;
    add_free(idx, order);
    idx += 1UL << order;
  }
  kmem.nfree = kmem.nframes;
}

// Allocate 2^order contiguous frames, not zeroed; refcnt 1.  0 when out of memory.
void *kalloc_pages(int order)
{
  acquire(&kmem.lock);
  int o = order;
  while (o < MAX_ORDER && kmem.free_area[o].next == &kmem.free_area[o])
    o++;
  if (o == MAX_ORDER) {
    release(&kmem.lock);
    return 0;
  }
  uint64 idx = idx_of((uint64)kmem.free_area[o].next);
  remove_free(idx, o);
  while (o > order) {
    o--;
    add_free(idx + (1UL << o), o);
  }
  struct frame *f = frame_of(idx);
  f->order = order;
  f->refcnt = 1;
  kmem.nfree -= 1UL << order;
  release(&kmem.lock);
  return (void *)pa_of(idx);
}

// Return a block to the buddy lists, merging with free buddies.
static void free_block(uint64 idx)
{
  acquire(&kmem.lock);
  int order = frame_of(idx)->order;
  kmem.nfree += 1UL << order;
  while (order < MAX_ORDER - 1) {
    uint64 buddy = idx ^ (1UL << order);
    if (buddy + (1UL << order) > kmem.nframes)
      break;
    struct frame *b = frame_of(buddy);
    if (!(b->flags & FRAME_FREE) || b->order != order)
      break;
    remove_free(buddy, order);
    idx = MIN(idx, buddy);
    order++;
  }
  add_free(idx, order);
  release(&kmem.lock);
}

void *kalloc(void)
{
  return kalloc_pages(0);
}

// A zeroed frame.
void *kzalloc(void)
{
  void *pa = kalloc_pages(0);
  if (pa)
    memset(pa, 0, PGSIZE);
  return pa;
}

int frame_managed(uint64 pa)
{
  uint64 ppn = pa >> PGSHIFT;
  return ppn >= kmem.base_ppn && ppn < kmem.base_ppn + kmem.nframes;
}

// Add an owner to the frame (or block) at pa.  Unmanaged frames are ignored.
void frame_get(uint64 pa)
{
  if (!frame_managed(pa))
    return;
  struct frame *f = frame_of(idx_of(pa));
  if (__atomic_fetch_add(&f->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
    panic("frame_get: frame %p is free", pa);
}

// Drop an owner; the last one frees the block.
void frame_put(uint64 pa)
{
  if (!frame_managed(pa))
    return;
  uint64 idx = idx_of(pa);
  struct frame *f = frame_of(idx);
  uint32 old = __atomic_fetch_sub(&f->refcnt, 1, __ATOMIC_ACQ_REL);
  if (old == 0)
    panic("frame_put: frame %p already free", pa);
  if (old == 1)
    free_block(idx);
}

void kfree(void *pa)
{
  frame_put((uint64)pa);
}

uint32 frame_refcnt(uint64 pa)
{
  if (!frame_managed(pa))
    return 0;
  return __atomic_load_n(&frame_of(idx_of(pa))->refcnt, __ATOMIC_ACQUIRE);
}

uint64 kalloc_nfree(void)
{
  return kmem.nfree;
}
