"""Spike's host-target interface: `tohost`/`fromhost` words found by ELF symbol.

Not an MMIO device: the words are in RAM and the board polls `tohost`
between quanta (`sched.add_poll`). A value is
`device << 56 | command << 48 | payload`:
- device 0, command 0, payload odd: the program exits with `payload >> 1`
  (riscv-tests: 1 is pass, `(n << 1) | 1` is failure of test n).
- device 0, command 0, payload even: the address of a "magic memory" block
  `[syscall number, arg0, arg1, arg2, ...]` (riscv-tests' `syscall()`
  for `printf`); write (64) to fd 1 or 2 prints, exit (93) exits, anything
  else answers -ENOSYS. The result goes back in word 0 and fromhost is set
  to 1.
- device 1, command 1: print the payload's low byte (the "bcd" console);
  fromhost answers `1 << 56 | 1 << 48 | 0x100 | byte`.
Each request is acknowledged by clearing `tohost`.
"""

from __future__ import annotations

import struct
from typing import Callable

from trapscope.machine.bus import Bus, BusError

SYS_WRITE = 64
SYS_EXIT = 93
ENOSYS = 38
MASK64 = (1 << 64) - 1


class Htif:
    """Polls `tohost` and answers through `fromhost`."""

    name = "htif"

    def __init__(self, bus: Bus, tohost: int, fromhost: int | None,
                 on_exit: Callable[[int], None], emit: Callable[[bytes], None]) -> None:
        self.bus = bus
        self.tohost = tohost
        self.fromhost = fromhost
        self.on_exit = on_exit
        self.emit = emit

    def _read64(self, addr: int) -> int:
        return struct.unpack("<Q", self.bus.read_bytes(addr, 8))[0]

    def _write64(self, addr: int, value: int) -> None:
        self.bus.write_bytes(addr, struct.pack("<Q", value & MASK64))

    def poll(self) -> None:
        """Look at `tohost` once and serve a request if there is one."""
        try:
            value = self._read64(self.tohost)
            if value:
                self._write64(self.tohost, 0)
                self._serve(value >> 56, (value >> 48) & 0xFF, value & ((1 << 48) - 1))
        except BusError:
            pass  # the guest pointed us outside RAM; the request is dropped

    def _serve(self, device: int, command: int, payload: int) -> None:
        if device == 0 and command == 0:
            if payload & 1:
                self.on_exit(payload >> 1)
            else:
                self._syscall(payload)
        elif device == 1 and command == 1:
            self.emit(bytes((payload & 0xFF,)))
            self._respond((1 << 56) | (1 << 48) | 0x100 | (payload & 0xFF))

    def _respond(self, value: int) -> None:
        if self.fromhost is not None:
            self._write64(self.fromhost, value)

    def _syscall(self, magic: int) -> None:
        which, arg0, arg1, arg2 = struct.unpack("<4Q", self.bus.read_bytes(magic, 32))
        result = -ENOSYS
        if which == SYS_EXIT:
            self.on_exit(arg0)
            return
        if which == SYS_WRITE and arg0 in (1, 2):
            data = self.bus.read_bytes(arg1, min(arg2, 1 << 20))
            self.emit(data)
            result = len(data)
        self._write64(magic, result)
        self._respond(1)
