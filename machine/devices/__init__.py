"""The `virt` board's devices, one module each, all `trapscope.machine.bus.Device`s.

Devices raise interrupts through narrow interfaces rather than by knowing
harts or each other: the CLINT and the PLIC drive a hart's `set_irq(bit,
level)`, and the UART and the virtio device drive an `IrqLine` that the
board wires to a PLIC source.
"""

from __future__ import annotations

from typing import Callable


class IrqLine:
    """One level-triggered interrupt wire from a device to its controller."""

    def __init__(self, sink: Callable[[bool], None]) -> None:
        self._sink = sink
        self.level = False

    def set(self, level: bool) -> None:
        """Drive the wire; the controller hears only changes."""
        level = bool(level)
        if level != self.level:
            self.level = level
            self._sink(level)


def no_irq() -> IrqLine:
    """A line connected to nothing (for devices used on their own)."""
    return IrqLine(lambda level: None)
