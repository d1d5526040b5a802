"""The CLINT: msip words drive MSIP, mtimecmp lives on the hart, mtime is sched.now()."""

import pytest
from trapscope.machine.bus import Bus, BusError
from trapscope.machine.config import CLINT_BASE, CLINT_DECODED
from trapscope.machine.devices.clint import Clint

from .standins import Clock, IrqHart

MSIP_BIT = 3


@pytest.fixture
def board():
    harts = [IrqHart(), IrqHart()]
    clock = Clock(123456789)
    bus = Bus()
    bus.attach(Clint(CLINT_BASE, CLINT_DECODED, harts, clock))
    return bus, harts, clock


def test_msip_raises_and_lowers_the_right_hart(board):
    bus, harts, _ = board
    bus.write(CLINT_BASE + 4, 4, 0xFFFFFFFF)
    assert harts[1].level(MSIP_BIT) and not harts[0].level(MSIP_BIT)
    assert bus.read(CLINT_BASE + 4, 4) == 1
    bus.write(CLINT_BASE + 4, 4, 0)
    assert not harts[1].level(MSIP_BIT)
    assert bus.read(CLINT_BASE + 4, 4) == 0


def test_msip_of_missing_hart_reads_zero_and_ignores_writes(board):
    bus, harts, _ = board
    bus.write(CLINT_BASE + 8, 4, 1)
    assert bus.read(CLINT_BASE + 8, 4) == 0
    assert all(not h.changes for h in harts)


def test_msip_only_takes_word_accesses(board):
    bus, _, _ = board
    with pytest.raises(BusError):
        bus.read(CLINT_BASE, 1)
    with pytest.raises(BusError):
        bus.write(CLINT_BASE, 8, 1)


def test_mtime_is_the_scheduler_clock(board):
    bus, _, clock = board
    assert bus.read(CLINT_BASE + 0xBFF8, 8) == 123456789
    clock.time = (5 << 32) | 7
    assert bus.read(CLINT_BASE + 0xBFF8, 4) == 7
    assert bus.read(CLINT_BASE + 0xBFFC, 4) == 5
    bus.write(CLINT_BASE + 0xBFF8, 8, 0)  # read-only here
    assert bus.read(CLINT_BASE + 0xBFF8, 8) == clock.time


def test_mtimecmp_full_and_halves(board):
    bus, harts, _ = board
    bus.write(CLINT_BASE + 0x4008, 8, 0x1122334455667788)
    assert harts[1].mtimecmp == 0x1122334455667788
    assert harts[0].mtimecmp == (1 << 64) - 1
    bus.write(CLINT_BASE + 0x4000, 4, 0xAAAA0000)
    bus.write(CLINT_BASE + 0x4004, 4, 0x0000BBBB)
    assert harts[0].mtimecmp == 0x0000BBBBAAAA0000
    assert bus.read(CLINT_BASE + 0x4004, 4) == 0xBBBB
    assert bus.read(CLINT_BASE + 0x4008, 8) == 0x1122334455667788


def test_odd_timer_accesses(board):
    bus, harts, _ = board
    with pytest.raises(BusError):
        bus.read(CLINT_BASE + 0x4000, 2)
    harts[0].mtimecmp = 0x1122334455667788
    assert bus.read(CLINT_BASE + 0x4002, 4) == 0x33445566  # misaligned: the bytes there
    assert bus.read(CLINT_BASE + 0x4004, 8) == harts[1].mtimecmp << 32 & ((1 << 64) - 1) | 0x11223344
    harts[0].mtimecmp = (1 << 64) - 1
    bus.write(CLINT_BASE + 0x4002, 4, 5)
    assert harts[0].mtimecmp == (1 << 64) - 1
    assert bus.read(CLINT_BASE + 0x4010, 8) == 0  # no third hart
    with pytest.raises(BusError):
        bus.read(CLINT_BASE + CLINT_DECODED, 4)  # beyond what QEMU decodes
