"""The CLINT (SiFive core-local interruptor) as QEMU `virt` lays it out.

Two ACLINT parts at one base: the software-interrupt part (one 32-bit
`msip` word per hart at 0x0000, bit 0 drives the hart's MSIP) and the
machine timer (one 64-bit `mtimecmp` per hart at 0x4000, `mtime` at
0xbff8). `mtime` is the scheduler's clock (`sched.now()`, 10 MHz, derived
from retired instructions) and cannot be written; writes are ignored.
`mtimecmp` lives on the hart (`hart.mtimecmp`), where the scheduler raises
and lowers MTIP from it.

Access widths follow QEMU: the msip words take 4-byte accesses only, the
timer 4 or 8 bytes; other widths fault. A misaligned timer read gives the
bytes at its address (what QEMU answers); a misaligned write is ignored.
"""

from __future__ import annotations

from typing import Any, Sequence

from trapscope.machine.bus import BusError, Device

MSIP_BASE = 0x0000
MTIMECMP_BASE = 0x4000
MTIME = 0xBFF8
MSIP_BIT = 3
MASK64 = (1 << 64) - 1


class Clint(Device):
    """msip and mtimecmp for each hart, and mtime."""

    name = "clint"

    def __init__(self, base: int, size: int, harts: Sequence[Any], sched: Any) -> None:
        super().__init__(base, size)
        self.harts = harts
        self.sched = sched
        self.msip = [0] * len(harts)

    def reset(self) -> None:
        """msip words 0 and, as QEMU's CLINT at power-on, mtimecmp 0 (MTIP pending)."""
        for i, hart in enumerate(self.harts):
            self._set_msip(i, 0)
            hart.mtimecmp = 0

    def _set_msip(self, hart: int, value: int) -> None:
        self.msip[hart] = value & 1
        self.harts[hart].set_irq(MSIP_BIT, bool(value & 1))

    def read(self, offset: int, size: int) -> int:
        if offset < MTIMECMP_BASE:
            if size != 4:
                raise BusError(self.base + offset, size, False)
            hart = (offset - MSIP_BASE) >> 2
            return self.msip[hart] if offset % 4 == 0 and hart < len(self.harts) else 0
        if size not in (4, 8):
            raise BusError(self.base + offset, size, False)
        value = 0
        for i in range(size):  # byte by byte: a misaligned read sees the bytes there, as in QEMU
            reg = self._timer_reg((offset + i) & ~7)
            byte = 0 if reg is None else (reg >> (8 * ((offset + i) & 7))) & 0xFF
            value |= byte << (8 * i)
        return value

    def _timer_reg(self, offset: int) -> Any:
        """The 64-bit timer register holding `offset`, or None."""
        if offset & ~7 == MTIME:
            return self.sched.now() & MASK64
        hart = (offset - MTIMECMP_BASE) >> 3
        if offset < MTIME and hart < len(self.harts):
            return self.harts[hart].mtimecmp & MASK64
        return None

    def write(self, offset: int, size: int, value: int) -> None:
        if offset < MTIMECMP_BASE:
            if size != 4:
                raise BusError(self.base + offset, size, True)
            hart = (offset - MSIP_BASE) >> 2
            if offset % 4 == 0 and hart < len(self.harts):
                self._set_msip(hart, value)
            return
        if size not in (4, 8):
            raise BusError(self.base + offset, size, True)
        hart = (offset - MTIMECMP_BASE) >> 3
        if _misaligned(offset, size) or offset >= MTIME or hart >= len(self.harts):
            return  # mtime is read-only here; holes ignore writes
        target = self.harts[hart]
        if size == 8:
            target.mtimecmp = value & MASK64
            return
        shift = (offset & 4) * 8
        old = target.mtimecmp & MASK64
        mask = ((1 << (8 * size)) - 1) << shift
        target.mtimecmp = (old & ~mask) | ((value << shift) & mask)


def _misaligned(offset: int, size: int) -> bool:
    return offset % size != 0
