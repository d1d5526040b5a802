"""A minimal machine for the core's tests and benchmarks (not the board).

RAM at 0x8000_0000, a sifive_test-style exit device at 0x10_0000 (write
0x5555 to pass, (code << 16) | 0x3333 to fail) and a write-only console at
0x1000_0000 (a byte written to offset 0 is collected), harts and a
scheduler. The board (`machine/board.py`) is the real QEMU-virt machine.
"""

from __future__ import annotations

from typing import List

from trapscope.machine.bus import Bus, Device, Memory
from trapscope.machine.debug import Debug, Stop
from trapscope.machine.hart import Hart
from trapscope.machine.loader import LoadedElf, load_elf
from trapscope.machine.sched import Scheduler

RAM_BASE = 0x80000000
EXIT_BASE = 0x100000
CONSOLE_BASE = 0x10000000


class ExitDevice(Device):
    """sifive_test: 0x5555 -> exit 0, (code << 16) | 0x3333 -> exit code."""

    name = "test"

    def __init__(self, sched: Scheduler) -> None:
        super().__init__(EXIT_BASE, 0x1000)
        self.sched = sched

    def read(self, offset: int, size: int) -> int:
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if offset != 0:
            return
        if value & 0xFFFF == 0x5555:
            self.sched.request_exit(0)
        elif value & 0xFFFF == 0x3333:
            self.sched.request_exit((value >> 16) & 0xFFFF)


class Console(Device):
    """Collects bytes written to offset 0; reads of offset 5 say "ready"."""

    name = "console"

    def __init__(self) -> None:
        super().__init__(CONSOLE_BASE, 0x100)
        self.out = bytearray()

    def read(self, offset: int, size: int) -> int:
        return 0x60 if offset == 5 else 0

    def write(self, offset: int, size: int, value: int) -> None:
        if offset == 0:
            self.out.append(value & 0xFF)


class MiniMachine:
    """Bus, RAM, exit device, console, `nharts` harts, scheduler and Debug."""

    def __init__(self, nharts: int = 1, ram_mib: int = 16, quantum: int | None = None) -> None:
        self.bus = Bus()
        self.sched = Scheduler() if quantum is None else Scheduler(quantum)
        self.ram = self.bus.attach(Memory(RAM_BASE, ram_mib << 20))
        self.bus.attach(ExitDevice(self.sched))
        self.console = self.bus.attach(Console())
        self.harts: List[Hart] = [Hart(i, self.bus, self.sched) for i in range(nharts)]
        self.debug = Debug(self.bus, self.sched)
        self.elf: LoadedElf | None = None

    def load(self, path: str) -> LoadedElf:
        """Load an ELF and put every hart at its entry (a0 = hart id)."""
        self.elf = load_elf(self.bus, path)
        for h in self.harts:
            h.reset(self.elf.entry)
            h.x[10] = h.hartid
        return self.elf

    def run(self, max_insns: int | None = None) -> Stop:
        """Run until exit (or the instruction budget)."""
        return self.debug.cont(max_insns=max_insns)
