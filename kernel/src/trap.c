// Traps: from user mode through the trampoline (syscalls, faults,
// interrupts) and from supervisor mode through kernelvec.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "sbi.h"
#include "linux.h"
#include "defs.h"

extern char trampoline[], uservec[], userret[];
extern void kernelvec(void);
extern volatile int panicked;
extern volatile int poweroff_pending;

void trap_init_hart(void)
{
  w_stvec((uint64)kernelvec);
  w_sie(r_sie() | SIE_SEIE | SIE_STIE | SIE_SSIE);
}

enum { INTR_NONE, INTR_DEVICE, INTR_TIMER, INTR_IPI };

// An interrupt: which kind it was.
static int devintr(uint64 scause)
{
  uint64 code = scause & ~SCAUSE_INTR;
  if (panicked)
    panic_halt();
  if (code == IRQ_S_EXT) {
    int hart = cpuid();
    int irq = plic_claim(hart);
    if (irq == UART0_IRQ)
      uart_intr();
    if (irq)
      plic_complete(hart, irq);
    return INTR_DEVICE;
  }
  if (code == IRQ_S_TIMER) {
    timer_tick();
    return INTR_TIMER;
  }
  if (code == IRQ_S_SOFT) {
    w_sip(r_sip() & ~SIE_SSIE);
    if (poweroff_pending) {
      struct cpu *c = mycpu();
      c->instret = r_instret();
      __atomic_store_n(&c->sampled, 1, __ATOMIC_RELEASE);
    }
    return INTR_IPI;
  }
  return INTR_NONE;
}

// A fault in user mode that the memory code could not resolve, or any
// other exception: the matching signal, as Linux sends it.
static void user_fault(struct proc *p, uint64 cause, uint64 stval)
{
  int access = 0;
  if (cause == EXC_INSN_PAGE_FAULT)
    access = ACC_EXEC;
  else if (cause == EXC_LOAD_PAGE_FAULT)
    access = ACC_READ;
  else if (cause == EXC_STORE_PAGE_FAULT)
    access = ACC_WRITE;
  struct sigrec rec = {0};
  rec.addr = stval;
  rec.cause = cause;
  rec.pc = p->trapframe->epc;
  int sig;
  if (access) {
    if (mm_fault(p->mm, stval, access) == 0)
      return;
    sig = SIGSEGV;
    acquire(&p->mm->lock);
    rec.code = vma_find(p->mm, stval) ? SEGV_ACCERR : SEGV_MAPERR;
    release(&p->mm->lock);
  } else if (cause == EXC_ILLEGAL_INSN) {
    sig = SIGILL;
    rec.code = ILL_ILLOPC;
    rec.addr = p->trapframe->epc;
  } else if (cause == EXC_BREAKPOINT) {
    sig = SIGTRAP;
    rec.code = TRAP_BRKPT;
    rec.addr = p->trapframe->epc;
  } else if (cause == EXC_LOAD_MISALIGNED || cause == EXC_STORE_MISALIGNED ||
             cause == EXC_INSN_MISALIGNED) {
    sig = SIGBUS;
    rec.code = BUS_ADRALN;
  } else {
    sig = SIGSEGV;
    rec.code = SEGV_ACCERR;
  }
  signal_force(p, sig, &rec);
}

// Entry from the trampoline for every trap taken in user mode.
void usertrap(void)
{
  if (r_sstatus() & SSTATUS_SPP)
    panic("usertrap: not from user mode");
  w_stvec((uint64)kernelvec);
  mycpu()->user_mm = 0;
  struct proc *p = myproc();
  struct trapframe *tf = p->trapframe;
  tf->epc = r_sepc();
  if ((r_sstatus() & SSTATUS_FS) == SSTATUS_FS_DIRTY)
    fp_save(tf->f);
#ifdef BUG_TP_LOST
  mycpu()->user_tp = tf->tp;   // BUG tp-lost: parked on the hart, not the thread
#endif
  uint64 cause = r_scause();
  int which = INTR_NONE;
  if (cause == EXC_ECALL_U) {
    tf->epc += 4;   // return past the ecall
    intr_on();
    syscall();
  } else if (cause & SCAUSE_INTR) {
    which = devintr(cause);
  } else {
    uint64 stval = r_stval();   // before intr_on(): an interrupt would overwrite it
    intr_on();
    user_fault(p, cause, stval);
  }
  if (which == INTR_TIMER)
    yield();
  usertrapret();
}

// Return to user mode: deliver signals, then through userret.
void usertrapret(void)
{
  struct proc *p = myproc();
  signal_deliver(p);
  if (p->killed)
    task_exit(p->group->exit_code, 0);
  intr_off();
  w_stvec(TRAMPOLINE + (uservec - trampoline));
  struct trapframe *tf = p->trapframe;
  tf->kernel_satp = r_satp();
  tf->kernel_sp = p->kstack + KSTACK_SIZE;
  tf->kernel_trap = (uint64)usertrap;
  tf->kernel_hartid = r_tp();
#ifdef BUG_TP_LOST
  tf->tp = mycpu()->user_tp;   // BUG tp-lost: whatever thread trapped here last
#endif
  uint64 x = r_sstatus();
  x &= ~(SSTATUS_SPP | SSTATUS_FS);
  x |= SSTATUS_SPIE | SSTATUS_FS_CLEAN;
  w_sstatus(x);
  fp_restore(tf->f);           // the FPU now holds this thread's registers...
  w_sstatus(x);                // ...so mark it clean again (fp_restore dirtied it)
  w_sepc(tf->epc);
  __atomic_fetch_or(&p->mm->hart_mask, 1UL << cpuid(), __ATOMIC_RELEASE);
  // Published before userret's sfence.vma: a shootdown that does not see it
  // changed the page table early enough for this hart's fresh walks.
  mycpu()->user_mm = p->mm;
  __sync_synchronize();
  uint64 satp = MAKE_SATP(p->mm->pagetable);
  void (*ret)(uint64, uint64) = (void (*)(uint64, uint64))(TRAMPOLINE + (userret - trampoline));
  ret(TRAPFRAME(p->tf_slot), satp);
  __builtin_unreachable();
}

// A new task's first scheduling lands here (its context.ra).
void forkret(void)
{
  release(&myproc()->lock);   // held from the scheduler
#ifdef BUG_TP_LOST
  mycpu()->user_tp = myproc()->trapframe->tp;   // a new task starts with the tp clone gave it
#endif
  usertrapret();
}

// Traps in supervisor mode: interrupts are handled, anything else is a
// kernel bug.
void kerneltrap(void)
{
  uint64 sepc = r_sepc();
  uint64 sstatus = r_sstatus();
  uint64 scause = r_scause();
  if (!(scause & SCAUSE_INTR))
    panic("kernel trap: scause %p sepc %p stval %p", scause, sepc, r_stval());
  if (!(sstatus & SSTATUS_SPP))
    panic("kerneltrap: not from supervisor mode");
  if (intr_get())
    panic("kerneltrap: interrupts enabled");
  int which = devintr(scause);
  if (which == INTR_TIMER && myproc() && myproc()->state == RUNNING)
    yield();
  w_sepc(sepc);
  w_sstatus(sstatus);
}
