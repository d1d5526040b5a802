// jointest: many short threads: create and join in batches, so joins find
// threads both still running and already exited (CLONE_CHILD_CLEARTID's
// futex wake); detached threads; the task table returns to where it was.
#include <pthread.h>
#include <sys/wait.h>
#include "tlib.h"

#define THREADS 2000
#define BATCH 8

static int ran[THREADS];

static void *quick(void *arg)
{
  long i = (long)arg;
  ran[i]++;
  if (i % 3 == 0)
    sched_yield();
  if (i % 7 == 0)
    pthread_exit((void *)(i * 2));
  return (void *)(i * 2);
}

static void *detached(void *arg)
{
  __atomic_fetch_add((int *)arg, 1, __ATOMIC_RELAXED);
  return 0;
}

static void *block_forever(void *arg)
{
  pthread_mutex_t *m = arg;
  pthread_mutex_lock(m);   // held by main: blocks in the kernel
  return 0;
}

static void *exit_later(void *arg)
{
  // wait until the leader has really gone (tgkill finds no such thread)
  while (syscall(SYS_tgkill, getpid(), getpid(), 0) == 0)
    usleep(500);
  exit(7);   // exit_group from a thread, after the leader has gone
}

static void *exec_later(void *arg)
{
  usleep(1000);
  char *argv[] = {"true", "5", 0};
  execv("/bin/true", argv);
  return 0;
}

static int child_status(void (*fn)(void))
{
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    _exit(99);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// exit() from main ends threads blocked in the kernel.
static void exit_with_blocked_threads(void)
{
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  pthread_t t;
  for (int i = 0; i < 4; i++)
    pthread_create(&t, 0, block_forever, &m);
  usleep(2000);
  exit(3);
}

static void *exit_now(void *arg)
{
  exit(7);   // races with the leader's own pthread_exit
}

// The leader leaves with pthread_exit; the process lives on in its thread.
static void leader_leaves_first(void)
{
  pthread_t t;
  pthread_create(&t, 0, exit_later, 0);
  pthread_exit(0);
}

static void leader_leaves_racing(void)
{
  pthread_t t;
  pthread_create(&t, 0, exit_now, 0);
  pthread_exit(0);
}

// execve from a thread ends every other thread, the leader included.
static void exec_from_a_thread(void)
{
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  pthread_t t;
  pthread_create(&t, 0, block_forever, &m);
  pthread_create(&t, 0, exec_later, 0);
  pthread_join(t, 0);
}

int main(void)
{
  tstart("jointest");
  CHECK(child_status(exit_with_blocked_threads) == 3, "exit with blocked threads");
  int st = child_status(leader_leaves_first);
  CHECK(st == 7, "exit after the leader left: %d", st);
  for (int i = 0; i < 4; i++) {
    st = child_status(leader_leaves_racing);
    CHECK(st == 7, "exit while the leader leaves: %d", st);
  }
  CHECK(child_status(exec_from_a_thread) == 5, "exec from a thread");
  long tasks = task_count();
  for (long base = 0; base < THREADS; base += BATCH) {
    pthread_t t[BATCH];
    for (long i = 0; i < BATCH; i++)
      CHECK(pthread_create(&t[i], 0, quick, (void *)(base + i)) == 0, "create %ld", base + i);
    if (base % (4 * BATCH) == 0)
      usleep(500);   // let some finish before their join
    for (long i = 0; i < BATCH; i++) {
      void *ret;
      CHECK(pthread_join(t[i], &ret) == 0, "join %ld", base + i);
      CHECK(ret == (void *)((base + i) * 2), "thread %ld returned %p", base + i, ret);
    }
  }
  for (int i = 0; i < THREADS; i++)
    CHECK(ran[i] == 1, "thread %d ran %d times", i, ran[i]);
  int count = 0;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  for (int i = 0; i < 16; i++) {
    pthread_t t;
    CHECK(pthread_create(&t, &attr, detached, &count) == 0, "create detached");
  }
  for (int i = 0; i < 2000 && (__atomic_load_n(&count, __ATOMIC_RELAXED) < 16 ||
                               task_count() > tasks); i++)
    usleep(1000);
  CHECK(count == 16, "%d of 16 detached threads ran", count);
  CHECK(task_count() == tasks, "tasks: %ld before, %ld after", tasks, task_count());
  tpass();
}
