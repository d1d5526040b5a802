"""The machine's debug interface: what rspserver and the console use.

This is the only door into a machine for a debugger. It speaks of harts,
registers, memory, breakpoints, watchpoints and stops; it knows nothing of
gdb's packets or of the kernel.

Conventions:
- Harts are numbered from 0 (gdb's thread id is hart + 1; that mapping belongs
  to rspserver).
- Register values are unsigned Python ints of the register's width; float
  registers are their raw 64-bit patterns.
- Memory errors are values, never escaping exceptions: reads return `bytes`
  or a `MemoryFault`, writes return None or a `MemoryFault`.
- Breakpoints and watchpoints use virtual addresses and apply to every hart.
  A breakpoint stops a hart before it executes the instruction at that pc.
  When a hart resumes at a pc that holds a breakpoint, that first instruction
  runs (the breakpoint is not reported again at the resume point).
- A watchpoint stops the machine after the accessing instruction retires (pc
  is then the next instruction, as gdb expects on RISC-V); the stop carries
  the watched address that was hit.
- All-stop: `cont` runs every hart that is not frozen until something stops
  one of them, and then every hart is stopped. `step` runs one instruction on
  one hart. Both may be called only while the machine is stopped, from one
  thread at a time; `request_halt` may be called from any thread at any time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Tuple, Union


class StopReason(enum.Enum):
    """Why `cont` or `step` returned."""

    BREAKPOINT = "breakpoint"  # software breakpoint (gdb Z0)
    HW_BREAKPOINT = "hw-breakpoint"  # hardware breakpoint (gdb Z1)
    WATCHPOINT = "watchpoint"  # see Stop.watch and Stop.addr
    STEP = "step"  # the requested single step completed
    HALTED = "halted"  # request_halt() was honoured
    EXITED = "exited"  # the guest powered off / reported an exit; see Stop.exit_code
    INSN_LIMIT = "insn-limit"  # the instruction budget given to cont() ran out
    TRAP = "trap"  # a caught trap was about to be taken; see Stop.cause


class WatchKind(enum.Enum):
    """What access a watchpoint catches (gdb Z2, Z3, Z4)."""

    WRITE = "write"
    READ = "read"
    ACCESS = "access"


@dataclass(frozen=True)
class Stop:
    """A stop of the machine, naming the hart that caused it."""

    reason: StopReason
    hart: int
    pc: int
    watch: Optional[WatchKind] = None  # WATCHPOINT: the kind that hit
    addr: Optional[int] = None  # WATCHPOINT: the watched address that was accessed
    exit_code: Optional[int] = None  # EXITED: the guest's exit status (0 = clean poweroff)
    cause: Optional[int] = None  # TRAP: the mcause/scause value about to be taken


@dataclass(frozen=True)
class MemoryFault:
    """A debugger access that could not be done; `addr` is the first bad byte."""

    addr: int
    reason: str  # e.g. "page fault", "no memory or device at this address"


class HartState(enum.Enum):
    """The run state of a hart as a debugger shows it."""

    RUNNING = "running"  # executing (or stopped by the debugger in the middle of running)
    WFI = "wfi"  # waiting for an interrupt
    OFF = "off"  # not started yet / stopped through SBI HSM


class Debug:
    """The debug interface of one machine. Implemented by the machine core."""

    # -- harts ------------------------------------------------------------
    @property
    def nharts(self) -> int:
        """Number of harts."""
        raise NotImplementedError

    def hart_state(self, hart: int) -> HartState:
        """Whether the hart is running, in WFI, or off."""
        raise NotImplementedError

    # -- registers --------------------------------------------------------
    def read_gpr(self, hart: int, index: int) -> int:
        """x0..x31 (x0 always reads 0)."""
        raise NotImplementedError

    def write_gpr(self, hart: int, index: int, value: int) -> None:
        """Write x1..x31 (writes to x0 are ignored)."""
        raise NotImplementedError

    def read_fpr(self, hart: int, index: int) -> int:
        """f0..f31 as raw 64-bit patterns."""
        raise NotImplementedError

    def write_fpr(self, hart: int, index: int, value: int) -> None:
        """Write f0..f31 as raw 64-bit patterns."""
        raise NotImplementedError

    def read_pc(self, hart: int) -> int:
        raise NotImplementedError

    def write_pc(self, hart: int, value: int) -> None:
        raise NotImplementedError

    def read_priv(self, hart: int) -> int:
        """Privilege level: 0 = U, 1 = S, 3 = M."""
        raise NotImplementedError

    def write_priv(self, hart: int, value: int) -> None:
        raise NotImplementedError

    def csrs(self) -> List[Tuple[int, str]]:
        """(number, name) of every CSR the machine implements, by number."""
        raise NotImplementedError

    def read_csr(self, hart: int, number: int) -> Optional[int]:
        """A CSR's value as the debugger sees it (no side effects); None if not implemented."""
        raise NotImplementedError

    def write_csr(self, hart: int, number: int, value: int) -> bool:
        """Write a CSR (WARL rules apply); False if not implemented."""
        raise NotImplementedError

    # -- memory -----------------------------------------------------------
    def read_memory(self, hart: int, addr: int, length: int, *, physical: bool = False) -> Union[bytes, MemoryFault]:
        """Read through the hart's current translation (or physically).

        No A/D bits are set and nothing is cached by the access.
        """
        raise NotImplementedError

    def write_memory(self, hart: int, addr: int, data: bytes, *, physical: bool = False) -> Optional[MemoryFault]:
        """Write through the hart's current translation (or physically).

        Writes to read-only pages succeed (a debugger may patch code);
        translated code covering the bytes is dropped.
        """
        raise NotImplementedError

    def memory_map(self) -> List[Tuple[str, int, int, bool]]:
        """(name, base, size, is_ram) of every region of the physical address space."""
        raise NotImplementedError

    # -- breakpoints and watchpoints --------------------------------------
    def add_breakpoint(self, addr: int, *, hardware: bool = False) -> bool:
        """Insert a breakpoint at a virtual pc; False if it cannot be placed."""
        raise NotImplementedError

    def remove_breakpoint(self, addr: int, *, hardware: bool = False) -> bool:
        """Remove a breakpoint; False if there was none."""
        raise NotImplementedError

    def add_watchpoint(self, addr: int, length: int, kind: WatchKind) -> bool:
        """Watch [addr, addr + length) for the given access kind."""
        raise NotImplementedError

    def remove_watchpoint(self, addr: int, length: int, kind: WatchKind) -> bool:
        raise NotImplementedError

    def catch_traps(self, exceptions: FrozenSet[int], interrupts: FrozenSet[int]) -> None:
        """Stop (reason TRAP) just before taking a trap with one of these causes."""
        raise NotImplementedError

    # -- execution --------------------------------------------------------
    def step(self, hart: int) -> Stop:
        """Execute one instruction on one hart (or take the trap it raises)."""
        raise NotImplementedError

    def cont(self, *, step: Optional[int] = None, frozen: FrozenSet[int] = frozenset(),
             max_insns: Optional[int] = None) -> Stop:
        """Run every hart not in `frozen` until a stop.

        With `step` set, that hart executes exactly one instruction and the
        machine then stops with reason STEP (the others may have run too).
        `max_insns` bounds the instructions retired by all harts together.
        """
        raise NotImplementedError

    def request_halt(self) -> None:
        """Ask a running `cont` to stop soon (reason HALTED). Thread-safe."""
        raise NotImplementedError

    def reset(self) -> None:
        """Reset the machine to its power-on state (breakpoints are kept)."""
        raise NotImplementedError
