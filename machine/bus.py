"""The physical address space: plain memories (RAM, ROM) and MMIO devices.

Harts reach RAM and ROM directly through their byte buffers (their TLBs map
pages to a buffer and an offset, see `Bus.memory_at`); everything else goes
through `Bus.read`/`Bus.write`, which dispatch to the device that claims the
address. An address nothing claims raises `BusError`, which the hart turns
into an access-fault trap.

Writes into memory that do not come from a hart's own store path (device DMA,
the loader, a debugger) must go through `Bus.write_bytes`, which tells every
registered listener, so translated code over those bytes can be dropped.
"""

from __future__ import annotations

import mmap
import platform
from typing import Callable, List, Optional, Tuple, Union

Buffer = Union[bytearray, mmap.mmap]

# PyPy indexes a bytearray far faster than an mmap (the engine's byte accesses);
# CPython indexes both alike, and an anonymous private mapping costs nothing
# until a page is touched (a bytearray is zero-filled, so resident, at once).
_LAZY = platform.python_implementation() != "PyPy"


def zeroed(size: int) -> Buffer:
    """A writable buffer of `size` zero bytes; on CPython its pages are only
    allocated when first touched."""
    if _LAZY and size:
        return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return bytearray(size)


def clear(data: Buffer) -> None:
    """Zero a buffer from `zeroed`, giving a mapping's pages back to the host."""
    if isinstance(data, mmap.mmap):
        data.madvise(mmap.MADV_DONTNEED)  # private anonymous pages read as zero again
    else:
        data[:] = bytes(len(data))


class BusError(Exception):
    """Nothing answers at a physical address (or it refuses the access size)."""

    def __init__(self, paddr: int, size: int, write: bool) -> None:
        kind = "write" if write else "read"
        super().__init__(f"bus error: {size}-byte {kind} at {paddr:#x}")
        self.paddr = paddr
        self.size = size
        self.write = write


class Device:
    """An MMIO device occupying [base, base + size).

    Subclasses implement `read` and `write` on offsets from `base`; `size` is
    the access width in bytes (1, 2, 4 or 8) and values are unsigned. A
    device may raise `BusError` for a width or offset it does not accept;
    anything else it must answer (reads of unknown registers give 0).
    """

    name = "device"

    def __init__(self, base: int, size: int) -> None:
        self.base = base
        self.size = size

    def read(self, offset: int, size: int) -> int:
        """Read `size` bytes at `offset` as an unsigned little-endian value."""
        raise NotImplementedError

    def write(self, offset: int, size: int, value: int) -> None:
        """Write the low `size` bytes of `value` at `offset`."""
        raise NotImplementedError

    def reset(self) -> None:
        """Return to the power-on state."""


class Memory(Device):
    """Plain memory: RAM, or ROM when `writable` is False.

    `data` is a bytearray or, on CPython, an anonymous mapping whose pages
    cost nothing until touched (see `zeroed`); both index and slice alike.
    """

    name = "memory"

    def __init__(self, base: int, size: int, *, writable: bool = True, name: str = "ram") -> None:
        super().__init__(base, size)
        self.data: Buffer = zeroed(size)
        self.writable = writable
        self.name = name

    def read(self, offset: int, size: int) -> int:
        return int.from_bytes(self.data[offset : offset + size], "little")

    def write(self, offset: int, size: int, value: int) -> None:
        if not self.writable:
            raise BusError(self.base + offset, size, True)
        self.data[offset : offset + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")

    def reset(self) -> None:
        if self.writable:
            clear(self.data)

    def close(self) -> None:
        """Give the memory back to the host; it holds nothing afterwards.

        Views of `data` (the harts' RAM views) must have been released first,
        or the mapping stays until they are gone.
        """
        data, self.data = self.data, bytearray()
        if isinstance(data, mmap.mmap):
            try:
                data.close()
            except BufferError:
                pass  # a view is still alive: the mapping goes with it


class Bus:
    """Routes physical accesses to memories and devices."""

    def __init__(self) -> None:
        self.memories: List[Memory] = []
        self.devices: List[Device] = []
        self._write_listeners: List[Callable[[int, int], None]] = []

    # -- building ---------------------------------------------------------
    def attach(self, dev: Device) -> Device:
        """Add a memory or device; overlapping an existing region is an error."""
        for other in self.memories + self.devices:
            if dev.base < other.base + other.size and other.base < dev.base + dev.size:
                raise ValueError(f"{dev.name} at {dev.base:#x} overlaps {other.name} at {other.base:#x}")
        if isinstance(dev, Memory):
            self.memories.append(dev)
        else:
            self.devices.append(dev)
        return dev

    def on_memory_write(self, listener: Callable[[int, int], None]) -> None:
        """Call `listener(paddr, length)` after every `write_bytes` into memory."""
        self._write_listeners.append(listener)

    # -- lookup -----------------------------------------------------------
    def memory_at(self, paddr: int) -> Optional[Memory]:
        """The plain memory holding `paddr`, or None (MMIO or nothing)."""
        for mem in self.memories:
            if mem.base <= paddr < mem.base + mem.size:
                return mem
        return None

    def device_at(self, paddr: int) -> Optional[Device]:
        """The MMIO device claiming `paddr`, or None."""
        for dev in self.devices:
            if dev.base <= paddr < dev.base + dev.size:
                return dev
        return None

    def regions(self) -> List[Tuple[str, int, int]]:
        """(name, base, size) of every memory and device, sorted by address."""
        return sorted(((d.name, d.base, d.size) for d in self.memories + self.devices), key=lambda r: r[1])

    # -- access -----------------------------------------------------------
    def read(self, paddr: int, size: int) -> int:
        """Read an unsigned value of `size` bytes; BusError if nothing is there."""
        target = self.memory_at(paddr) or self.device_at(paddr)
        if target is None or paddr + size > target.base + target.size:
            raise BusError(paddr, size, False)
        return target.read(paddr - target.base, size)

    def write(self, paddr: int, size: int, value: int) -> None:
        """Write an unsigned value of `size` bytes; BusError if nothing is there."""
        target = self.memory_at(paddr) or self.device_at(paddr)
        if target is None or paddr + size > target.base + target.size:
            raise BusError(paddr, size, True)
        target.write(paddr - target.base, size, value)
        if isinstance(target, Memory):
            self._notify(paddr, size)

    def read_bytes(self, paddr: int, length: int) -> bytes:
        """Read a run of bytes from plain memory (not MMIO); BusError if any is missing."""
        mem = self.memory_at(paddr)
        if mem is None or paddr + length > mem.base + mem.size:
            raise BusError(paddr, length, False)
        off = paddr - mem.base
        return bytes(mem.data[off : off + length])

    def write_bytes(self, paddr: int, data: bytes, *, force: bool = False) -> None:
        """Write a run of bytes into plain memory (DMA, loader, debugger).

        ROM is written only with `force` (the loader filling it). Listeners
        registered with `on_memory_write` are told.
        """
        mem = self.memory_at(paddr)
        if mem is None or paddr + len(data) > mem.base + mem.size or not (mem.writable or force):
            raise BusError(paddr, len(data), True)
        off = paddr - mem.base
        mem.data[off : off + len(data)] = data
        self._notify(paddr, len(data))

    def _notify(self, paddr: int, length: int) -> None:
        for listener in self._write_listeners:
            listener(paddr, length)

    def reset(self) -> None:
        """Reset every device and clear RAM."""
        for dev in self.memories + self.devices:
            dev.reset()

    def close(self) -> None:
        """Give every memory back to the host and forget the listeners (the bus is done)."""
        for mem in self.memories:
            mem.close()
        self._write_listeners.clear()
