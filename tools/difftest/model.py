"""What a difftest run is asked to do, and what it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple

from trapscope.tools.difftest.qemu import BIOS_BUILTIN, BIOS_NONE


@dataclass
class Options:
    """What to compare and how."""

    elf: Path
    bios: str = BIOS_NONE  # "none", "builtin" or a firmware file
    max_insns: int = 2_000_000
    interval: int = 10_000
    # (index, x register, value): corrupt trapscope's register before that instruction
    inject: Tuple[int, int, int] | None = None

    @property
    def firmware_hidden(self) -> bool:
        """--bios builtin: two different firmwares, so only S and U mode are compared."""
        return self.bios == BIOS_BUILTIN


@dataclass
class Sync:
    """A value trapscope took from QEMU: a counter read, an SBI call's
    result (--bios builtin), or a register at the S-mode entry (builtin)."""

    index: int
    pc: int
    rd: int
    value: int
    ours: int  # what trapscope had
    why: str = "counter"  # "counter", "sbi" or "entry"


@dataclass
class Divergence:
    """The first place the two machines differ."""

    index: int  # the instruction count at which the difference is seen
    insn_pc: int  # the instruction executed just before (the one whose effect differs)
    insn_bits: int
    differing: List[Tuple[str, int, int | None]]  # (name, QEMU, trapscope)
    what: str  # one line: what differs


@dataclass
class Report:
    """The outcome of one comparison."""

    options: Options
    reached: int = 0  # instructions compared (from reset, or from the S-mode entry)
    trace_length: int = 0
    hidden: int = 0  # M-mode instructions of QEMU's firmware left out (--bios builtin)
    ended: str = ""  # "exit", "limit" or "divergence"
    qemu_exit: int | None = None
    our_exit: int | None = None
    checkpoints: int = 0
    compared: List[str] = field(default_factory=list)
    syncs: List[Sync] = field(default_factory=list)
    divergence: Divergence | None = None
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return self.divergence is None and self.qemu_exit == self.our_exit
