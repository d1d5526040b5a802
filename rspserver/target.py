"""What the packet handlers need from a debug target.

The handlers speak gdb's language (thread ids, register numbers, stop
signals); a `Target` turns that into operations on some machine. The
machine's adapter is `trapscope.rspserver.machine_target.MachineTarget`.

As in the gdbstub crate, optional capabilities are opt-in accessors that
return None when the target lacks them: `breakpoints()` and
`memory_map_xml()`. Only what a target opts into is advertised in
qSupported and served.
"""

from __future__ import annotations

import enum
from typing import Callable, FrozenSet, List, NamedTuple, Protocol, Sequence, Tuple, Union

SIGINT = 2
SIGTRAP = 5

# errno values for `E` replies (gdb shows them as numbers).
EFAULT = 14
EINVAL = 22
ENOENT = 2
EBUSY = 16


class StopKind(enum.Enum):
    """Why the target stopped, as a stop reply says it.

    SW_BREAK and HW_BREAK are reported as ``swbreak:``/``hwbreak:`` (the
    qSupported features of the same names); the three watch kinds as
    ``watch:``/``rwatch:``/``awatch:`` with the address; EXITED as ``W``.
    """

    SIGNAL = "signal"  # a plain stop with `signal` (step done, interrupt, caught trap)
    SW_BREAK = "swbreak"
    HW_BREAK = "hwbreak"
    WATCH = "watch"
    RWATCH = "rwatch"
    AWATCH = "awatch"
    EXITED = "exited"


class StopEvent(NamedTuple):
    """A stop of the whole target (all-stop), naming the thread that caused it."""

    kind: StopKind
    thread: int
    signal: int = SIGTRAP
    addr: int | None = None  # watchpoints: the watched address that was accessed
    exit_code: int = 0  # EXITED
    message: str | None = None  # shown to the user (an O packet) before the stop reply


class WatchType(enum.Enum):
    """Z2, Z3, Z4."""

    WRITE = 2
    READ = 3
    ACCESS = 4


class ResumePlan(NamedTuple):
    """What to run: `step` (a thread) executes exactly one instruction; the
    threads in `running` run freely; every other thread stays stopped."""

    step: int | None
    running: FrozenSet[int]


class BreakpointOps(Protocol):
    """Breakpoints and watchpoints kept by the target (never by patching memory)."""

    def add_sw_breakpoint(self, addr: int, kind: int) -> bool: ...

    def remove_sw_breakpoint(self, addr: int, kind: int) -> bool: ...

    def add_hw_breakpoint(self, addr: int, kind: int) -> bool: ...

    def remove_hw_breakpoint(self, addr: int, kind: int) -> bool: ...

    def add_watchpoint(self, addr: int, length: int, kind: WatchType) -> bool: ...

    def remove_watchpoint(self, addr: int, length: int, kind: WatchType) -> bool: ...


class Target(Protocol):
    """A debug target seen through gdb's eyes. Thread ids are positive ints.

    Every method but `interrupt` is called only while the target is stopped,
    from one thread at a time (`begin_run` and `end_run` bracket a run).
    """

    # -- threads
    def threads(self) -> List[int]:
        """Live thread ids, in order."""
        ...

    def thread_extra_info(self, thread: int) -> str:
        """One line for ``info threads`` (state, privilege, pc ...)."""
        ...

    def thread_name(self, thread: int) -> str: ...

    def hart_of(self, thread: int) -> int:
        """The machine hart behind a thread id (for monitor commands)."""
        ...

    # -- registers (values as bytes in target order)
    def read_registers(self, thread: int) -> bytes:
        """The ``g`` block: the registers gdb's ``g`` packet carries, in regnum order."""
        ...

    def write_registers(self, thread: int, data: bytes) -> bool: ...

    def read_register(self, thread: int, regno: int) -> bytes | None:
        """One register, or None if there is no such register."""
        ...

    def write_register(self, thread: int, regno: int, data: bytes) -> bool: ...

    def write_pc(self, thread: int, addr: int) -> bool:
        """Set where the thread resumes (c/s/C/S with an address)."""
        ...

    def expedited_registers(self, thread: int) -> Tuple[Sequence[int], int, bytes]:
        """Registers worth sending in a stop reply: (regnos, size, block), where
        register regnos[i] is block[i * size : (i + 1) * size]."""
        ...

    # -- memory
    def read_memory(self, thread: int, addr: int, length: int, physical: bool) -> Union[bytes, int]:
        """Bytes read (possibly fewer than asked, if a later byte faults) or an errno."""
        ...

    def write_memory(self, thread: int, addr: int, data: bytes, physical: bool) -> int:
        """0 on success or an errno."""
        ...

    # -- descriptions
    def target_xml(self, annex: str) -> bytes | None:
        """A target description document (``target.xml`` and what it includes)."""
        ...

    def memory_map_xml(self) -> bytes | None:
        """The memory map document, or None if the target has none."""
        ...

    def breakpoints(self) -> BreakpointOps | None: ...

    # -- execution
    def resume(self, plan: ResumePlan, max_insns: int | None) -> StopEvent | None:
        """Run the plan; the stop, or None if `max_insns` ran out first."""
        ...

    def interrupt(self) -> None:
        """Ask the run in progress to stop soon (its `resume` returns a SIGINT
        stop). Thread-safe; with no run in progress it does nothing."""
        ...

    def begin_run(self) -> None:
        """A long run starts: from now until `end_run`, an `interrupt` (even one
        made before the next `resume` is called) stops the next `resume` at once."""
        ...

    def end_run(self) -> None:
        """The long run `begin_run` opened is over; a later `interrupt` does nothing."""
        ...

    def reset(self) -> None:
        """Power-on reset (breakpoints are kept)."""
        ...

    def clear_debug_state(self) -> None:
        """Remove every breakpoint and watchpoint a client placed."""
        ...


class SessionView(Protocol):
    """The part of a debug session a monitor command may read or change."""

    physical: bool  # memory packets use physical addresses

    @property
    def hart(self) -> int:
        """The hart gdb has selected (Hg)."""
        ...


# A monitor line runner, handed to the server by the CLI:
#   monitor(line, session, write) -> None
# `write(text)` streams output to the client as it is produced.
MonitorRunner = Callable[[str, SessionView, Callable[[str], None]], None]
