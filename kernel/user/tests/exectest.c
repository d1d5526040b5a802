// exectest: execve passes argv and envp through intact; the initial stack
// has Linux's layout (argc, argv, envp, auxv) and the auxiliary vector says
// the truth about the program (checked against its own ELF header, program
// headers and entry point); exec errors come back as errno.
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include "tlib.h"

extern char **environ;
extern const ElfW(Ehdr) __ehdr_start;
extern char _start[];
static char long_arg[3000];

#define HWCAP_LETTER(c) (1UL << ((c) - 'A'))

static void hex16(const unsigned char *b, char *out)
{
  for (int i = 0; i < 16; i++)
    sprintf(out + 2 * i, "%02x", b[i]);
}

static int phdr_count;
static const ElfW(Phdr) *phdr_seen;

static int on_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
  (void)size;
  (void)arg;
  phdr_seen = info->dlpi_phdr;
  phdr_count = info->dlpi_phnum;
  return 1;
}

// The auxiliary vector as the kernel laid it out after envp's NULL.
static unsigned long aux_value(const unsigned long *auxv, unsigned long type, int *found)
{
  *found = 0;
  for (const unsigned long *a = auxv; a[0] != AT_NULL; a += 2)
    if (a[0] == type) {
      *found = 1;
      return a[1];
    }
  return 0;
}

static void check_stack_and_auxv(int argc, char **argv)
{
  // argc sits right below argv, at the 16-byte aligned initial sp
  long *sp = (long *)argv - 1;
  CHECK(((uintptr_t)sp & 15) == 0, "initial sp %p is not 16-byte aligned", (void *)sp);
  CHECK(*sp == argc, "the word below argv is %ld, not argc %d", *sp, argc);
  char **envp = argv + argc + 1;
  CHECK(envp == environ, "envp does not follow argv's NULL");
  char **e = envp;
  while (*e)
    e++;
  const unsigned long *auxv = (const unsigned long *)(e + 1);
  static const unsigned long wanted[] = {AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY,
                                         AT_RANDOM, AT_HWCAP, AT_SECURE, AT_EXECFN};
  for (unsigned i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
    int found;
    unsigned long v = aux_value(auxv, wanted[i], &found);
    CHECK(found, "auxv lacks type %lu", wanted[i]);
    CHECK(getauxval(wanted[i]) == v, "getauxval(%lu) = %#lx, the stack says %#lx", wanted[i],
          getauxval(wanted[i]), v);
  }
  // the program's own headers, as the linker placed them
  const ElfW(Ehdr) *eh = &__ehdr_start;
  CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0, "__ehdr_start is not an ELF header");
  CHECK(getauxval(AT_PHDR) == (uintptr_t)eh + eh->e_phoff, "AT_PHDR %#lx, headers at %#lx",
        getauxval(AT_PHDR), (unsigned long)((uintptr_t)eh + eh->e_phoff));
  CHECK(getauxval(AT_PHNUM) == eh->e_phnum, "AT_PHNUM %lu, e_phnum %u", getauxval(AT_PHNUM),
        eh->e_phnum);
  CHECK(getauxval(AT_PHENT) == sizeof(ElfW(Phdr)), "AT_PHENT %lu", getauxval(AT_PHENT));
  CHECK(getauxval(AT_ENTRY) == (uintptr_t)_start && eh->e_entry == (uintptr_t)_start,
        "AT_ENTRY %#lx, _start %p", getauxval(AT_ENTRY), (void *)_start);
  dl_iterate_phdr(on_phdr, 0);
  CHECK(phdr_seen == (const ElfW(Phdr) *)getauxval(AT_PHDR) && phdr_count == eh->e_phnum,
        "dl_iterate_phdr: %p/%d", (const void *)phdr_seen, phdr_count);
  int text_loaded = 0;
  const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
  for (int i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) && ph[i].p_vaddr <= (uintptr_t)_start &&
        (uintptr_t)_start < ph[i].p_vaddr + ph[i].p_memsz)
      text_loaded = 1;
  CHECK(text_loaded, "no executable PT_LOAD header covers _start");
  CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ %lu", getauxval(AT_PAGESZ));
  unsigned long rv64gc = HWCAP_LETTER('I') | HWCAP_LETTER('M') | HWCAP_LETTER('A') |
                         HWCAP_LETTER('F') | HWCAP_LETTER('D') | HWCAP_LETTER('C');
  CHECK((getauxval(AT_HWCAP) & rv64gc) == rv64gc, "AT_HWCAP %#lx lacks IMAFDC",
        getauxval(AT_HWCAP));
  CHECK(getauxval(AT_SECURE) == 0, "AT_SECURE set");
  CHECK(strcmp((const char *)getauxval(AT_EXECFN), "/tests/exectest") == 0, "AT_EXECFN %s",
        (const char *)getauxval(AT_EXECFN));
  // AT_RANDOM: 16 bytes above the vectors, not all zero, not the parent's
  const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
  CHECK((uintptr_t)rnd > (uintptr_t)auxv, "AT_RANDOM %p below the auxv", (const void *)rnd);
  int nonzero = 0;
  for (int i = 0; i < 16; i++)
    nonzero += rnd[i] != 0;
  CHECK(nonzero >= 8, "AT_RANDOM has %d non-zero bytes of 16", nonzero);
  char mine[33], *parent = getenv("PARENT_RANDOM");
  hex16(rnd, mine);
  CHECK(parent && strlen(parent) == 32 && strcmp(parent, mine) != 0,
        "AT_RANDOM %s equals the parent's %s", mine, parent ? parent : "(none)");
}

static void child(int argc, char **argv)
{
  tstart("exectest(child)");
  CHECK(argc == 5, "argc %d", argc);
  CHECK(strcmp(argv[0], "exectest") == 0, "argv[0] %s", argv[0]);
  CHECK(strcmp(argv[2], "two words") == 0, "argv[2] %s", argv[2]);
  CHECK(strcmp(argv[3], "") == 0, "argv[3] not empty");
  memset(long_arg, 'L', sizeof(long_arg) - 1);
  CHECK(strcmp(argv[4], long_arg) == 0, "argv[4] (%zu bytes) damaged", strlen(argv[4]));
  CHECK(argv[5] == 0, "argv not NULL-terminated");
  CHECK(getenv("FOO") && strcmp(getenv("FOO"), "bar") == 0, "FOO=%s", getenv("FOO"));
  CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0, "EMPTY missing");
  CHECK(!getenv("HOME"), "environment leaked through execve");
  check_stack_and_auxv(argc, argv);
  _exit(0);
}

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "child") == 0)
    child(argc, argv);
  tstart("exectest");
  memset(long_arg, 'L', sizeof(long_arg) - 1);
  char *cargv[] = {"exectest", "child", "two words", "", long_arg, 0};
  char parent_random[64] = "PARENT_RANDOM=";
  hex16((const unsigned char *)getauxval(AT_RANDOM), parent_random + strlen(parent_random));
  char *cenvp[] = {"FOO=bar", "EMPTY=", parent_random, 0};
  pid_t pid = fork();
  if (pid == 0) {
    execve("/tests/exectest", cargv, cenvp);
    printf("execve: errno %d\n", errno);
    _exit(99);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
  char *noargs[] = {"x", 0};
  CHECK(execve("/tests/nonexistent", noargs, cenvp) < 0 && errno == ENOENT, "missing file: %d",
        errno);
  CHECK(execve("/etc/tests", noargs, cenvp) < 0 && errno == ENOEXEC, "non-ELF: %d", errno);
  CHECK(execve("/tests", noargs, cenvp) < 0 && errno == EACCES, "directory: %d", errno);
  CHECK(syscall(SYS_execve, 8, noargs, cenvp) < 0 && errno == EFAULT, "bad path pointer: %d", errno);
  char *badv[] = {"x", (char *)16, 0};
  CHECK(execve("/tests/exectest", badv, cenvp) < 0 && errno == EFAULT, "bad argv entry: %d",
        errno);
  // exec replaces the image: a child that execs /bin/true exits 0; with an
  // argument, its status is that number.
  pid = fork();
  if (pid == 0) {
    char *tv[] = {"true", "7", 0};
    execve("/bin/true", tv, cenvp);
    _exit(99);
  }
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7, "true 7: %#x", st);
  // posix_spawn: clone(CLONE_VM | CLONE_VFORK) on its own stack, then exec
  char *sv[] = {"true", "9", 0};
  CHECK(posix_spawn(&pid, "/bin/true", 0, 0, sv, cenvp) == 0, "posix_spawn");
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 9, "spawned: %#x", st);
  CHECK(posix_spawn(&pid, "/bin/nonexistent", 0, 0, sv, cenvp) == ENOENT,
        "posix_spawn of a missing file");
  tpass();
}
