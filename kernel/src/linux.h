// The Linux riscv64 user ABI this kernel speaks: syscall numbers, errno
// values, flags and the user-visible structs.  Names and values are those of
// the Linux uapi headers (asm-generic); tests/kernel checks them against the
// cross toolchain's copies.
#ifndef LINUX_H
#define LINUX_H
#include "types.h"

// errno
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define EIDRM 43
#define EOPNOTSUPP 95
#define ETIMEDOUT 110

// syscall numbers (asm-generic/unistd.h)
#define SYS_getcwd 17
#define SYS_dup 23
#define SYS_dup3 24
#define SYS_fcntl 25
#define SYS_ioctl 29
#define SYS_mkdirat 34
#define SYS_unlinkat 35
#define SYS_faccessat 48
#define SYS_chdir 49
#define SYS_openat 56
#define SYS_close 57
#define SYS_pipe2 59
#define SYS_getdents64 61
#define SYS_lseek 62
#define SYS_read 63
#define SYS_write 64
#define SYS_readv 65
#define SYS_writev 66
#define SYS_pread64 67
#define SYS_ppoll 73
#define SYS_readlinkat 78
#define SYS_newfstatat 79
#define SYS_fstat 80
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_set_tid_address 96
#define SYS_futex 98
#define SYS_set_robust_list 99
#define SYS_get_robust_list 100
#define SYS_nanosleep 101
#define SYS_clock_gettime 113
#define SYS_clock_getres 114
#define SYS_clock_nanosleep 115
#define SYS_sched_setaffinity 122
#define SYS_sched_getaffinity 123
#define SYS_sched_yield 124
#define SYS_kill 129
#define SYS_tkill 130
#define SYS_tgkill 131
#define SYS_sigaltstack 132
#define SYS_rt_sigsuspend 133
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_rt_sigpending 136
#define SYS_rt_sigreturn 139
#define SYS_times 153
#define SYS_setpgid 154
#define SYS_getpgid 155
#define SYS_setsid 157
#define SYS_uname 160
#define SYS_getrlimit 163
#define SYS_setrlimit 164
#define SYS_getrusage 165
#define SYS_umask 166
#define SYS_prctl 167
#define SYS_getcpu 168
#define SYS_gettimeofday 169
#define SYS_getpid 172
#define SYS_getppid 173
#define SYS_getuid 174
#define SYS_geteuid 175
#define SYS_getgid 176
#define SYS_getegid 177
#define SYS_gettid 178
#define SYS_sysinfo 179
#define SYS_shmget 194
#define SYS_shmctl 195
#define SYS_shmat 196
#define SYS_shmdt 197
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_mremap 216
#define SYS_clone 220
#define SYS_execve 221
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_madvise 233
#define SYS_wait4 260
#define SYS_prlimit64 261
#define SYS_getrandom 278
#define SYS_rseq 293
#define SYS_clone3 435
// Not Linux: trapscope's own introspection call (see sys_kinfo).
#define SYS_kinfo 4000
#define KINFO_FREE_FRAMES 1   // returns the free frame count, prints it
#define KINFO_NPROC 2         // returns the number of tasks in use
#define KINFO_POWEROFF 3      // power off now with status a1
#define KINFO_FUTEX_WAITERS 4 // tasks queued on the futex word at a1 (either key kind)
#define KINFO_HARTS 5         // harts online
#define KINFO_PANIC 6         // panic() with the user string at a1 as the reason
#define KINFO_TASK_SLEEP 7    // task a1: the KINFO_TASK_* bits below, or -ESRCH
#define KINFO_TASK_SLEEPING 1 //   it is SLEEPING
#define KINFO_TASK_KILLED 2   //   it has been killed
#define KINFO_TASK_SIGNAL 4   //   it has a signal pending that it does not block

// openat flags
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_ACCMODE 3
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define AT_FDCWD (-100)
#define AT_EMPTY_PATH 0x1000
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFIFO 0010000
#define S_IFLNK 0120000
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8

struct linux_stat {
  uint64 st_dev;
  uint64 st_ino;
  uint32 st_mode;
  uint32 st_nlink;
  uint32 st_uid;
  uint32 st_gid;
  uint64 st_rdev;
  uint64 __pad1;
  int64 st_size;
  int32 st_blksize;
  int32 __pad2;
  int64 st_blocks;
  int64 st_atime_sec;
  uint64 st_atime_nsec;
  int64 st_mtime_sec;
  uint64 st_mtime_nsec;
  int64 st_ctime_sec;
  uint64 st_ctime_nsec;
  uint32 __unused4;
  uint32 __unused5;
};
_Static_assert(sizeof(struct linux_stat) == 128, "struct stat is 128 bytes on riscv64");

struct linux_dirent64 {
  uint64 d_ino;
  int64 d_off;
  uint16 d_reclen;
  uint8 d_type;
  char d_name[];
};

struct iovec {
  uint64 iov_base;
  uint64 iov_len;
};

struct timespec {
  int64 tv_sec;
  int64 tv_nsec;
};

struct timeval {
  int64 tv_sec;
  int64 tv_usec;
};

struct utsname {
  char sysname[65];
  char nodename[65];
  char release[65];
  char version[65];
  char machine[65];
  char domainname[65];
};

struct rlimit {
  uint64 rlim_cur;
  uint64 rlim_max;
};
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0UL)
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

// The kernel's terminal settings struct (generic termios, NCCS 19).
struct ktermios {
  uint32 c_iflag, c_oflag, c_cflag, c_lflag;
  uint8 c_line;
  uint8 c_cc[19];
};
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
struct winsize {
  uint16 ws_row, ws_col, ws_xpixel, ws_ypixel;
};

// mmap
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x100
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_STACK 0x20000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_FAILED ((uint64)-1)

// clone
#define CSIGNAL 0x000000ff
#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PIDFD 0x00001000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED 0x00400000
#define CLONE_CHILD_SETTID 0x01000000

// wait4
#define WNOHANG 1
#define WUNTRACED 2
#define WCONTINUED 8
#define __WALL 0x40000000
#define __WCLONE 0x80000000

// futex
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5

// signals
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28
#define SIG_DFL 0UL
#define SIG_IGN 1UL
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SI_USER 0
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPC 1
#define BUS_ADRALN 1
#define TRAP_BRKPT 1
#define CLD_EXITED 1
#define CLD_KILLED 2
#define SIGMASK(sig) (1UL << ((sig) - 1))

// rt_sigaction's struct (no sa_restorer on riscv).
struct ksigaction {
  uint64 handler;
  uint64 flags;
  uint64 mask;
};

struct ksiginfo {
  int32 si_signo;
  int32 si_errno;
  int32 si_code;
  int32 __pad0;
  union {
    struct { int32 pid; uint32 uid; int32 status; } kill;   // also SIGCHLD
    struct { uint64 addr; } fault;
    uint8 pad[112];
  } u;
};
_Static_assert(sizeof(struct ksiginfo) == 128, "siginfo is 128 bytes");

// Signal frame on the user stack, laid out as Linux riscv64's rt_sigframe
// (siginfo, then ucontext with the general registers and the F/D state).
struct ksigcontext {
  uint64 sc_regs[32];        // pc, ra, sp, gp, tp, t0.. (x1..x31 with pc at 0)
  uint64 sc_fpregs[66];      // f0..f31, fcsr, padding: the "q" union size
};
struct kucontext {
  uint64 uc_flags;
  uint64 uc_link;
  uint64 ss_sp;
  int32 ss_flags;
  int32 __pad;
  uint64 ss_size;
  uint64 uc_sigmask;
  uint8 __unused[120];
  uint64 __align;            // mcontext is 16-byte aligned (at 176)
  struct ksigcontext uc_mcontext;
};
struct rt_sigframe {
  struct ksiginfo info;
  struct kucontext uc;
};
_Static_assert(offsetof(struct kucontext, uc_mcontext) == 176, "glibc's mcontext offset");

// SysV IPC
#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHMLBA 4096
struct shmid_ds64 {
  int32 key;
  uint32 uid, gid, cuid, cgid, mode;
  uint16 seq, __pad2;
  uint32 __pad3;
  uint64 __unused1, __unused2;
  uint64 shm_segsz;
  int64 shm_atime, shm_dtime, shm_ctime;
  int32 shm_cpid, shm_lpid;
  uint64 shm_nattch;
  uint64 __unused4, __unused5;
};
_Static_assert(sizeof(struct shmid_ds64) == 112, "shmid64_ds is 112 bytes");

// ELF auxiliary vector
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_HWCAP2 26
#define AT_EXECFN 31

#endif
