// The platform-level interrupt controller: route the UART's IRQ to every
// hart's supervisor context (context 2*hart+1 on virt).
#include "types.h"
#include "memlayout.h"
#include "defs.h"

void plic_init(void)
{
  *(volatile uint32 *)PLIC_PRIORITY(UART0_IRQ) = 1;
}

void plic_init_hart(int hart)
{
  *(volatile uint32 *)PLIC_SENABLE(hart) = 1u << UART0_IRQ;
  *(volatile uint32 *)PLIC_SPRIORITY(hart) = 0;
}

int plic_claim(int hart)
{
  return *(volatile uint32 *)PLIC_SCLAIM(hart);
}

void plic_complete(int hart, int irq)
{
  *(volatile uint32 *)PLIC_SCLAIM(hart) = irq;
}
