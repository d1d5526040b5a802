// SysV shared memory segments (seed 003): shmget allocates the frames,
// shmat maps them into an address space, shmdt unmaps them.
#ifndef SHM_H
#define SHM_H
#include "types.h"
#include "param.h"

#define SHM_MAXPAGES 512      // 2 MiB per segment: the frame list fits one page

// shm_lock protects every field.  The segment holds one reference on each
// of its frames; each mapping holds another.  A segment goes away when it
// has been removed (IPC_RMID) and no area is attached (nattch == 0).
struct shmseg {
  int used;
  int key;                    // IPC_PRIVATE (0) or the user's key
  int id;                     // shmid given to user space
  int removed;                // IPC_RMID done
  int mode;                   // permission bits from shmget
  int cpid, lpid;             // creator, last shmat/shmdt
  uint64 size;                // bytes asked for
  int npages;
  int nattch;                 // areas (struct vma) attached
  uint64 *frames;             // physical addresses, npages entries (one page)
};

extern struct shmseg shm_segs[NSHM];

#endif
