// Compile-time limits.  Tables sized by these are plain global arrays so the
// monitor can walk them by their DWARF names.
#ifndef PARAM_H
#define PARAM_H

#define NCPU          8       // harts this kernel can drive (hart ids 0..NCPU-1)
#define NPROC       128       // tasks (processes and threads) at once
#define NOFILE       64       // open files per file table
#define NFILE       256       // open files in the whole system
#define NMM         NPROC     // address spaces
#define NVMA       1024       // mmap areas in the whole system
#define NSIGHAND     64       // signal-action tables (one per process, shared by its threads)
#define NSHM         32       // SysV shared memory segments
#define NFUTEX_HASH  64       // futex hash buckets
#define NTFSLOT     256       // trapframe slots per address space (threads)
#define MAXARG       64       // argv/envp entries for execve
#define MAXARGBYTES  (4*4096) // argv+envp string bytes for execve
#define MAXPATH     256
#define KSTACK_ORDER  2       // kernel stack: 2^2 pages = 16 KiB
#define KSTACK_SIZE   (4096 << KSTACK_ORDER)
#define BOOTSTACK_SIZE 16384  // per-hart boot/scheduler stack
#define TICK_HZ     100       // scheduler tick
#define KLOG_SIZE   16384     // kernel log ring, bytes
#define USTACK_MAX  (8ul << 20) // user stack area (lazy), like RLIMIT_STACK
#define NSIG         64

#endif
