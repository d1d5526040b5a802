// regtest: every user register survives traps.  More threads than harts
// load all 31 integer registers (tp and gp included, sp aside), the 32
// float registers and fcsr with their own patterns, spin without system
// calls until the main thread says stop (so timer interrupts preempt them
// and other threads run on their harts meanwhile), make one system call,
// and check that every register still holds its pattern.  That the main
// thread gets to say stop, and each spinner's involuntary switch count,
// show the scheduler preempts user code.
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>
#include "tlib.h"

#define MAXTHREADS 9

struct soak {
  uint64_t x[32];             // loaded into x1..x31 but sp (x2), a0 (x10, last), a6, a7
  uint64_t f[32];
  uint64_t fcsr;
  volatile uint32_t *flag;    // a7 while spinning; a6 holds what it reads
  uint64_t out_x[32];         // the registers after the spin and a getpid
  uint64_t out_f[32];
  uint64_t out_fcsr;
};
_Static_assert(offsetof(struct soak, f) == 256 && offsetof(struct soak, fcsr) == 512 &&
               offsetof(struct soak, flag) == 520 && offsetof(struct soak, out_x) == 528 &&
               offsetof(struct soak, out_f) == 784 && offsetof(struct soak, out_fcsr) == 1040,
               "reg_soak's offsets");

void reg_soak(struct soak *s);

// reg_soak(s): frame of 752 bytes: ra gp tp s0-s11 a0 at 0..127, fs0-fs11
// at 128..223, then the 65 words copied to s->out_x.. at 224.
asm(".text\n"
    ".globl reg_soak\n"
    ".type reg_soak, @function\n"
    "reg_soak:\n"
    "  addi sp, sp, -752\n"
    "  .set k, 0\n"
    "  .irp r, ra,gp,tp,s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11,a0\n"
    "  sd \\r, k(sp)\n"
    "  .set k, k + 8\n"
    "  .endr\n"
    "  .set k, 128\n"
    "  .irp r, fs0,fs1,fs2,fs3,fs4,fs5,fs6,fs7,fs8,fs9,fs10,fs11\n"
    "  fsd \\r, k(sp)\n"
    "  .set k, k + 8\n"
    "  .endr\n"
    "  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "  fld f\\i, (256 + \\i * 8)(a0)\n"
    "  .endr\n"
    "  ld t0, 512(a0)\n"
    "  fscsr t0\n"
    "  ld a7, 520(a0)\n"
    "  .irp i, 1,3,4,5,6,7,8,9,11,12,13,14,15,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "  ld x\\i, (\\i * 8)(a0)\n"
    "  .endr\n"
    "  ld a0, 80(a0)\n"
    "1:\n"
    "  lw a6, 0(a7)\n"
    "  beqz a6, 1b\n"
    "  li a7, 172\n"            // getpid: a0 becomes the pid, a7 stays 172
    "  ecall\n"
    "  .irp i, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "  sd x\\i, (224 + \\i * 8)(sp)\n"
    "  .endr\n"
    "  sd zero, 224(sp)\n"
    "  sd sp, 240(sp)\n"
    "  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "  fsd f\\i, (480 + \\i * 8)(sp)\n"
    "  .endr\n"
    "  frcsr t0\n"
    "  sd t0, 736(sp)\n"
    "  ld a0, 120(sp)\n"
    "  addi t1, sp, 224\n"
    "  addi t2, a0, 528\n"
    "  li t3, 65\n"
    "2:\n"
    "  ld t4, 0(t1)\n"
    "  sd t4, 0(t2)\n"
    "  addi t1, t1, 8\n"
    "  addi t2, t2, 8\n"
    "  addi t3, t3, -1\n"
    "  bnez t3, 2b\n"
    "  .set k, 0\n"
    "  .irp r, ra,gp,tp,s0,s1,s2,s3,s4,s5,s6,s7,s8,s9,s10,s11\n"
    "  ld \\r, k(sp)\n"
    "  .set k, k + 8\n"
    "  .endr\n"
    "  .set k, 128\n"
    "  .irp r, fs0,fs1,fs2,fs3,fs4,fs5,fs6,fs7,fs8,fs9,fs10,fs11\n"
    "  fld \\r, k(sp)\n"
    "  .set k, k + 8\n"
    "  .endr\n"
    "  addi sp, sp, 752\n"
    "  ret\n"
    ".size reg_soak, . - reg_soak\n");

static volatile uint32_t stop;
static struct soak soaks[MAXTHREADS];
static volatile int started[MAXTHREADS];
static long preempted[MAXTHREADS];

static long involuntary_switches(void)
{
  struct rusage r;
  return getrusage(RUSAGE_THREAD, &r) == 0 ? r.ru_nivcsw : -1;
}

static uint64_t pattern(long id, int i, uint64_t salt)
{
  uint64_t v = salt ^ ((uint64_t)(id + 1) << 44) ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
  return v ^ (v >> 29);
}

static void *soaker(void *arg)
{
  long id = (long)arg;
  struct soak *s = &soaks[id];
  for (int i = 0; i < 32; i++) {
    s->x[i] = pattern(id, i, 0x5ca1ab1e00000000ull);
    s->f[i] = pattern(id, i, 0xf10a7f10a7000000ull);
  }
  s->fcsr = ((id % 5) << 5) | ((id * 7 + 3) & 0x1f);   // frm, fflags
  s->flag = &stop;
  long before = involuntary_switches();
  started[id] = 1;
  reg_soak(s);
  preempted[id] = involuntary_switches() - before;
  return 0;
}

static void check(long id)
{
  struct soak *s = &soaks[id];
  for (int i = 1; i < 32; i++) {
    uint64_t want = s->x[i];
    if (i == 2)
      continue;   // sp
    if (i == 10)
      want = getpid();
    if (i == 16)
      want = 1;   // the stop flag as read
    if (i == 17)
      want = 172;
    CHECK(s->out_x[i] == want, "thread %ld: x%d is %#lx, want %#lx", id, i, s->out_x[i], want);
  }
  for (int i = 0; i < 32; i++)
    CHECK(s->out_f[i] == s->f[i], "thread %ld: f%d is %#lx, want %#lx", id, i, s->out_f[i],
          s->f[i]);
  CHECK(s->out_fcsr == s->fcsr, "thread %ld: fcsr %#lx, want %#lx", id, s->out_fcsr, s->fcsr);
  CHECK(preempted[id] > 0, "thread %ld spun without being preempted once", id);
}

int main(void)
{
  tstart("regtest");
  long n = harts_online() + 1;
  CHECK(n <= MAXTHREADS, "%ld harts", n - 1);
  pthread_t t[MAXTHREADS];
  for (long i = 0; i < n; i++)
    CHECK(pthread_create(&t[i], 0, soaker, (void *)i) == 0, "pthread_create");
  // every spinner starts (one more than there are harts), then spins 3 ticks more
  struct timespec tick = {0, 10 * 1000 * 1000};
  for (long i = 0; i < n; i++)
    while (!started[i])
      nanosleep(&tick, 0);
  for (int i = 0; i < 3; i++)
    nanosleep(&tick, 0);
  stop = 1;
  for (long i = 0; i < n; i++) {
    pthread_join(t[i], 0);
    check(i);
  }
  tpass();
}
