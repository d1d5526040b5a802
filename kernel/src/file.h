// Open files, the initramfs inodes and pipes.
#ifndef FILE_H
#define FILE_H
#include "types.h"
#include "param.h"
#include "spinlock.h"

// An initramfs node.  The tree is built once at boot from the cpio archive
// and never changes, so inodes need no lock.
struct inode {
  uint32 ino;
  uint32 mode;                // S_IFREG / S_IFDIR / ... | permissions
  uint64 size;
  const uint8 *data;          // file bytes inside the kernel image (page aligned)
  char name[64];              // last path component
  struct inode *parent;
  struct inode *child;        // first entry of a directory
  struct inode *sibling;      // next entry in the parent directory
};

enum file_type { FD_NONE, FD_INODE, FD_PIPE, FD_CONSOLE };

struct file {
  enum file_type type;
  int refs;                   // ftable.lock
  int flags;                  // O_ACCMODE | O_NONBLOCK | O_APPEND
  struct inode *ip;           // FD_INODE
  struct pipe *pipe;          // FD_PIPE
  int writable;               // FD_PIPE: the write end
  uint64 off;                 // FD_INODE: position (bytes, or entries for dirs)
};

// A file-descriptor table, shared by CLONE_FILES.
struct files {
  struct spinlock lock;
  int refs;
  struct file *fd[NOFILE];
  uint64 cloexec;             // bit n: close fd n on execve
};

#define PIPEBUF 2048          // power of two: indexes wrap cleanly
struct pipe {
  struct spinlock lock;
  uint32 nread;               // bytes read
  uint32 nwrite;              // bytes written
  int readopen;               // read end still open
  int writeopen;              // write end still open
  char data[PIPEBUF];
};

extern struct inode *fs_root;

#endif
