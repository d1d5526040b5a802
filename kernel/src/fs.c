// The initramfs: a cpio "newc" archive linked into the kernel image,
// turned at boot into a read-only tree of inodes, plus a few device nodes.
// kernel/build.py pads every file's name with NULs so that its data starts
// on a page boundary; exec and mmap map those pages directly.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "file.h"
#include "linux.h"
#include "defs.h"

#define NINODE 512
struct inode inodes[NINODE];
int ninodes;
struct inode *fs_root;
extern char initramfs_start[], initramfs_end[];

// Device numbers kept in inode->size for S_IFCHR nodes.
#define DEV_CONSOLE 1
#define DEV_NULL 2
#define DEV_ZERO 3

static struct inode *new_inode(const char *name, uint32 mode, struct inode *parent)
{
  if (ninodes == NINODE)
    panic("initramfs: more than %d files", NINODE);
  struct inode *ip = &inodes[ninodes++];
  ip->ino = ninodes;
  ip->mode = mode;
  safestrcpy(ip->name, name, sizeof(ip->name));
  ip->parent = parent ? parent : ip;
  if (parent) {
    // keep directory entries in archive order
    struct inode **pp = &parent->child;
    while (*pp)
      pp = &(*pp)->sibling;
    *pp = ip;
  }
  return ip;
}

static struct inode *dir_lookup(struct inode *dir, const char *name, int len)
{
  if (len == 1 && name[0] == '.')
    return dir;
  if (len == 2 && name[0] == '.' && name[1] == '.')
    return dir->parent;
  for (struct inode *c = dir->child; c; c = c->sibling)
    if ((int)strlen(c->name) == len && strncmp(c->name, name, len) == 0)
      return c;
  return 0;
}

// Resolve path from dir (or the root for absolute paths).  0 if missing.
struct inode *namei(struct inode *dir, const char *path)
{
  struct inode *ip = (path[0] == '/' || !dir) ? fs_root : dir;
  while (*path) {
    while (*path == '/')
      path++;
    if (!*path)
      break;
    const char *end = path;
    while (*end && *end != '/')
      end++;
    if ((ip->mode & S_IFMT) != S_IFDIR)
      return 0;
    ip = dir_lookup(ip, path, end - path);
    if (!ip)
      return 0;
    path = end;
  }
  return ip;
}

// Create the directories of `path` (relative to the root) as needed and
// return the parent directory of its last component, which is left in *last.
static struct inode *make_parents(const char *path, const char **last)
{
  struct inode *dir = fs_root;
  for (;;) {
    while (*path == '/')
      path++;
    const char *end = path;
    while (*end && *end != '/')
      end++;
    if (!*end) {
      *last = path;
      return dir;
    }
    struct inode *next = dir_lookup(dir, path, end - path);
    if (!next) {
      char name[64];
      int n = MIN((int)(end - path), 63);
      memmove(name, path, n);
      name[n] = 0;
      next = new_inode(name, S_IFDIR | 0755, dir);
    }
    dir = next;
    path = end;
  }
}

static uint64 hex8(const char *s)
{
  uint64 v = 0;
  for (int i = 0; i < 8; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= c - '0';
    else if (c >= 'a' && c <= 'f')
      v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v |= c - 'A' + 10;
  }
  return v;
}

#define ALIGN4(x) (((x) + 3) & ~3UL)

static void add_entry(const char *name, uint32 mode, const uint8 *data, uint64 size)
{
  if (strcmp(name, ".") == 0 || name[0] == 0)
    return;
  const char *last;
  struct inode *dir = make_parents(name, &last);
  struct inode *ip = dir_lookup(dir, last, strlen(last));
  if (!ip)
    ip = new_inode(last, mode, dir);
  ip->mode = mode;
  if ((mode & S_IFMT) == S_IFREG) {
    ip->data = data;
    ip->size = size;
  }
}

void fs_init(void)
{
  fs_root = new_inode("/", S_IFDIR | 0755, 0);
  const char *p = initramfs_start;
  int files = 0;
  while (p + 110 <= initramfs_end && strncmp(p, "070701", 6) == 0) {
    uint32 mode = hex8(p + 14);
    uint64 size = hex8(p + 54);
    uint64 namesize = hex8(p + 94);
    const char *name = p + 110;
    const uint8 *data = (const uint8 *)(initramfs_start + ALIGN4((name + namesize) - initramfs_start));
    if (strcmp(name, "TRAILER!!!") == 0)
      break;
    add_entry(name, mode, data, size);
    files++;
    p = (const char *)data + ALIGN4(size);
  }
  struct inode *dev = namei(fs_root, "/dev");
  if (!dev)
    dev = new_inode("dev", S_IFDIR | 0755, fs_root);
  new_inode("console", S_IFCHR | 0620, dev)->size = DEV_CONSOLE;
  new_inode("tty", S_IFCHR | 0666, dev)->size = DEV_CONSOLE;
  new_inode("null", S_IFCHR | 0666, dev)->size = DEV_NULL;
  new_inode("zero", S_IFCHR | 0666, dev)->size = DEV_ZERO;
  printf("[kernel] initramfs: %d entries, %d KiB\n", files,
         (int)((initramfs_end - initramfs_start) / 1024));
}

int inode_is_dev(struct inode *ip, int dev)
{
  return (ip->mode & S_IFMT) == S_IFCHR && ip->size == (uint64)dev;
}

void fill_stat(struct inode *ip, struct linux_stat *st)
{
  memset(st, 0, sizeof(*st));
  st->st_dev = 1;
  st->st_ino = ip->ino;
  st->st_mode = ip->mode;
  st->st_nlink = 1;
  if ((ip->mode & S_IFMT) == S_IFCHR) {
    st->st_rdev = ip->size;
    st->st_dev = 5;
  } else {
    st->st_size = ip->size;
  }
  st->st_blksize = PGSIZE;
  st->st_blocks = (st->st_size + 511) / 512;
}

// The path of ip from the root, into buf.  Returns its length.
int inode_path(struct inode *ip, char *buf, int size)
{
  char tmp[MAXPATH];
  int len = 0;
  tmp[0] = 0;
  while (ip != fs_root && ip->parent != ip) {
    int n = strlen(ip->name);
    if (len + n + 1 >= MAXPATH)
      break;
    memmove(tmp + n + 1, tmp, len + 1);
    tmp[0] = '/';
    memmove(tmp + 1, ip->name, n);
    len += n + 1;
    ip = ip->parent;
  }
  if (len == 0) {
    tmp[0] = '/';
    tmp[1] = 0;
    len = 1;
  }
  safestrcpy(buf, tmp, size);
  return len;
}
