"""What the status bar shows: a snapshot of the machine and its debugger.

`Status` is plain data (it crosses the console channel as JSON): whether
the machine runs, the last stop in words, each hart's state, pc and
privilege, where gdb is attached from, and the RSP listen address.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from trapscope.rspserver.target import SIGINT, StopEvent, StopKind


@dataclass
class HartStatus:
    """One hart: `state` is running/wfi/off; `pc` and `priv` are None while the machine runs."""

    hart: int
    state: str
    pc: Optional[int] = None
    priv: Optional[str] = None


@dataclass
class Status:
    """The machine as the status bar shows it."""

    running: bool = False
    stop: str = "at reset"  # the last stop, in words
    harts: List[HartStatus] = field(default_factory=list)
    gdb: Optional[str] = None  # the attached gdb's address, if any
    listen: str = ""  # where gdb connects
    exited: Optional[int] = None  # the guest's exit status once it exited

    def to_json(self) -> Dict[str, Any]:
        """Plain data for the console channel."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Status:
        """The inverse of `to_json`; unknown keys are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        harts = [HartStatus(**h) for h in known.pop("harts", [])]
        return cls(harts=harts, **known)


class Symbols:
    """Addresses to ``name+offset`` from an ELF's symbol table."""

    #: farther than this past a symbol, an address is not named after it
    MAX_OFFSET = 0x4000

    def __init__(self, symbols: Mapping[str, int]) -> None:
        pairs = sorted((addr, name) for name, addr in symbols.items()
                       if addr and not name.startswith("$") and not name.startswith(".L"))
        self._addrs = [a for a, _ in pairs]
        self._names = [n for _, n in pairs]

    def name(self, addr: int) -> Optional[str]:
        """``sym`` or ``sym+0x10`` for `addr`, or None."""
        i = bisect.bisect_right(self._addrs, addr) - 1
        if i < 0 or addr - self._addrs[i] > self.MAX_OFFSET:
            return None
        off = addr - self._addrs[i]
        return self._names[i] if off == 0 else f"{self._names[i]}+{off:#x}"


def describe_stop(stop: Optional[StopEvent], pc: Optional[int] = None,
                  symbols: Optional[Symbols] = None) -> str:
    """The stop in a few words: "breakpoint, hart 0 at 0x80000010 <poll_once>"."""
    if stop is None:
        return "at reset"
    if stop.kind is StopKind.EXITED:
        return f"the guest exited with status {stop.exit_code}"
    what = _STOP_WORDS.get(stop.kind, "stopped")
    if stop.kind in (StopKind.WATCH, StopKind.RWATCH, StopKind.AWATCH):
        what += f" {stop.addr or 0:#x}"
    elif stop.kind is StopKind.SIGNAL:
        what = "halted" if stop.signal == SIGINT else "stopped"
        if stop.message:
            what = stop.message.replace("trapscope: ", "").strip()
    where = f"hart {stop.thread - 1}"
    if pc is not None:
        where += f" at {pc:#x}"
        name = symbols.name(pc) if symbols is not None else None
        if name:
            where += f" <{name}>"
    return f"{what}, {where}"


_STOP_WORDS = {
    StopKind.SW_BREAK: "breakpoint",
    StopKind.HW_BREAK: "hardware breakpoint",
    StopKind.WATCH: "watchpoint (write)",
    StopKind.RWATCH: "watchpoint (read)",
    StopKind.AWATCH: "watchpoint (access)",
}


def hart_cells(status: Status) -> List[Tuple[int, str]]:
    """(hart, "S 0x80200000") per hart: privilege and pc, or the run state."""
    cells = []
    for h in status.harts:
        if h.state == "off":
            text = "off"
        elif h.pc is None:
            text = h.state
        else:
            text = f"{h.priv or '?'} {h.pc:#x}" + (" wfi" if h.state == "wfi" else "")
        cells.append((h.hart, text))
    return cells
