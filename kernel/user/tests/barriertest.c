// barriertest: pthread barriers: no thread passes round r before every
// thread has finished writing round r.
#include <pthread.h>
#include "tlib.h"

#define NTHREADS 6
#define ROUNDS 60

static pthread_barrier_t barrier;
static int slot[NTHREADS];
static int errors, serial_count;

static void *worker(void *arg)
{
  long id = (long)arg;
  for (int r = 1; r <= ROUNDS; r++) {
    slot[id] = r;
    int ret = pthread_barrier_wait(&barrier);
    if (ret == PTHREAD_BARRIER_SERIAL_THREAD)
      __atomic_fetch_add(&serial_count, 1, __ATOMIC_RELAXED);
    else if (ret != 0)
      __atomic_fetch_add(&errors, 1000, __ATOMIC_RELAXED);
    for (int i = 0; i < NTHREADS; i++)
      if (__atomic_load_n(&slot[i], __ATOMIC_ACQUIRE) < r)
        __atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
    pthread_barrier_wait(&barrier);   // nobody starts r+1 while others still read r
  }
  return 0;
}

int main(void)
{
  tstart("barriertest");
  CHECK(pthread_barrier_init(&barrier, 0, NTHREADS) == 0, "barrier_init");
  pthread_t t[NTHREADS];
  for (long i = 0; i < NTHREADS; i++)
    CHECK(pthread_create(&t[i], 0, worker, (void *)i) == 0, "create");
  for (int i = 0; i < NTHREADS; i++)
    pthread_join(t[i], 0);
  CHECK(errors == 0, "%d threads passed the barrier early", errors);
  CHECK(serial_count == ROUNDS, "serial thread count %d, want %d", serial_count, ROUNDS);
  pthread_barrier_destroy(&barrier);
  tpass();
}
