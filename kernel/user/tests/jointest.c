// jointest: many short threads: create and join in batches, so joins find
// threads both still running and already exited (CLONE_CHILD_CLEARTID's
// futex wake); detached threads; the task table returns to where it was.
#include <pthread.h>
#include "tlib.h"

#define THREADS 1000
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

int main(void)
{
  tstart("jointest");
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
