// pcthreads: a bounded buffer guarded by a pthread mutex and two condition
// variables, 4 producers and 4 consumers on every hart; every item is
// consumed exactly once.
#include <pthread.h>
#include "tlib.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define PER_PRODUCER 400
#define SLOTS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int buf[SLOTS], head, count, producers_left = PRODUCERS;
static unsigned char seen[PRODUCERS * PER_PRODUCER];
static long consumed_sum[CONSUMERS];
static unsigned harts_used;

static void note_hart(void)
{
  unsigned cpu = 0;
  if (getcpu(&cpu, 0) == 0 && cpu < 32)
    __atomic_fetch_or(&harts_used, 1u << cpu, __ATOMIC_RELAXED);
}

static void *producer(void *arg)
{
  long id = (long)arg;
  for (int i = 0; i < PER_PRODUCER; i++) {
    pthread_mutex_lock(&lock);
    while (count == SLOTS)
      pthread_cond_wait(&not_full, &lock);
    buf[(head + count) % SLOTS] = id * PER_PRODUCER + i;
    count++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
    if (i % 64 == 0)
      note_hart();
  }
  pthread_mutex_lock(&lock);
  producers_left--;
  pthread_cond_broadcast(&not_empty);
  pthread_mutex_unlock(&lock);
  return 0;
}

static void *consumer(void *arg)
{
  long id = (long)arg;
  for (int n = 0;; n++) {
    pthread_mutex_lock(&lock);
    while (count == 0 && producers_left > 0)
      pthread_cond_wait(&not_empty, &lock);
    if (count == 0) {
      pthread_mutex_unlock(&lock);
      return 0;
    }
    int item = buf[head];
    head = (head + 1) % SLOTS;
    count--;
    seen[item]++;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&lock);
    consumed_sum[id] += item;
    if (n % 64 == 0)
      note_hart();
  }
}

int main(void)
{
  tstart("pcthreads");
  pthread_t p[PRODUCERS], c[CONSUMERS];
  for (long i = 0; i < CONSUMERS; i++)
    CHECK(pthread_create(&c[i], 0, consumer, (void *)i) == 0, "create consumer");
  for (long i = 0; i < PRODUCERS; i++)
    CHECK(pthread_create(&p[i], 0, producer, (void *)i) == 0, "create producer");
  for (int i = 0; i < PRODUCERS; i++)
    pthread_join(p[i], 0);
  for (int i = 0; i < CONSUMERS; i++)
    pthread_join(c[i], 0);
  long total = 0, n = PRODUCERS * PER_PRODUCER;
  for (int i = 0; i < CONSUMERS; i++)
    total += consumed_sum[i];
  for (int i = 0; i < n; i++)
    CHECK(seen[i] == 1, "item %d consumed %d times", i, seen[i]);
  CHECK(total == n * (n - 1) / 2, "sum %ld, want %ld", total, n * (n - 1) / 2);
  if (harts_online() > 1)
    CHECK(__builtin_popcount(harts_used) > 1, "all threads ran on one hart (%#x)", harts_used);
  tpass();
}
