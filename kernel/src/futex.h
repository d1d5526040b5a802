// Futex wait queues: a hash table of buckets, each a list of waiting tasks
// (struct proc, linked through proc->fw.next) in arrival order.
#ifndef FUTEX_H
#define FUTEX_H
#include "types.h"
#include "param.h"
#include "spinlock.h"

// A waiter's key is (address space, user address) for a private mapping
// and (0, physical address) for a shared one, so processes sharing memory
// meet on the same queue.
struct futex_bucket {
  struct spinlock lock;       // protects the list and every waiter's fw fields
  struct proc *head;          // first waiter, or 0
};

extern struct futex_bucket futex_table[NFUTEX_HASH];

#endif
