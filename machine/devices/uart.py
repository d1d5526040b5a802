"""An NS16550A UART, register compatible with QEMU's `serial` (regshift 0).

Registers (offset: read / write), DLAB = LCR bit 7:
  0  RBR / THR           (DLAB: DLL)
  1  IER                 (DLAB: DLM)
  2  IIR / FCR
  3  LCR    4  MCR    5  LSR    6  MSR    7  SCR
Transmission is instant: a byte written to THR goes to every output
listener at once, so LSR always shows THRE and TEMT. Received bytes come
from `inject()`, which the host side calls through `sched.post` so input is
timestamped; they wait in an unbounded host queue and enter the 16-byte RX
FIFO (1 byte with the FIFO off) as the guest drains it, so nothing is lost.
Interrupts: received data (IER bit 0) and THR empty (IER bit 1), reported
through IIR by priority, drive the `irq` line. MCR loopback (bit 4) sends
transmitted bytes back to the receiver and mirrors MCR into MSR, which
Linux's 8250 probe uses.

An access wider than a byte reaches the one register at its offset (the
value zero-extended on reads, the low byte used on writes), as QEMU's
`serial_mm` does. MCR resets to OUT2, as in QEMU.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Deque, List

from trapscope.machine.bus import Device
from trapscope.machine.devices import IrqLine, no_irq

IER_RDI = 0x01  # received data available
IER_THRI = 0x02  # transmitter holding register empty
IIR_NO_INT = 0x01
IIR_THRI = 0x02
IIR_RDI = 0x04
IIR_FIFO = 0xC0
FCR_ENABLE = 0x01
FCR_CLEAR_RX = 0x02
LCR_DLAB = 0x80
MCR_OUT2 = 0x08
MCR_LOOP = 0x10
LSR_DR = 0x01
LSR_THRE = 0x20
LSR_TEMT = 0x40
MSR_RESET = 0xB0  # DCD | DSR | CTS, as QEMU reports with no modem
FIFO_SIZE = 16


class Uart(Device):
    """The 16550A: registers, an RX FIFO, interrupts, output listeners."""

    name = "uart"

    def __init__(self, base: int, size: int, irq: IrqLine | None = None) -> None:
        super().__init__(base, size)
        self.irq = irq if irq is not None else no_irq()
        self.output_listeners: List[Callable[[bytes], None]] = []
        self.pending_input: Deque[int] = deque()
        self.reset()

    def reset(self) -> None:
        self.ier = 0
        self.lcr = 0
        self.mcr = MCR_OUT2
        self.scr = 0
        self.fcr = 0
        self.dll = 0x0C
        self.dlm = 0
        self.rx: Deque[int] = deque()
        self.thr_ipending = False
        self._update_irq()

    # -- host side --------------------------------------------------------
    def inject(self, data: bytes) -> None:
        """Bytes arriving on the wire. Call in the machine thread (sched.post)."""
        self.pending_input.extend(data)
        self._fill_fifo()

    def emit(self, data: bytes) -> None:
        """Send bytes to every output listener (the guest's console output)."""
        for listener in list(self.output_listeners):
            listener(data)

    def read_console(self, limit: int) -> bytes:
        """Take up to `limit` received bytes without going through registers (SBI console)."""
        out = bytearray()
        while len(out) < limit and (self.rx or self.pending_input):
            out.append(self.rx.popleft() if self.rx else self.pending_input.popleft())
        self._fill_fifo()
        return bytes(out)

    def _fifo_depth(self) -> int:
        return FIFO_SIZE if self.fcr & FCR_ENABLE else 1

    def _fill_fifo(self) -> None:
        depth = self._fifo_depth()
        while self.pending_input and len(self.rx) < depth:
            self.rx.append(self.pending_input.popleft())
        self._update_irq()

    # -- interrupts -------------------------------------------------------
    def iir(self) -> int:
        """The interrupt identification value now (without side effects)."""
        fifo = IIR_FIFO if self.fcr & FCR_ENABLE else 0
        if self.ier & IER_RDI and self.rx:
            return fifo | IIR_RDI
        if self.ier & IER_THRI and self.thr_ipending:
            return fifo | IIR_THRI
        return fifo | IIR_NO_INT

    def _update_irq(self) -> None:
        self.irq.set(not self.iir() & IIR_NO_INT)

    # -- registers --------------------------------------------------------
    def read(self, offset: int, size: int) -> int:
        return self._read_byte(offset)

    def write(self, offset: int, size: int, value: int) -> None:
        self._write_byte(offset, value & 0xFF)

    def _read_byte(self, reg: int) -> int:
        dlab = self.lcr & LCR_DLAB
        if reg == 0:
            return self.dll if dlab else self._read_rbr()
        if reg == 1:
            return self.dlm if dlab else self.ier
        if reg == 2:
            value = self.iir()
            if value & 0x0F == IIR_THRI:
                self.thr_ipending = False
                self._update_irq()
            return value
        if reg == 5:
            return LSR_THRE | LSR_TEMT | (LSR_DR if self.rx else 0)
        if reg == 6:
            return self._msr()
        return {3: self.lcr, 4: self.mcr, 7: self.scr}.get(reg, 0)

    def _read_rbr(self) -> int:
        value = self.rx.popleft() if self.rx else 0
        self._fill_fifo()
        return value

    def _msr(self) -> int:
        if not self.mcr & MCR_LOOP:
            return MSR_RESET
        # Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
        m = self.mcr
        return ((m & 1) << 5) | ((m & 2) << 3) | ((m & 4) << 4) | ((m & 8) << 4)

    def _write_byte(self, reg: int, value: int) -> None:
        dlab = self.lcr & LCR_DLAB
        if reg == 0:
            if dlab:
                self.dll = value
            else:
                self._transmit(value)
        elif reg == 1:
            if dlab:
                self.dlm = value
            else:
                self._write_ier(value)
        elif reg == 2:
            self._write_fcr(value)
        elif reg == 3:
            self.lcr = value
        elif reg == 4:
            self.mcr = value & 0x1F
        elif reg == 7:
            self.scr = value

    def _transmit(self, value: int) -> None:
        if self.mcr & MCR_LOOP:
            self.pending_input.append(value)
            self._fill_fifo()
        else:
            self.emit(bytes((value,)))
        self.thr_ipending = True  # the byte left at once: THR is empty again
        self._update_irq()

    def _write_ier(self, value: int) -> None:
        if value & IER_THRI and not self.ier & IER_THRI:
            self.thr_ipending = True
        self.ier = value & 0x0F
        self._update_irq()

    def _write_fcr(self, value: int) -> None:
        was_on = self.fcr & FCR_ENABLE
        self.fcr = value & 0xC9
        if value & FCR_CLEAR_RX or bool(was_on) != bool(value & FCR_ENABLE):
            self.rx.clear()
        self._fill_fifo()
