"""The PLIC: gateway, priorities, thresholds, claim/complete, M and S contexts."""

import pytest
from trapscope.machine.bus import Bus, BusError
from trapscope.machine.config import PLIC_BASE, PLIC_NUM_PRIORITIES, PLIC_NUM_SOURCES, PLIC_SIZE
from trapscope.machine.devices.plic import Plic, hart_contexts

from .standins import IrqHart

MEIP, SEIP = 11, 9


def enable_addr(ctx):
    return PLIC_BASE + 0x2000 + 0x80 * ctx


def context_addr(ctx):
    return PLIC_BASE + 0x200000 + 0x1000 * ctx


@pytest.fixture
def board():
    harts = [IrqHart(), IrqHart()]
    bus = Bus()
    plic = bus.attach(Plic(PLIC_BASE, PLIC_SIZE, PLIC_NUM_SOURCES, PLIC_NUM_PRIORITIES,
                           hart_contexts(harts)))
    return bus, plic, harts


def test_contexts_are_m_then_s_per_hart(board):
    bus, plic, harts = board
    bus.write(PLIC_BASE + 4 * 10, 4, 1)
    bus.write(enable_addr(3), 4, 1 << 10)  # hart 1, S-mode
    plic.set_source(10, True)
    assert harts[1].level(SEIP)
    assert not harts[1].level(MEIP) and not harts[0].level(MEIP) and not harts[0].level(SEIP)
    assert bus.read(PLIC_BASE + 0x1000, 4) == 1 << 10


def test_claim_complete_and_level_gateway(board):
    bus, plic, harts = board
    bus.write(PLIC_BASE + 4 * 10, 4, 3)
    bus.write(enable_addr(0), 4, 1 << 10)
    plic.set_source(10, True)
    assert harts[0].level(MEIP)
    assert bus.read(context_addr(0) + 4, 4) == 10
    assert not harts[0].level(MEIP)  # claimed: no longer pending
    assert bus.read(context_addr(0) + 4, 4) == 0
    bus.write(context_addr(0) + 4, 4, 10)  # complete while still asserted
    assert harts[0].level(MEIP)
    plic.set_source(10, False)
    assert bus.read(context_addr(0) + 4, 4) == 10  # pending stays until claimed
    bus.write(context_addr(0) + 4, 4, 10)
    assert not harts[0].level(MEIP)
    assert bus.read(PLIC_BASE + 0x1000, 4) == 0


def test_priority_order_and_threshold(board):
    bus, plic, harts = board
    for src, prio in ((1, 2), (10, 5), (11, 5)):
        bus.write(PLIC_BASE + 4 * src, 4, prio)
    bus.write(enable_addr(1), 4, (1 << 1) | (1 << 10) | (1 << 11))
    for src in (1, 10, 11):
        plic.set_source(src, True)
    bus.write(context_addr(1), 4, 5)
    assert not harts[0].level(SEIP)  # nothing above the threshold
    assert bus.read(context_addr(1) + 4, 4) == 0
    bus.write(context_addr(1), 4, 1)
    assert harts[0].level(SEIP)
    claims = [bus.read(context_addr(1) + 4, 4) for _ in range(4)]
    assert claims == [10, 11, 1, 0]  # highest priority first, ties by lowest id


def test_priority_zero_never_interrupts(board):
    bus, plic, harts = board
    bus.write(enable_addr(0), 4, 1 << 5)
    plic.set_source(5, True)
    assert not harts[0].level(MEIP)
    assert bus.read(PLIC_BASE + 0x1000, 4) == 1 << 5


def test_register_values_are_masked(board):
    bus, _, _ = board
    bus.write(PLIC_BASE + 4 * 3, 4, 0xFFFFFFFF)
    assert bus.read(PLIC_BASE + 4 * 3, 4) == PLIC_NUM_PRIORITIES
    bus.write(PLIC_BASE, 4, 7)  # source 0 does not exist
    assert bus.read(PLIC_BASE, 4) == 0
    bus.write(enable_addr(0), 4, 0xFFFFFFFF)
    assert bus.read(enable_addr(0), 4) == 0xFFFFFFFE
    bus.write(context_addr(2), 4, 6)
    bus.write(context_addr(2), 4, 99)  # out of range: ignored, as QEMU does
    assert bus.read(context_addr(2), 4) == 6


def test_bad_accesses(board):
    bus, plic, _ = board
    with pytest.raises(BusError):
        bus.read(PLIC_BASE + 4, 1)
    with pytest.raises(BusError):
        bus.write(PLIC_BASE + 4, 8, 1)
    assert bus.read(context_addr(9) + 4, 4) == 0  # a context no hart has
    bus.write(context_addr(9) + 4, 4, 10)
    bus.write(PLIC_BASE + 0x1000, 4, 0xFFFFFFFF)  # pending is read-only
    assert bus.read(PLIC_BASE + 0x1000, 4) == 0
    plic.set_source(PLIC_NUM_SOURCES + 5, True)  # out of range: ignored
