// Formatted output for the kernel: printf() to the console and the log
// ring, klog() to the ring only, ksnprintf() to a buffer, and panic().
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "proc.h"
#include "klog.h"
#include "riscv.h"
#include "sbi.h"
#include "defs.h"

struct klog klog;
struct panic_record panic_record;
volatile int panicked;

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, t) __builtin_va_arg(ap, t)
#define va_end(ap) __builtin_va_end(ap)

typedef void (*putfn)(int c, void *arg);

static const char digits[] = "0123456789abcdef";

static void put_num(putfn put, void *arg, uint64 x, int base, int sign, int width, int zero)
{
  char buf[24];
  int i = 0, neg = 0;
  if (sign && (int64)x < 0) {
    neg = 1;
    x = -(int64)x;
  }
  do {
    buf[i++] = digits[x % base];
    x /= base;
  } while (x);
  if (neg && zero)
    put('-', arg);
  while (i + neg < width) {
    put(zero ? '0' : ' ', arg);
    width--;
  }
  if (neg && !zero)
    put('-', arg);
  while (--i >= 0)
    put(buf[i], arg);
}

// %d %u %x %p %s %c with an optional 0/width and l/ll/z; enough for a kernel.
static void vformat(putfn put, void *arg, const char *fmt, va_list ap)
{
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(*fmt, arg);
      continue;
    }
    fmt++;
    int zero = 0, width = 0, lng = 0;
    if (*fmt == '0') {
      zero = 1;
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9')
      width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l' || *fmt == 'z') {
      lng = 1;
      fmt++;
    }
    switch (*fmt) {
    case 'd':
      put_num(put, arg, lng ? va_arg(ap, int64) : va_arg(ap, int), 10, 1, width, zero);
      break;
    case 'u':
      put_num(put, arg, lng ? va_arg(ap, uint64) : va_arg(ap, uint32), 10, 0, width, zero);
      break;
    case 'x':
      put_num(put, arg, lng ? va_arg(ap, uint64) : va_arg(ap, uint32), 16, 0, width, zero);
      break;
    case 'p':
      put('0', arg);
      put('x', arg);
      put_num(put, arg, va_arg(ap, uint64), 16, 0, 0, 0);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s)
        s = "(null)";
      int n = strlen(s);
      while (n++ < width)
        put(' ', arg);
      while (*s)
        put(*s++, arg);
      break;
    }
    case 'c':
      put(va_arg(ap, int), arg);
      break;
    case '%':
      put('%', arg);
      break;
    case 0:
      return;
    default:
      put('%', arg);
      put(*fmt, arg);
      break;
    }
  }
}

static void klog_putc(int c)
{
  klog.buf[klog.len % KLOG_SIZE] = c;
  klog.len++;
}

static void put_console_and_log(int c, void *arg)
{
  (void)arg;
  klog_putc(c);
  uart_putc_sync(c);
}

static void put_log(int c, void *arg)
{
  (void)arg;
  klog_putc(c);
}

struct bufput {
  char *buf;
  size_t size, len;
};

static void put_buf(int c, void *arg)
{
  struct bufput *b = arg;
  if (b->len + 1 < b->size)
    b->buf[b->len] = c;
  b->len++;
}

void printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (panicked) {
    vformat(put_console_and_log, 0, fmt, ap);
  } else {
    acquire(&cons_out_lock);
    acquire(&klog.lock);
    vformat(put_console_and_log, 0, fmt, ap);
    release(&klog.lock);
    release(&cons_out_lock);
  }
  va_end(ap);
}

// A message for the log ring only (the monitor's dmesg shows it).
void klog_printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  acquire(&klog.lock);
  vformat(put_log, 0, fmt, ap);
  release(&klog.lock);
  va_end(ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
  struct bufput b = {buf, size, 0};
  va_list ap;
  va_start(ap, fmt);
  vformat(put_buf, &b, fmt, ap);
  va_end(ap);
  if (size)
    buf[MIN(b.len, size - 1)] = 0;
  return b.len;
}

// The hart's struct cpu, if tp really holds a hart id (it may not, in the
// tp-hartid bug).
static struct cpu *cpu_or_null(void)
{
  uint64 tp = r_tp();
  return tp < NCPU ? &cpus[tp] : 0;
}

// Record why, print it, stop every other hart, and wait for a debugger.
void panic(const char *fmt, ...)
{
  intr_off();
  int first = __atomic_exchange_n(&panicked, 1, __ATOMIC_SEQ_CST) == 0;
  if (first) {
    struct cpu *c = cpu_or_null();
    struct bufput b = {panic_record.msg, sizeof(panic_record.msg), 0};
    va_list ap;
    va_start(ap, fmt);
    vformat(put_buf, &b, fmt, ap);
    va_end(ap);
    panic_record.msg[MIN(b.len, sizeof(panic_record.msg) - 1)] = 0;
    panic_record.hart = c ? c->hartid : -1;
    panic_record.tid = c && c->proc ? c->proc->tid : 0;
    panic_record.epc = (uint64)__builtin_return_address(0);
    panic_record.time = r_time();
    panic_record.active = 1;
    printf("\npanic: %s\n", panic_record.msg);
    printf("panic: hart %d, task %d, called from %p\n", panic_record.hart, panic_record.tid,
           (void *)panic_record.epc);
    backtrace();
    // Other harts see `panicked` in their next interrupt and stop there.
    uint64 others = 0;
    for (int i = 0; i < NCPU; i++)
      if (cpus[i].online && (!c || i != c->hartid))
        others |= 1UL << i;
    if (others)
      sbi_send_ipi(others);
  }
  panic_halt();
}

extern void panic_halt_loop(void) __attribute__((noreturn));

// Stop this hart for good after a panic: interrupts off, marked halted in
// its struct cpu for the monitor, waiting in wfi at panic_halt_loop.
void panic_halt(void)
{
  intr_off();
  struct cpu *c = cpu_or_null();
  if (c)
    __atomic_store_n(&c->halted, 1, __ATOMIC_RELEASE);
  panic_halt_loop();
}
