// tlstest: many threads each write and re-read __thread variables while
// they are switched between harts and preempted: any tp that is lost or
// swapped shows up as another thread's value (or a crash).
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include "tlib.h"

#define NTHREADS 8
#define ROUNDS 200

static pthread_barrier_t start;
static __thread long tls_value;
static __thread char tls_name[16] = "unset";
static __thread int tls_initialized = 7;   // .tdata: must start at 7 in every thread
static int bad[NTHREADS];

static void *worker(void *arg)
{
  long id = (long)arg;
  if (tls_initialized != 7)
    bad[id] = 1;
  snprintf(tls_name, sizeof(tls_name), "t%ld", id);
  pthread_t self = pthread_self();
  pthread_barrier_wait(&start);   // all threads runnable at once: every yield switches
  for (int r = 0; r < ROUNDS; r++) {
    tls_value = id * 100000 + r;
    volatile unsigned spin = 0;
    for (int i = 0; i < 100; i++)
      spin += i;
    sched_yield();
    if (r % 50 == 0)
      usleep(100);
    if (tls_value != id * 100000 + r || !pthread_equal(self, pthread_self()) ||
        atoi(tls_name + 1) != id) {
      bad[id] = 2;
      printf("thread %ld round %d: tls_value %ld name %s\n", id, r, tls_value, tls_name);
      return 0;
    }
  }
  return (void *)(id + 1);
}

int main(void)
{
  tstart("tlstest");
  tls_value = -1;
  pthread_barrier_init(&start, 0, NTHREADS);
  pthread_t t[NTHREADS];
  for (long i = 0; i < NTHREADS; i++)
    CHECK(pthread_create(&t[i], 0, worker, (void *)i) == 0, "pthread_create %ld", i);
  for (long i = 0; i < NTHREADS; i++) {
    void *ret;
    CHECK(pthread_join(t[i], &ret) == 0, "join %ld", i);
    CHECK(ret == (void *)(i + 1), "thread %ld returned %p", i, ret);
    CHECK(!bad[i], "thread %ld saw a wrong TLS value (%d)", i, bad[i]);
  }
  CHECK(tls_value == -1 && strcmp(tls_name, "unset") == 0, "main thread's TLS changed");
  tpass();
}
