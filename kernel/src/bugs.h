// Bug switches.  Each puts back one bug from the seed diaries; the fixed
// kernel is built with none of them.  `trapscope build --bug NAME` defines
// the matching macro.  Where a bug needs extra state, that state is a struct
// member that exists only in the buggy build, so tools can tell the variants
// apart by DWARF alone.
//
//   BUG_TP_HARTID      (seed 000, 2023.6.30) uservec does not reload the
//                      kernel tp, so after a trap from user mode the kernel
//                      takes the user's TLS pointer for its hart id.
//   BUG_TP_LOST        (seed 001, 8.2) the user tp is kept per hart
//                      (cpu->user_tp) instead of per thread across the
//                      kernel, so a thread can come back with another
//                      thread's TLS pointer.
//   BUG_FORK_TRAPFRAME (seed 001, 7.19/7.25; 000, 6.14) fork shares the
//                      parent's trapframe page with the child instead of
//                      giving it its own, so one overwrites the other's
//                      registers and return value.
//   BUG_COW_REFCOUNT   (seed 000, 6.14 and 7.2) fork shares frames
//                      copy-on-write without raising their reference
//                      counts, so a frame is written or freed while the
//                      other process still maps it.
#ifndef BUGS_H
#define BUGS_H
#endif
