// shmtest: SysV shared memory between two processes: shmget, shmat, shmdt,
// shmctl(IPC_STAT, IPC_RMID), a key found by a second process, a shared
// futex on the segment, and the frames returned at the end.
#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include "tlib.h"
#include "futexlib.h"

#define SIZE (3 * 4096)

static void round_trip(void)
{
  int id = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
  CHECK(id >= 0, "shmget: errno %d", errno);
  char *p = shmat(id, 0, 0);
  CHECK(p != (void *)-1, "shmat: errno %d", errno);
  CHECK(p[0] == 0 && p[SIZE - 1] == 0, "new segment not zeroed");
  strcpy(p, "parent");
  struct shmid_ds ds;
  CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_segsz == SIZE,
        "IPC_STAT: nattch %lu size %zu", ds.shm_nattch, ds.shm_segsz);
  uint32_t *flag = (uint32_t *)(p + 8192);
  pid_t pid = fork();
  if (pid == 0) {
    // the child inherits the attachment and also attaches a second time
    char *q = shmat(id, 0, 0);
    if (q == (void *)-1 || strcmp(q, "parent") != 0)
      _exit(2);
    strcpy(q + 4096, "child");
    __atomic_store_n(flag, 1, __ATOMIC_RELEASE);
    futex(flag, FUTEX_WAKE, 1, 0, 0, 0);
    shmdt(q);
    _exit(strcmp(p, "parent") == 0 ? 0 : 3);
  }
  while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0)
    futex(flag, FUTEX_WAIT, 0, 0, 0, 0);
  CHECK(strcmp(p + 4096, "child") == 0, "the child's write is not visible");
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %#x", st);
  CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1, "nattch after the child: %lu",
        ds.shm_nattch);
  // a key finds the same segment
  int kid = shmget(0x7357, 4096, IPC_CREAT | 0600);
  CHECK(kid >= 0, "shmget key");
  CHECK(shmget(0x7357, 4096, IPC_CREAT | IPC_EXCL | 0600) < 0 && errno == EEXIST, "IPC_EXCL");
  CHECK(shmget(0x7357, 8192, 0) < 0 && errno == EINVAL, "larger than the segment");
  CHECK(shmget(0x7358, 4096, 0) < 0 && errno == ENOENT, "missing key");
  pid = fork();
  if (pid == 0) {
    char *q = shmat(shmget(0x7357, 0, 0), 0, 0);
    if (q == (void *)-1)
      _exit(2);
    q[0] = 'k';
    _exit(0);
  }
  CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 0, "keyed child");
  char *k = shmat(kid, 0, SHM_RDONLY);
  CHECK(k != (void *)-1 && k[0] == 'k', "keyed segment not shared");
  CHECK(shmdt(k) == 0, "shmdt");
  CHECK(shmctl(kid, IPC_RMID, 0) == 0, "IPC_RMID keyed");
  // removal waits for the last detach
  CHECK(shmctl(id, IPC_RMID, 0) == 0, "IPC_RMID");
  CHECK(strcmp(p, "parent") == 0, "removed segment still attached must keep its data");
  CHECK(shmat(id, 0, 0) == (void *)-1, "shmat of a removed segment succeeded");
  CHECK(shmdt(p) == 0, "shmdt");
  CHECK(shmdt(p) < 0 && errno == EINVAL, "second shmdt");
  CHECK(shmctl(id, IPC_STAT, &ds) < 0 && errno == EINVAL, "segment still exists");
}

int main(void)
{
  tstart("shmtest");
  round_trip();   // first round: our own page tables and stack grow
  long before = free_frames();
  round_trip();
  CHECK(free_frames() == before, "frames: %ld before, %ld after", before, free_frames());
  tpass();
}
