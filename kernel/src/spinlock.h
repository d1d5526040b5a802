// Mutual exclusion spin lock.  Holding one disables interrupts on this hart.
#ifndef SPINLOCK_H
#define SPINLOCK_H
#include "types.h"

struct spinlock {
  uint32 locked;      // 1 while held (amoswap)
  const char *name;   // for panics and the monitor
  struct cpu *cpu;    // the hart holding it
};

#endif
