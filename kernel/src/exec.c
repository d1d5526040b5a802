// execve: load a static ELF from the initramfs into a new address space,
// lazily (segments are file-backed areas faulted in page by page), and
// build the Linux initial stack: argc, argv, envp, auxv, strings.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "vm.h"
#include "file.h"
#include "elf.h"
#include "linux.h"
#include "defs.h"

// ISA letters I, M, A, F, D, C as AT_HWCAP bits (1 << (letter - 'A')).
#define HWCAP_RV64GC ((1UL << ('I' - 'A')) | (1UL << ('M' - 'A')) | (1UL << ('A' - 'A')) | \
                      (1UL << ('F' - 'A')) | (1UL << ('D' - 'A')) | (1UL << ('C' - 'A')))

struct image {
  uint64 entry;
  uint64 phdr;        // user address of the program headers
  uint64 phnum;
  uint64 brk;         // end of the highest segment, page aligned
};

static int elf_check(struct inode *ip, const struct elfhdr *eh)
{
  if (ip->size < sizeof(*eh) || eh->magic != ELF_MAGIC || eh->class != ELFCLASS64 ||
      eh->data != ELFDATA2LSB || eh->machine != EM_RISCV ||
      (eh->type != ET_EXEC && eh->type != ET_DYN) || eh->phentsize != sizeof(struct proghdr) ||
      eh->phoff + (uint64)eh->phnum * sizeof(struct proghdr) > ip->size)
    return -ENOEXEC;
  const struct proghdr *ph = (const struct proghdr *)(ip->data + eh->phoff);
  for (int i = 0; i < eh->phnum; i++)
    if (ph[i].type == PT_INTERP)
      return -ENOEXEC;   // dynamically linked: no loader here
  return 0;
}

// One PT_LOAD segment as a private file-backed area.  mm->lock held.
static int load_segment(struct mm *mm, struct inode *ip, const struct proghdr *ph, uint64 base,
                        uint64 *prev_end)
{
  if (ph->memsz < ph->filesz || ph->off + ph->filesz > ip->size ||
      (ph->vaddr & (PGSIZE - 1)) != (ph->off & (PGSIZE - 1)))
    return -ENOEXEC;
  uint64 va = base + ph->vaddr;
  uint64 start = PGROUNDDOWN(va), end = PGROUNDUP(va + ph->memsz);
  if (end > MMAP_BOTTOM || end < start)
    return -ENOEXEC;
  uint64 file_off = ph->off - (va - start);
  if (start < *prev_end) {   // shares a page with the previous segment
    file_off += *prev_end - start;
    start = *prev_end;
  }
  if (start >= end)
    return 0;
  int prot = ((ph->flags & PF_R) ? PROT_READ : 0) | ((ph->flags & PF_W) ? PROT_WRITE : 0) |
             ((ph->flags & PF_X) ? PROT_EXEC : 0);
  struct vma *v = vma_add(mm, start, end, prot, MAP_PRIVATE, VMA_FILE);
  if (!v)
    return -ENOMEM;
  v->file = ip;
  v->file_off = file_off;
  v->file_end = va + ph->filesz;
  *prev_end = end;
  return 0;
}

static int load_image(struct mm *mm, struct inode *ip, struct image *img)
{
  const struct elfhdr *eh = (const struct elfhdr *)ip->data;
  const struct proghdr *ph = (const struct proghdr *)(ip->data + eh->phoff);
  uint64 base = eh->type == ET_DYN ? ELF_DYN_BASE : 0;
  uint64 prev_end = 0;
  img->phdr = 0;
  acquire(&mm->lock);
  for (int i = 0; i < eh->phnum; i++) {
    if (ph[i].type != PT_LOAD)
      continue;
    int r = load_segment(mm, ip, &ph[i], base, &prev_end);
    if (r < 0) {
      release(&mm->lock);
      return r;
    }
    if (eh->phoff >= ph[i].off && eh->phoff < ph[i].off + ph[i].filesz)
      img->phdr = base + ph[i].vaddr + (eh->phoff - ph[i].off);
  }
  img->brk = prev_end;
  mm->brk_start = mm->brk = prev_end;
  if (!vma_add(mm, USTACK_TOP - USTACK_MAX, USTACK_TOP, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, VMA_STACK)) {
    release(&mm->lock);
    return -ENOMEM;
  }
  release(&mm->lock);
  img->entry = base + eh->entry;
  img->phnum = eh->phnum;
  return 0;
}

// Lay out the initial stack.  args holds argc then envc NUL-terminated
// strings back to back (argslen bytes).  Returns the new sp, or 0.
static uint64 build_stack(struct mm *mm, const char *path, const char *args, long argslen,
                          int argc, int envc, const struct image *img)
{
  uint64 sp = USTACK_TOP;
  sp -= argslen;
  uint64 strings = sp;
  if (copyout(mm, strings, args, argslen) < 0)
    return 0;
  int plen = strlen(path) + 1;
  sp -= plen;
  uint64 execfn = sp;
  if (copyout(mm, execfn, path, plen) < 0)
    return 0;
  uint8 rnd[16];
  random_bytes(rnd, sizeof(rnd));
  sp = (sp - sizeof(rnd)) & ~15UL;
  uint64 random = sp;
  if (copyout(mm, random, rnd, sizeof(rnd)) < 0)
    return 0;

  uint64 auxv[][2] = {
    {AT_PHDR, img->phdr}, {AT_PHENT, sizeof(struct proghdr)}, {AT_PHNUM, img->phnum},
    {AT_PAGESZ, PGSIZE}, {AT_BASE, 0}, {AT_FLAGS, 0}, {AT_ENTRY, img->entry},
    {AT_UID, 0}, {AT_EUID, 0}, {AT_GID, 0}, {AT_EGID, 0}, {AT_SECURE, 0},
    {AT_HWCAP, HWCAP_RV64GC}, {AT_HWCAP2, 0}, {AT_CLKTCK, TICK_HZ}, {AT_RANDOM, random},
    {AT_EXECFN, execfn}, {AT_NULL, 0},
  };
  uint64 nwords = 1 + argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv);
  sp = (sp - nwords * 8) & ~15UL;
  uint64 *vec = kalloc_pages(1);   // up to 1024 words: MAXARG keeps us far below
  if (!vec)
    return 0;
  uint64 w = 0;
  vec[w++] = argc;
  uint64 s = strings;
  for (int i = 0; i < argc + envc; i++) {
    vec[w++] = s;
    s += strlen(args + (s - strings)) + 1;
    if (i == argc - 1)
      vec[w++] = 0;   // end of argv
  }
  if (argc == 0)
    vec[w++] = 0;
  vec[w++] = 0;       // end of envp
  for (uint64 i = 0; i < ARRAY_SIZE(auxv); i++) {
    vec[w++] = auxv[i][0];
    vec[w++] = auxv[i][1];
  }
  int r = copyout(mm, sp, vec, w * 8);
  kfree(vec);
  return r < 0 ? 0 : sp;
}

// After a successful load: what a new program does not inherit.
static void exec_reset(struct proc *p)
{
  if (p->files->refs > 1) {
    struct files *nf = files_dup(p->files);
    if (nf) {
      files_put(p->files);
      p->files = nf;
    }
  }
  files_exec(p->files);
  if (p->sighand->refs > 1) {
    struct sighand *ns = sighand_alloc();
    if (ns) {
      memmove(ns->action, p->sighand->action, sizeof(ns->action));
      sighand_put(p->sighand);
      p->sighand = ns;
    }
  }
  for (int i = 0; i < NSIG; i++) {
    struct ksigaction *a = &p->sighand->action[i];
    if (a->handler != SIG_IGN) {
      a->handler = SIG_DFL;
      a->flags = 0;
      a->mask = 0;
    }
  }
  p->robust_list = 0;
  p->has_saved_sigmask = 0;
}

// Replace the calling task's program.  args: argc + envc strings.
long exec_core(const char *path, const char *args, long argslen, int argc, int envc)
{
  struct proc *p = myproc();
  struct inode *ip = namei(proc_cwd(p), path);
  if (!ip)
    return -ENOENT;
  if ((ip->mode & S_IFMT) != S_IFREG)
    return -EACCES;
  int r = elf_check(ip, (const struct elfhdr *)ip->data);
  if (r < 0)
    return r;
  struct mm *mm = mm_alloc();
  if (!mm)
    return -ENOMEM;
  struct image img;
  uint64 sp = 0;
  if ((r = load_image(mm, ip, &img)) < 0 ||
      (sp = build_stack(mm, path, args, argslen, argc, envc, &img)) == 0) {
    mm_put(mm);
    return r < 0 ? r : -ENOMEM;
  }
  int slot = mm_map_trapframe(mm, p->trapframe);
  if (slot < 0) {
    mm_put(mm);
    return -ENOMEM;
  }
  if (p->group->live > 1) {
    // The other threads do not survive an exec: end them and wait.
    group_kill(p, 0);
    while (__atomic_load_n(&p->group->live, __ATOMIC_ACQUIRE) > 1)
      yield();
    acquire(&p->group->lock);
    p->group->exiting = 0;
    release(&p->group->lock);
    p->killed = 0;
  }
  struct mm *old = p->mm;
  mm_unmap_trapframe(old, p->tf_slot);
  acquire(&p->lock);
  p->mm = mm;
  p->tf_slot = slot;
  release(&p->lock);
  mm_put(old);

  struct trapframe *tf = p->trapframe;
  memset(&tf->ra, 0, sizeof(*tf) - offsetof(struct trapframe, ra));
  tf->epc = img.entry;
  tf->sp = sp;
  const char *name = path;
  for (const char *s = path; *s; s++)
    if (*s == '/')
      name = s + 1;
  safestrcpy(p->name, name, sizeof(p->name));
  exec_reset(p);
  vfork_release(p);
  return 0;
}

// exec from the kernel (init): args as exec_core takes them.
long exec_kernel(const char *path, const char *args, int argc, int envc)
{
  long len = 0;
  for (int i = 0; i < argc + envc; i++)
    len += strlen(args + len) + 1;
  return exec_core(path, args, len, argc, envc);
}

// Copy a NULL-terminated user array of strings to buf at *used.
static long copy_strings(struct mm *mm, uint64 uvec, char *buf, long *used, int *count)
{
  *count = 0;
  if (!uvec)
    return 0;
  for (;;) {
    uint64 s;
    if (get_user64(mm, uvec + *count * 8, &s) < 0)
      return -EFAULT;
    if (!s)
      return 0;
    if (*count >= MAXARG)
      return -E2BIG;
    long n = copyinstr(mm, buf + *used, s, MAXARGBYTES - *used);
    if (n == -ENAMETOOLONG)
      return -E2BIG;
    if (n < 0)
      return n;
    *used += n + 1;
    (*count)++;
  }
}

long sys_execve(uint64 upath, uint64 uargv, uint64 uenvp)
{
  struct proc *p = myproc();
  char path[MAXPATH];
  long r = copyinstr(p->mm, path, upath, sizeof(path));
  if (r < 0)
    return r;
  char *buf = kalloc_pages(2);
  if (!buf)
    return -ENOMEM;
  long used = 0;
  int argc, envc;
  if ((r = copy_strings(p->mm, uargv, buf, &used, &argc)) == 0 &&
      (r = copy_strings(p->mm, uenvp, buf, &used, &envc)) == 0)
    r = exec_core(path, buf, used, argc, envc);
  kfree(buf);
  return r;
}
