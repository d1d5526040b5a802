// The console: output to the UART, line-edited input from it.
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "proc.h"
#include "linux.h"
#include "defs.h"

#define INPUT_BUF 256
#define CTRL(x) ((x) - '@')
#define BACKSPACE 0x100

struct {
  struct spinlock lock;
  char buf[INPUT_BUF];
  uint32 r;   // read index
  uint32 w;   // end of the last complete line
  uint32 e;   // edit index
} cons;

// Output lock: one console write (a user write() or a kernel line) at a time.
struct spinlock cons_out_lock;

static void cons_putc(int c)
{
  if (c == BACKSPACE) {
    uart_putc_sync('\b');
    uart_putc_sync(' ');
    uart_putc_sync('\b');
  } else {
    uart_putc_sync(c);
  }
}

void console_init(void)
{
  initlock(&cons.lock, "cons");
  initlock(&cons_out_lock, "cons_out");
  uart_init();
}

// Write n bytes from user address src.  Returns bytes written or -EFAULT.
long console_write(uint64 src, long n)
{
  char buf[128];
  long done = 0;
  acquire(&cons_out_lock);
  while (done < n) {
    long m = MIN(n - done, (long)sizeof(buf));
    if (copyin(myproc()->mm, buf, src + done, m) < 0) {
      release(&cons_out_lock);
      return done ? done : -EFAULT;
    }
    for (long i = 0; i < m; i++)
      uart_putc_sync(buf[i]);
    done += m;
  }
  release(&cons_out_lock);
  return done;
}

// Read up to n bytes of a complete line into user address dst.
long console_read(uint64 dst, long n)
{
  long got = 0;
  acquire(&cons.lock);
  while (got < n) {
    while (cons.r == cons.w) {
      if (sleep_intr(&cons.r, &cons.lock, "console") < 0) {   // killed or signalled
        release(&cons.lock);
        return got ? got : -EINTR;
      }
    }
    int c = cons.buf[cons.r++ % INPUT_BUF];
    if (c == CTRL('D')) {
      if (got > 0)
        cons.r--;   // leave ^D for the next read, which returns 0
      break;
    }
    char ch = c;
    if (copyout(myproc()->mm, dst + got, &ch, 1) < 0) {
      release(&cons.lock);
      return got ? got : -EFAULT;
    }
    got++;
    if (c == '\n')
      break;
  }
  release(&cons.lock);
  return got;
}

// One input byte from the UART interrupt: edit the line, echo, wake readers.
void console_intr(int c)
{
  acquire(&cons.lock);
  switch (c) {
  case CTRL('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF] != '\n') {
      cons.e--;
      cons_putc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case '\x7f':
    if (cons.e != cons.w) {
      cons.e--;
      cons_putc(BACKSPACE);
    }
    break;
  default:
    if (c != 0 && cons.e - cons.r < INPUT_BUF) {
      c = (c == '\r') ? '\n' : c;
      cons_putc(c);
      cons.buf[cons.e++ % INPUT_BUF] = c;
      if (c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF) {
        cons.w = cons.e;
        wakeup(&cons.r);
      }
    }
    break;
  }
  release(&cons.lock);
}
