"""The SiFive test device ("sifive,test0", the `virt` board's syscon).

A write to offset 0 with 0x5555 in its low 16 bits powers off with status
0, (code << 16) | 0x3333 powers off with status `code`, and 0x7777 resets
the machine (the device tree's syscon-poweroff/syscon-reboot nodes point
here). Other values are ignored, reads give 0. Accesses of 2 or 4 bytes
are accepted, as in QEMU; other widths fault.
"""

from __future__ import annotations

from typing import Callable

from trapscope.machine.bus import BusError, Device

FINISHER_FAIL = 0x3333
FINISHER_PASS = 0x5555
FINISHER_RESET = 0x7777


class Syscon(Device):
    """Calls `on_exit(code)` for pass/fail and `on_reset()` for reset."""

    name = "test"

    def __init__(self, base: int, size: int, on_exit: Callable[[int], None],
                 on_reset: Callable[[], None]) -> None:
        super().__init__(base, size)
        self.on_exit = on_exit
        self.on_reset = on_reset

    def _check(self, offset: int, size: int, write: bool) -> None:
        if size not in (2, 4):
            raise BusError(self.base + offset, size, write)

    def read(self, offset: int, size: int) -> int:
        self._check(offset, size, False)
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        self._check(offset, size, True)
        if offset != 0:
            return
        status, code = value & 0xFFFF, (value >> 16) & 0xFFFF
        if status == FINISHER_PASS:
            self.on_exit(0)
        elif status == FINISHER_FAIL:
            self.on_exit(code)
        elif status == FINISHER_RESET:
            self.on_reset()
