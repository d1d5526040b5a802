// Address spaces and mmap areas.
#ifndef VM_H
#define VM_H
#include "types.h"
#include "param.h"
#include "spinlock.h"

enum vma_kind { VMA_ANON, VMA_FILE, VMA_BRK, VMA_STACK, VMA_SHM };

// One mmap area: [start, end), page aligned.  Pages are filled on first
// touch (lazy): anonymous ones with zeros, file ones from the initramfs.
struct vma {
  uint64 start, end;
  int prot;                   // PROT_READ | PROT_WRITE | PROT_EXEC
  int flags;                  // MAP_SHARED / MAP_PRIVATE, MAP_ANONYMOUS, ...
  enum vma_kind kind;
  struct inode *file;         // VMA_FILE: the initramfs file
  uint64 file_off;            // VMA_FILE/VMA_SHM: file (segment) offset that maps at start
  uint64 file_end;            // VMA_FILE: user address where file data ends (zeros after)
  struct shmseg *shm;         // VMA_SHM: the segment
  struct vma *next;           // next area by address (mm->lock)
};

// An address space, shared by threads (CLONE_VM).
// mm->lock protects the page table, the area list and brk.
// Lock order: futex bucket locks, then mm->lock, then the frame allocator.
struct mm {
  struct spinlock lock;
  int refs;                   // tasks using it (lock); >1 means TLB shootdowns
  pagetable_t pagetable;      // root page-table page (physical address)
  struct vma *vmas;           // areas sorted by start
  uint64 brk_start;           // first byte of the heap
  uint64 brk;                 // current program break
  uint64 mmap_hint;           // where the next top-down search starts
  uint64 tf_slots[NTFSLOT / 64]; // trapframe slots in use (bitmap)
  uint64 hart_mask;           // harts that have run it in user mode (atomic or)
};

extern struct mm mm_table[NMM];
extern struct vma vma_pool[NVMA];

#endif
