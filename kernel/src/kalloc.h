// Physical frames: a buddy allocator plus one reference count per frame.
#ifndef KALLOC_H
#define KALLOC_H
#include "types.h"
#include "spinlock.h"

#define MAX_ORDER 11          // blocks of 2^0 .. 2^10 frames (4 KiB .. 4 MiB)

// Per-frame metadata, one entry per managed frame: kmem.frames[ppn - kmem.base_ppn].
// Frames below base_ppn (firmware, the kernel image with its initramfs, this
// array) are not managed: they have no count and are never freed.
struct frame {
  uint32 refcnt;              // owners (mappings, kernel users); 0 = free
  uint8 order;                // for a block head: the block's order
  uint8 flags;                // FRAME_FREE: head of a free block on free_area[order]
  uint16 _pad;
};
#define FRAME_FREE 1

// A free block's list node, kept inside the free block's first bytes.
struct free_block {
  struct free_block *next, *prev;
};

struct frame_allocator {
  struct spinlock lock;       // protects the free lists and flags/order; refcnt is atomic
  uint64 base_ppn;            // first managed frame
  uint64 nframes;             // number of managed frames
  uint64 nfree;               // free frames now (lock)
  uint64 nblocks[MAX_ORDER];  // free blocks per order (lock)
  struct frame *frames;       // metadata array, nframes entries
  struct free_block free_area[MAX_ORDER]; // circular list heads (lock)
};
extern struct frame_allocator kmem;

#endif
