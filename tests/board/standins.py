"""Stand-ins for the two or three hart/scheduler attributes a device touches.

Only for unit tests of single devices; end-to-end tests use the real core.
"""

from __future__ import annotations

from typing import Dict, List, Tuple


class IrqHart:
    """Records the interrupt levels devices drive and holds `mtimecmp`."""

    def __init__(self) -> None:
        self.levels: Dict[int, bool] = {}
        self.changes: List[Tuple[int, bool]] = []
        self.mtimecmp = (1 << 64) - 1

    def set_irq(self, bit: int, level: bool) -> None:
        self.levels[bit] = bool(level)
        self.changes.append((bit, bool(level)))

    def level(self, bit: int) -> bool:
        return self.levels.get(bit, False)


class Clock:
    """A scheduler whose `now()` the test sets."""

    def __init__(self, now: int = 0) -> None:
        self.time = now

    def now(self) -> int:
        return self.time
