// The 16550A UART at UART0: polled output, interrupt-driven input.
#include "types.h"
#include "memlayout.h"
#include "defs.h"

#define RHR 0   // receive holding register
#define THR 0   // transmit holding register
#define IER 1   // interrupt enable
#define IER_RX_ENABLE (1 << 0)
#define FCR 2   // FIFO control
#define FCR_FIFO_ENABLE (1 << 0)
#define FCR_FIFO_CLEAR (3 << 1)
#define LCR 3   // line control
#define LCR_EIGHT_BITS (3 << 0)
#define LCR_BAUD_LATCH (1 << 7)
#define LSR 5   // line status
#define LSR_RX_READY (1 << 0)
#define LSR_TX_IDLE (1 << 5)

static volatile uint8 *uart_reg(int r) { return (volatile uint8 *)(UART0 + r); }
#define ReadReg(r) (*uart_reg(r))
#define WriteReg(r, v) (*uart_reg(r) = (v))

void uart_init(void)
{
  WriteReg(IER, 0x00);
  WriteReg(LCR, LCR_BAUD_LATCH);
  WriteReg(0, 0x03);    // 38.4K baud divisor, LSB
  WriteReg(1, 0x00);    // MSB
  WriteReg(LCR, LCR_EIGHT_BITS);
  WriteReg(FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
  WriteReg(IER, IER_RX_ENABLE);
}

// Write one byte, waiting for the transmitter.  Callers serialize.
void uart_putc_sync(int c)
{
  while ((ReadReg(LSR) & LSR_TX_IDLE) == 0)
    ;
  WriteReg(THR, c);
}

// Read one input byte, or -1 if none is waiting.
int uart_getc(void)
{
  if (ReadReg(LSR) & LSR_RX_READY)
    return ReadReg(RHR);
  return -1;
}

// The UART interrupt: hand every waiting byte to the console.
void uart_intr(void)
{
  int c;
  while ((c = uart_getc()) >= 0)
    console_intr(c);
}
