// The kernel log ring and the panic record, both read by the monitor.
#ifndef KLOG_H
#define KLOG_H
#include "types.h"
#include "param.h"
#include "spinlock.h"

// Every byte the kernel prints, and klog()-only messages, in a ring.
// The byte written n-th (from 0) is buf[n % KLOG_SIZE]; `len` never wraps,
// so the live text is the last MIN(len, KLOG_SIZE) bytes.
struct klog {
  struct spinlock lock;
  uint64 len;
  char buf[KLOG_SIZE];
};
extern struct klog klog;

// Filled by panic() before it halts the harts.
struct panic_record {
  int active;                 // 1 once the kernel has panicked
  int hart;                   // hart that panicked (-1 if tp was not a struct cpu)
  int tid;                    // task running there, or 0
  uint64 epc;                 // return address of the panic() call
  uint64 time;                // rdtime at the panic
  char msg[256];
};
extern struct panic_record panic_record;

#endif
