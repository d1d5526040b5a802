// Table of contents: every kernel function used across files, by file.
#ifndef DEFS_H
#define DEFS_H
#include "types.h"

struct cpu;
struct proc;
struct spinlock;
struct mm;
struct vma;
struct file;
struct files;
struct inode;
struct pipe;
struct shmseg;
struct sighand;
struct fs_struct;
struct tgroup;
struct trapframe;
struct sigrec;
struct linux_stat;
struct timespec;

#define PGROUNDUP_N(x, n) (((x) + (n) - 1) & ~((uint64)(n) - 1))

// Access kinds for faults and user copies.
#define ACC_READ 1
#define ACC_WRITE 2
#define ACC_EXEC 4

// fdt.c
struct bootinfo {
  uint64 mem_base, mem_size;
  uint64 timebase;
  int nharts;
  uint64 hart_present;        // bit h: hart h is in the device tree
  char bootargs[512];
};
extern struct bootinfo bootinfo;
int fdt_parse(uint64 fdt);

// uart.c, plic.c, console.c
void uart_init(void);
void uart_putc_sync(int c);
int uart_getc(void);
void uart_intr(void);
void plic_init(void);
void plic_init_hart(int hart);
int plic_claim(int hart);
void plic_complete(int hart, int irq);
extern struct spinlock cons_out_lock;
void console_init(void);
long console_write(uint64 src, long n);
long console_read(uint64 dst, long n);
void console_intr(int c);

// printf.c
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klog_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ksnprintf(char *buf, size_t size, const char *fmt, ...);
void panic(const char *fmt, ...) __attribute__((noreturn));
void panic_halt(void) __attribute__((noreturn));

// spinlock.c
void initlock(struct spinlock *lk, const char *name);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
int holding(struct spinlock *lk);
void push_off(void);
void pop_off(void);

// string.c
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *safestrcpy(char *dst, const char *src, size_t size);
char *strchr(const char *s, int c);

// kalloc.c
void kalloc_init(uint64 start, uint64 end);
void *kalloc(void);
void *kzalloc(void);
void *kalloc_pages(int order);
void kfree(void *pa);
int frame_managed(uint64 pa);
void frame_get(uint64 pa);
void frame_put(uint64 pa);
uint32 frame_refcnt(uint64 pa);
uint64 kalloc_nfree(void);

// vm.c
extern pagetable_t kernel_pagetable;
pte_t *walk(pagetable_t pt, uint64 va, int alloc);
int map_pages(pagetable_t pt, uint64 va, uint64 size, uint64 pa, uint64 perm);
void kvm_init(uint64 ram_end);
void kvm_init_hart(void);
pagetable_t uvm_create(void);
void uvm_free(pagetable_t pt);
void uvm_unmap_begin(pagetable_t pt, uint64 start, uint64 end);
void uvm_unmap_finish(pagetable_t pt, uint64 start, uint64 end);
void pt_for_each(pagetable_t pt, uint64 start, uint64 end,
                 void (*fn)(pte_t *pte, uint64 va, void *arg), void *arg);
uint64 uva2pa_locked(struct mm *mm, uint64 va, int access);
uint64 uva2pa(struct mm *mm, uint64 va, int access);
int copyout(struct mm *mm, uint64 dst, const void *src, uint64 len);
int copyin(struct mm *mm, void *dst, uint64 src, uint64 len);
long copyinstr(struct mm *mm, char *dst, uint64 src, uint64 max);
int put_user32(struct mm *mm, uint64 uaddr, uint32 v);
int get_user32(struct mm *mm, uint64 uaddr, uint32 *v);
int put_user64(struct mm *mm, uint64 uaddr, uint64 v);
int get_user64(struct mm *mm, uint64 uaddr, uint64 *v);

// mmap.c
enum vma_kind;
void mm_init(void);
struct mm *mm_alloc(void);
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
struct mm *mm_fork(struct mm *parent);
void mm_shootdown(struct mm *mm);
int mm_map_trapframe(struct mm *mm, struct trapframe *tf);
void mm_unmap_trapframe(struct mm *mm, int slot);
struct vma *vma_find(struct mm *mm, uint64 va);
struct vma *vma_add(struct mm *mm, uint64 start, uint64 end, int prot, int flags,
                    enum vma_kind kind);
int mm_fault_locked(struct mm *mm, uint64 va, int access);
int mm_fault(struct mm *mm, uint64 va, int access);
long mm_attach_shm(struct mm *mm, uint64 addr, uint64 len, int prot, struct shmseg *seg,
                   const uint64 *frames);
long mm_detach_shm(struct mm *mm, uint64 addr);
long sys_brk(uint64 addr);
long sys_mmap(uint64 addr, uint64 len, int prot, int flags, int fd, uint64 off);
long sys_munmap(uint64 addr, uint64 len);
long sys_mprotect(uint64 addr, uint64 len, int prot);
long sys_madvise(uint64 addr, uint64 len, int advice);

// shm.c
void shm_init(void);
void shm_vma_dup(struct shmseg *s);
void shm_vma_drop(struct shmseg *s);
long sys_shmget(int key, uint64 size, int flags);
long sys_shmat(int id, uint64 addr, int flags);
long sys_shmdt(uint64 addr);
long sys_shmctl(int id, int cmd, uint64 buf);

// proc.c
extern struct proc *initproc;
void proc_init(void);
int cpuid(void);
struct cpu *mycpu(void);
struct proc *myproc(void);
struct sighand *sighand_alloc(void);
void sighand_put(struct sighand *s);
struct fs_struct *fs_alloc(struct inode *cwd);
void fs_put(struct fs_struct *fs);
struct inode *proc_cwd(struct proc *p);
void proc_chdir(struct proc *p, struct inode *dir);
void freeproc(struct proc *p);
long do_clone(uint64 flags, uint64 newsp, uint64 ptid, uint64 tls, uint64 ctid);
void vfork_release(struct proc *p);
void group_kill_tasks(struct tgroup *g, struct proc *p, int wstatus);
void group_kill(struct proc *p, int wstatus);
void task_exit(int wstatus, int whole_group) __attribute__((noreturn));
long do_wait4(long pid, uint64 status_addr, int options, uint64 rusage);
void userinit(const char *cmdline);

// sched.c
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
void kick_idle_hart(void);
void sleep(void *chan, struct spinlock *lk, const char *why);
void sleep_until(void *chan, struct spinlock *lk, uint64 deadline, const char *why);
int sleep_intr(void *chan, struct spinlock *lk, const char *why);
void sleep_self(void *chan, uint64 deadline, const char *why);
void wakeup(void *chan);
void wake_task(struct proc *p);
uint64 time_now(void);
void timer_start_hart(void);
void timer_tick(void);

// swtch.S, fpu.S
struct context;
void swtch(struct context *old, struct context *new);
void fp_save(uint64 *f);
void fp_restore(const uint64 *f);

// trap.c
void trap_init_hart(void);
void usertrap(void);
void usertrapret(void) __attribute__((noreturn));
void kerneltrap(void);

// syscall.c, sysproc.c
void syscall(void);
const char *syscall_name(uint64 num);
uint64 timespec_to_ticks(const struct timespec *ts);
uint64 abstime_to_deadline(const struct timespec *ts, int clock);
void random_bytes(void *buf, uint64 n);
long sys_kinfo(int what, long arg);
long sys_getcwd(uint64 buf, uint64 size);
long sys_dup(int fd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_fcntl(int fd, int cmd, uint64 arg);
long sys_ioctl(int fd, uint64 req, uint64 arg);
long sys_rofs(void);
long sys_faccessat(int dirfd, uint64 upath, int mode);
long sys_chdir(uint64 upath);
long sys_openat(int dirfd, uint64 upath, int flags, int mode);
long sys_close(int fd);
long sys_pipe2(uint64 fds, int flags);
long sys_getdents64(int fd, uint64 buf, long len);
long sys_lseek(int fd, long off, int whence);
long sys_read(int fd, uint64 buf, long n);
long sys_write(int fd, uint64 buf, long n);
long sys_readv(int fd, uint64 iov, int cnt);
long sys_writev(int fd, uint64 iov, int cnt);
long sys_pread64(int fd, uint64 buf, long n, long off);
long sys_ppoll(uint64 fds, uint64 nfds, uint64 tmo, uint64 sigmask);
long sys_readlinkat(int dirfd, uint64 upath, uint64 buf, long size);
long sys_newfstatat(int dirfd, uint64 upath, uint64 st, int flags);
long sys_fstat(int fd, uint64 st);
long sys_exit(int code);
long sys_exit_group(int code);
long sys_set_tid_address(uint64 tidptr);
long sys_futex(uint64 uaddr, int op, uint32 val, uint64 timeout, uint64 uaddr2, uint32 val3);
long sys_set_robust_list(uint64 head, uint64 len);
long sys_get_robust_list(int tid, uint64 head_ptr, uint64 len_ptr);
long sys_nanosleep(uint64 ureq, uint64 urem);
long sys_clock_gettime(int clock, uint64 uts);
long sys_clock_getres(int clock, uint64 uts);
long sys_clock_nanosleep(int clock, int flags, uint64 ureq, uint64 urem);
long sys_sched_getaffinity(long pid, uint64 size, uint64 mask);
long sys_sched_setaffinity(long pid, uint64 size, uint64 mask);
long sys_getcpu(uint64 cpu, uint64 node, uint64 cache);
long sys_sched_yield(void);
long sys_kill(long pid, int sig);
long sys_tkill(long tid, int sig);
long sys_tgkill(long tgid, long tid, int sig);
long sys_sigaltstack(uint64 ss, uint64 oss);
long sys_rt_sigsuspend(uint64 set, uint64 size);
long sys_rt_sigaction(int sig, uint64 act, uint64 oact, uint64 size);
long sys_rt_sigprocmask(int how, uint64 set, uint64 oset, uint64 size);
long sys_rt_sigpending(uint64 set, uint64 size);
long sys_rt_sigreturn(void);
long sys_pause(void);
long sys_times(uint64 buf);
long sys_setpgid(void);
long sys_getpgid(void);
long sys_setsid(void);
long sys_uname(uint64 buf);
long sys_getrlimit(int res, uint64 lim);
long sys_getrusage(int who, uint64 buf);
long sys_umask(int mask);
long sys_prctl(int option, uint64 arg2);
long sys_gettimeofday(uint64 utv, uint64 utz);
long sys_getpid(void);
long sys_getppid(void);
long sys_getuid(void);
long sys_gettid(void);
long sys_sysinfo(uint64 info);
long sys_clone(uint64 flags, uint64 newsp, uint64 ptid, uint64 tls, uint64 ctid);
long sys_execve(uint64 upath, uint64 uargv, uint64 uenvp);
long sys_wait4(long pid, uint64 status, int options, uint64 rusage);
long sys_prlimit64(long pid, int res, uint64 newlim, uint64 oldlim);
long sys_getrandom(uint64 buf, uint64 len, int flags);

// signal.c
int signal_pending(struct proc *p);
int signal_send(struct proc *p, int sig, const struct sigrec *rec, int thread_directed);
void signal_force(struct proc *p, int sig, const struct sigrec *rec);
void signal_deliver(struct proc *p);

// futex.c
void futex_init(void);
void futex_wake_addr(struct mm *mm, uint64 uaddr, int n);
int futex_count_waiters(struct mm *mm, uint64 uaddr);

// fs.c, file.c, pipe.c
extern struct inode *fs_root;
void fs_init(void);
struct inode *namei(struct inode *dir, const char *path);
int inode_is_dev(struct inode *ip, int dev);
void fill_stat(struct inode *ip, struct linux_stat *st);
int inode_path(struct inode *ip, char *buf, int size);
void file_init(void);
struct file *file_alloc(void);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
struct files *files_alloc(void);
void files_get(struct files *t);
struct files *files_dup(struct files *t);
void files_put(struct files *t);
void files_exec(struct files *t);
int fd_install(struct proc *p, struct file *f, int min, int cloexec);
struct file *fd_get(struct proc *p, int fd);
void console_open_stdio(struct files *t);
long file_read(struct file *f, uint64 addr, long n);
long file_write(struct file *f, uint64 addr, long n);
int pipe_alloc(struct file **rf, struct file **wf);
void pipe_close(struct pipe *pi, int writable);
long pipe_write(struct pipe *pi, uint64 addr, long n, int nonblock);
long pipe_read(struct pipe *pi, uint64 addr, long n, int nonblock);

// exec.c
long exec_core(const char *path, const char *args, long argslen, int argc, int envc);
long exec_kernel(const char *path, const char *args, int argc, int envc);

// main.c
void power_off(int status) __attribute__((noreturn));
uint64 instructions_retired(void);
void backtrace(void);

#endif
