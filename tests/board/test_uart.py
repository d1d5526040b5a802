"""The NS16550A: transmit, receive FIFO, interrupts, divisor latch, loopback."""

import pytest
from trapscope.machine.bus import Bus
from trapscope.machine.config import UART0_BASE, UART0_DECODED
from trapscope.machine.devices import IrqLine
from trapscope.machine.devices.uart import Uart

RBR, IER, IIR, FCR, LCR, MCR, LSR, MSR, SCR = 0, 1, 2, 2, 3, 4, 5, 6, 7


@pytest.fixture
def board():
    levels = []
    bus = Bus()
    uart = bus.attach(Uart(UART0_BASE, UART0_DECODED, IrqLine(levels.append)))
    out = []
    uart.output_listeners.append(out.append)
    return bus, uart, out, levels


def reg(bus, r, value=None):
    if value is None:
        return bus.read(UART0_BASE + r, 1)
    bus.write(UART0_BASE + r, 1, value)
    return None


def test_transmit_goes_to_listeners(board):
    bus, _, out, _ = board
    for ch in b"hi\n":
        reg(bus, RBR, ch)
    assert b"".join(out) == b"hi\n"
    assert reg(bus, LSR) & 0x60 == 0x60


def test_receive_through_fifo_without_loss(board):
    bus, uart, _, _ = board
    reg(bus, FCR, 0x07)
    uart.inject(bytes(range(40)))
    assert reg(bus, LSR) & 1
    assert len(uart.rx) == 16
    got = bytes(reg(bus, RBR) for _ in range(40))
    assert got == bytes(range(40))
    assert not reg(bus, LSR) & 1
    assert reg(bus, RBR) == 0


def test_fifo_off_holds_one_byte(board):
    bus, uart, _, _ = board
    uart.inject(b"ab")
    assert len(uart.rx) == 1
    assert reg(bus, IIR) == 0x01
    assert bytes((reg(bus, RBR), reg(bus, RBR))) == b"ab"


def test_rx_interrupt(board):
    bus, uart, _, levels = board
    reg(bus, IER, 0x01)
    assert levels == []
    uart.inject(b"x")
    assert levels == [True]
    assert reg(bus, IIR) & 0x0F == 0x04
    reg(bus, RBR)
    assert levels == [True, False]
    assert reg(bus, IIR) & 0x0F == 0x01


def test_thr_empty_interrupt(board):
    bus, _, _, levels = board
    reg(bus, IER, 0x02)
    assert levels == [True]
    assert reg(bus, IIR) == 0x02
    assert levels == [True, False]  # reading IIR clears THRI
    reg(bus, RBR, ord("a"))
    assert levels[-1] is True  # the byte left: THR empty again
    reg(bus, IER, 0)
    assert levels[-1] is False


def test_rx_has_priority_over_thr(board):
    bus, uart, _, _ = board
    reg(bus, FCR, 0x01)
    reg(bus, IER, 0x03)
    uart.inject(b"z")
    assert reg(bus, IIR) == 0xC4
    reg(bus, RBR)
    assert reg(bus, IIR) == 0xC2


def test_divisor_latch_and_scratch(board):
    bus, _, out, _ = board
    reg(bus, LCR, 0x83)
    reg(bus, RBR, 0x01)
    reg(bus, IER, 0x02)
    assert (reg(bus, RBR), reg(bus, IER)) == (1, 2)
    reg(bus, LCR, 0x03)
    assert reg(bus, IER) == 0 and out == []
    reg(bus, SCR, 0x5A)
    assert reg(bus, SCR) == 0x5A
    assert reg(bus, MSR) == 0xB0


def test_loopback(board):
    bus, _, out, _ = board
    reg(bus, MCR, 0x10 | 0x0B)
    reg(bus, RBR, ord("q"))
    assert out == []
    assert reg(bus, LSR) & 1 and reg(bus, RBR) == ord("q")
    assert reg(bus, MSR) & 0xF0 == 0xB0  # DTR->DSR, RTS->CTS, OUT2->DCD


def test_wide_accesses_reach_one_register(board):
    bus, uart, out, _ = board
    uart.inject(b"k")
    assert bus.read(UART0_BASE + 4, 4) == 0x08  # MCR (OUT2 at reset), not MCR|LSR<<8|...
    assert bus.read(UART0_BASE + 5, 2) == 0x61  # LSR: THRE|TEMT|DR
    bus.write(UART0_BASE, 2, 0x4100 | ord("w"))
    assert out == [b"w"]  # the low byte, to THR only
    assert reg(bus, IER) == 0


def test_console_path_reads_fifo_then_queue(board):
    _, uart, _, _ = board
    uart.inject(b"hello")
    assert uart.read_console(3) == b"hel"
    assert uart.read_console(10) == b"lo"
    assert uart.read_console(10) == b""
