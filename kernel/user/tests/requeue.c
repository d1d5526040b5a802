// requeue: FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP with every
// operation and comparison (seed 001, 8.3), checked against the futex word
// and against which waiters were woken.
#include "tlib.h"
#include "futexlib.h"

#define P FUTEX_PRIVATE_FLAG
static uint32_t f1, f2;

static void requeue(void)
{
  struct waiter w[4] = {0};
  f1 = f2 = 0;
  for (int i = 0; i < 4; i++)
    start_waiter(&w[i], &f1, FUTEX_WAIT | P, 0, 0);
  CHECK(await_waiters(&f1, 4) == 0, "waiters never queued");
  // wake 1, move 2 to f2, leave 1 on f1
  EXPECT_EQ(futex(&f1, FUTEX_REQUEUE | P, 1, (void *)2, &f2, 0), 3);
  EXPECT_EQ(futex_waiters(&f1), 1);
  EXPECT_EQ(futex_waiters(&f2), 2);
  EXPECT_EQ(futex(&f1, FUTEX_WAKE | P, 1, 0, 0, 0), 1);
  EXPECT_EQ(futex(&f2, FUTEX_WAKE | P, 10, 0, 0, 0), 2);
  for (int i = 0; i < 4; i++) {
    join_waiter(&w[i]);
    CHECK(w[i].ret == 0, "waiter %d: %ld errno %d", i, w[i].ret, w[i].err);
  }
}

static void cmp_requeue(void)
{
  struct waiter w[3] = {0};
  f1 = 5;
  f2 = 0;
  for (int i = 0; i < 3; i++)
    start_waiter(&w[i], &f1, FUTEX_WAIT | P, 5, 0);
  CHECK(await_waiters(&f1, 3) == 0, "waiters never queued");
  CHECK(futex(&f1, FUTEX_CMP_REQUEUE | P, 1, (void *)1, &f2, 6) < 0 && errno == EAGAIN,
        "CMP_REQUEUE with a stale value: errno %d", errno);
  EXPECT_EQ(futex_waiters(&f1), 3);
  EXPECT_EQ(futex(&f1, FUTEX_CMP_REQUEUE | P, 0, (void *)5, &f2, 5), 3);
  EXPECT_EQ(futex_waiters(&f2), 3);
  EXPECT_EQ(futex(&f2, FUTEX_WAKE | P, 3, 0, 0, 0), 3);
  for (int i = 0; i < 3; i++)
    join_waiter(&w[i]);
}

static int apply(int op, int old, int arg)
{
  switch (op) {
  case FUTEX_OP_SET: return arg;
  case FUTEX_OP_ADD: return old + arg;
  case FUTEX_OP_OR: return old | arg;
  case FUTEX_OP_ANDN: return old & ~arg;
  default: return old ^ arg;
  }
}

static int compare(int cmp, int old, int arg)
{
  switch (cmp) {
  case FUTEX_OP_CMP_EQ: return old == arg;
  case FUTEX_OP_CMP_NE: return old != arg;
  case FUTEX_OP_CMP_LT: return old < arg;
  case FUTEX_OP_CMP_LE: return old <= arg;
  case FUTEX_OP_CMP_GT: return old > arg;
  default: return old >= arg;
  }
}

// One FUTEX_WAKE_OP with a waiter on each word.
static void wake_op_case(int op, int oparg, int shift, int cmp, int cmparg, int start)
{
  struct waiter a = {0}, b = {0};
  f1 = 100;
  f2 = start;
  start_waiter(&a, &f1, FUTEX_WAIT | P, 100, 0);
  start_waiter(&b, &f2, FUTEX_WAIT | P, start, 0);
  CHECK(await_waiters(&f1, 1) == 0 && await_waiters(&f2, 1) == 0, "waiters never queued");
  int encoded = WAKE_OP(op | (shift ? FUTEX_OP_OPARG_SHIFT : 0), oparg, cmp, cmparg);
  int arg = shift ? 1 << oparg : oparg;
  int hit = compare(cmp, start, cmparg);
  long r = futex(&f1, FUTEX_WAKE_OP | P, 1, (void *)1, &f2, encoded);
  CHECK(r == 1 + hit, "op %d arg %d cmp %d %d on %d: woke %ld, want %d", op, oparg, cmp, cmparg,
        start, r, 1 + hit);
  CHECK((int)f2 == apply(op, start, arg), "op %d arg %d on %d gave %d, want %d", op, arg, start,
        (int)f2, apply(op, start, arg));
  join_waiter(&a);
  if (!hit) {
    EXPECT_EQ(futex_waiters(&f2), 1);
    EXPECT_EQ(futex(&f2, FUTEX_WAKE | P, 1, 0, 0, 0), 1);
  }
  join_waiter(&b);
}

static void wake_op(void)
{
  // every comparison, with the compared value below, equal to and above cmparg
  for (int cmp = FUTEX_OP_CMP_EQ; cmp <= FUTEX_OP_CMP_GE; cmp++)
    for (int start = 4; start <= 6; start++)
      wake_op_case(FUTEX_OP_ADD, 1, 0, cmp, 5, start);
  // every operation
  wake_op_case(FUTEX_OP_SET, 42, 0, FUTEX_OP_CMP_EQ, 7, 7);
  wake_op_case(FUTEX_OP_ADD, -3, 0, FUTEX_OP_CMP_LT, -1, -2);   // sign-extended 12-bit args
  wake_op_case(FUTEX_OP_OR, 0x30, 0, FUTEX_OP_CMP_NE, 0, 0x0f);
  wake_op_case(FUTEX_OP_ANDN, 0x0c, 0, FUTEX_OP_CMP_GT, 0, 0x0f);
  wake_op_case(FUTEX_OP_XOR, 0xff, 0, FUTEX_OP_CMP_GE, 0x100, 0x0f);
  wake_op_case(FUTEX_OP_OR, 4, 1, FUTEX_OP_CMP_EQ, 1, 1);       // FUTEX_OP_OPARG_SHIFT: 1 << 4
  CHECK(futex(&f1, FUTEX_WAKE_OP | P, 1, (void *)1, &f2, WAKE_OP(7, 0, 0, 0)) < 0 &&
        errno == ENOSYS, "bad op: errno %d", errno);
  CHECK(futex(&f1, FUTEX_WAKE_OP | P, 1, (void *)1, (void *)0x1000, WAKE_OP(0, 0, 0, 0)) < 0 &&
        errno == EFAULT, "bad uaddr2: errno %d", errno);
}

int main(void)
{
  tstart("requeue");
  requeue();
  cmp_requeue();
  wake_op();
  tpass();
}
