// Tasks, harts and the trap frame.
//
// A task (struct proc) is one schedulable thread.  Tasks of one process
// share a thread group (struct tgroup), and usually an address space
// (struct mm), a file table and signal actions; each of those is reference
// counted.  The process id is the group leader's tid (tgid).
#ifndef PROC_H
#define PROC_H
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "trapframe.h"
#include "bugs.h"
#include "linux.h"

// Callee-saved registers for kernel context switches (swtch.S).
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
};

// Per-hart state.  In kernel mode tp always holds the hart id, and
// mycpu() is &cpus[tp].  Only this hart writes its own struct cpu.
struct cpu {
  struct proc *proc;          // task running on this hart, or NULL
  struct context context;     // the scheduler loop's context; swtch() here to enter it
  int noff;                   // depth of push_off() nesting
  int intena;                 // were interrupts enabled before push_off()?
  int hartid;
  int online;                 // 1 once this hart runs the scheduler
  int idle;                   // 1 while waiting for work in the scheduler
  uint64 ticks;               // timer interrupts taken
  uint64 instret;             // instructions retired, sampled at each tick
  uint64 start_instret;       // instret when this hart entered the kernel
  uint64 idle_instret;        // counted while waiting in wfi
  int sampled;                // instret sampled for power off
  uint64 next_timer;          // when this hart's timer fires next (timebase ticks)
  struct mm *user_mm;         // address space it runs in user mode now, or 0
  uint64 boot_stack;          // top of this hart's boot/scheduler stack
  int halted;                 // 1 once stopped for good by a panic (panic_halt_loop)
#ifdef BUG_TP_LOST
  uint64 user_tp;             // BUG tp-lost: user tp parked per hart, not per thread
#endif
};

extern struct cpu cpus[NCPU];

// Saved user state of one thread, on its own page.  The page is mapped
// kernel-only at TRAPFRAME(tf_slot) in the thread's address space so that
// uservec can store registers before it switches to the kernel page table;
// the kernel reaches it through proc->trapframe (its physical address).
// Only the owning thread writes it, except fork/clone/exec/signal delivery,
// which write the child's or their own before it returns to user mode.
// The page is never shared: fork gives the child a fresh copy.
struct trapframe {
  /*   0 */ uint64 kernel_satp;   // kernel page table
  /*   8 */ uint64 kernel_sp;     // top of this thread's kernel stack
  /*  16 */ uint64 kernel_trap;   // usertrap()
  /*  24 */ uint64 epc;           // user pc
  /*  32 */ uint64 kernel_hartid; // hart that last returned to user: uservec puts it in tp
  /*  40 */ uint64 ra;
  /*  48 */ uint64 sp;
  /*  56 */ uint64 gp;
  /*  64 */ uint64 tp;            // the user's thread pointer (TLS)
  /*  72 */ uint64 t0;
  /*  80 */ uint64 t1;
  /*  88 */ uint64 t2;
  /*  96 */ uint64 s0;
  /* 104 */ uint64 s1;
  /* 112 */ uint64 a0;
  /* 120 */ uint64 a1;
  /* 128 */ uint64 a2;
  /* 136 */ uint64 a3;
  /* 144 */ uint64 a4;
  /* 152 */ uint64 a5;
  /* 160 */ uint64 a6;
  /* 168 */ uint64 a7;
  /* 176 */ uint64 s2;
  /* 184 */ uint64 s3;
  /* 192 */ uint64 s4;
  /* 200 */ uint64 s5;
  /* 208 */ uint64 s6;
  /* 216 */ uint64 s7;
  /* 224 */ uint64 s8;
  /* 232 */ uint64 s9;
  /* 240 */ uint64 s10;
  /* 248 */ uint64 s11;
  /* 256 */ uint64 t3;
  /* 264 */ uint64 t4;
  /* 272 */ uint64 t5;
  /* 280 */ uint64 t6;
  /* 288 */ uint64 f[32];         // saved by usertrap() when sstatus.FS is dirty
  /* 544 */ uint64 fcsr;
};

#define TF_CHECK(field, off) \
  _Static_assert(offsetof(struct trapframe, field) == off, "trampoline.S offset of " #field)
TF_CHECK(kernel_satp, TF_KERNEL_SATP); TF_CHECK(kernel_sp, TF_KERNEL_SP);
TF_CHECK(kernel_trap, TF_KERNEL_TRAP); TF_CHECK(epc, TF_EPC);
TF_CHECK(kernel_hartid, TF_KERNEL_HARTID); TF_CHECK(ra, TF_RA); TF_CHECK(sp, TF_SP);
TF_CHECK(gp, TF_GP); TF_CHECK(tp, TF_TP); TF_CHECK(t0, TF_T0); TF_CHECK(t1, TF_T1);
TF_CHECK(t2, TF_T2); TF_CHECK(s0, TF_S0); TF_CHECK(s1, TF_S1); TF_CHECK(a0, TF_A0);
TF_CHECK(a1, TF_A1); TF_CHECK(a2, TF_A2); TF_CHECK(a3, TF_A3); TF_CHECK(a4, TF_A4);
TF_CHECK(a5, TF_A5); TF_CHECK(a6, TF_A6); TF_CHECK(a7, TF_A7); TF_CHECK(s2, TF_S2);
TF_CHECK(s3, TF_S3); TF_CHECK(s4, TF_S4); TF_CHECK(s5, TF_S5); TF_CHECK(s6, TF_S6);
TF_CHECK(s7, TF_S7); TF_CHECK(s8, TF_S8); TF_CHECK(s9, TF_S9); TF_CHECK(s10, TF_S10);
TF_CHECK(s11, TF_S11); TF_CHECK(t3, TF_T3); TF_CHECK(t4, TF_T4); TF_CHECK(t5, TF_T5);
TF_CHECK(t6, TF_T6); TF_CHECK(f, TF_F0); TF_CHECK(fcsr, TF_FCSR);
_Static_assert(sizeof(struct trapframe) <= 4096, "trapframe fits its page");

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE, DEAD };

// What a process's threads share about being one process.
struct tgroup {
  struct spinlock lock;
  int refs;                   // tasks pointing here (lock)
  int live;                   // tasks of the group not yet exited (lock)
  int exiting;                // exit_group() or a fatal signal under way (lock)
  int exit_code;              // wait status for the whole group (lock)
  struct proc *leader;        // the task whose tid is the pid
};

// Signal actions, shared by CLONE_SIGHAND.
struct sighand {
  struct spinlock lock;
  int refs;
  struct ksigaction action[NSIG];  // index sig-1
};

// The current directory, shared by CLONE_FS (pthreads share it; fork
// copies it).
struct fs_struct {
  struct spinlock lock;
  int refs;                   // tasks pointing here (pool_lock)
  struct inode *cwd;          // current directory (lock to change it)
};

// Why a task is asleep, for the monitor: futex waits have their own record.
struct futex_waiter {
  uint64 key_mm;              // address space (private futex) or 0 (shared)
  uint64 key_addr;            // user address (private) or physical address (shared)
  uint32 bitset;              // FUTEX_WAIT_BITSET mask
  int queued;                 // 1 while on a futex_table bucket (bucket lock)
  struct proc *next;          // next waiter in the same bucket (bucket lock)
  struct futex_bucket *bucket;// the bucket it is queued on (changes on requeue)
  uint64 uaddr;               // the user address waited on, as given
};

// What siginfo to give a pending signal (the classic 31; others get SI_USER).
// Fault signals (SIGSEGV, SIGBUS, SIGILL, SIGTRAP) also carry where the
// fault happened, in proc->fault.
struct sigrec {
  int32 code;                 // si_code
  int32 pid;                  // sender
  int32 status;               // SIGCHLD: wait status
  uint64 addr;                // faults: si_addr
  uint64 cause;               // faults: scause (0 for signals that are not faults)
  uint64 pc;                  // faults: sepc
};

struct sigcause {
  int32 code;
  int32 pid;
  int32 status;
};

struct proc {
  struct spinlock lock;

  // p->lock must be held when using these:
  enum procstate state;
  void *chan;                 // sleeping on chan, if non-zero
  const char *wchan;          // what it sleeps for ("wait4", "futex", ...)
  uint64 wake_at;             // time at which a timed sleep ends, or 0
  int killed;                 // must exit at the next chance
  int xstate;                 // exit status for wait4 (Linux wait encoding)
  int tid;                    // task id; the pid is tgid
  int cpu;                    // hart it runs or last ran on

  // wait_lock must be held when using this:
  struct proc *parent;        // group leader of the parent process

  // wait_lock must be held when using these too:
  struct proc *vfork_parent;  // CLONE_VFORK child: the task waiting for exec/exit
  int vfork_child;            // CLONE_VFORK parent: tid it waits for, or 0

  // These are private to the task (or set before it first runs):
  int tgid;                   // thread group id = pid
  struct tgroup *group;
  uint64 kstack;              // bottom of the kernel stack (KSTACK_SIZE)
  struct trapframe *trapframe;// physical (= kernel) address of the trapframe page
  int tf_slot;                // the trapframe is mapped at TRAPFRAME(tf_slot)
  struct context context;     // swtch() here to run the task
  struct mm *mm;              // address space
  struct files *files;        // file descriptor table
  struct sighand *sighand;    // signal actions
  struct fs_struct *fs;       // current directory (shared by CLONE_FS)
  uint64 sigmask;             // blocked signals (bit sig-1)
  uint64 sigpending;          // pending signals (lock)
  uint64 saved_sigmask;       // rt_sigsuspend: the mask to restore after the handler
  int has_saved_sigmask;
  int restart_syscall;        // the last call was interrupted and may be restarted (SA_RESTART)
  uint64 restart_a0;          // its first argument, which the return value overwrote
  uint64 clear_child_tid;     // CLONE_CHILD_CLEARTID / set_tid_address
  uint64 robust_list;         // set_robust_list (recorded)
  int exit_signal;            // signal sent to the parent at exit (SIGCHLD)
  struct futex_waiter fw;     // futex wait record (see futex.c)
  struct sigcause sigrec[32]; // why each classic signal is pending (index sig-1)
  struct sigrec fault;        // the last fault signal's full record (lock)
  uint64 utime_ticks;         // timer ticks charged to this task
  uint64 nvcsw;               // times it gave up its hart to sleep (getrusage ru_nvcsw)
  uint64 nivcsw;              // times it gave up its hart still runnable (ru_nivcsw)
  char name[16];              // for the monitor
};

extern struct proc proc[NPROC];
extern struct fs_struct fs_structs[NPROC];
extern struct spinlock wait_lock;

#endif
