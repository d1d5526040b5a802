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
  thread at a time; `request_halt` may be called from any thread at any time
  and stops only the run in progress (see `begin_run` for a run whose owner
  starts it in another thread or spreads it over several `cont` calls).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Set, Tuple, Union

from trapscope.machine import csr, mmu
from trapscope.machine.bus import Bus, Memory
from trapscope.machine.word import s64

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.hart import Hart
    from trapscope.machine.sched import Scheduler


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
    watch: WatchKind | None = None  # WATCHPOINT: the kind that hit
    addr: int | None = None  # WATCHPOINT: the watched address that was accessed
    exit_code: int | None = None  # EXITED: the guest's exit status (0 = clean poweroff)
    cause: int | None = None  # TRAP: the mcause/scause value about to be taken


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


class DebugState:
    """Breakpoints and watchpoints, shared by the harts of one machine (the scheduler owns it;
    `harts` is its list of harts).

    Harts consult it: a page holding a breakpoint is executed one
    instruction at a time (so a breakpoint ends every block that would run
    over it), and pages holding watchpoints stay out of the TLBs so every
    access to them reaches the slow path, which calls `watch_hit`.
    """

    def __init__(self, harts: List[Hart]) -> None:
        self.harts = harts  # the scheduler's list (holding it, not the scheduler, makes no cycle)
        # keyed by the engine's signed pc (machine/word.py); page numbers likewise
        self.breakpoints: Dict[int, Set[bool]] = {}  # pc -> {hardware?}
        self.bp_pages: Set[int] = set()
        self.watchpoints: List[Tuple[int, int, WatchKind]] = []
        self.watch_pages: Set[int] = set()

    @property
    def active(self) -> bool:
        """Whether harts must check breakpoints while running."""
        return bool(self.breakpoints)

    def breakpoint_at(self, pc: int) -> StopReason | None:
        kinds = self.breakpoints.get(pc)
        if not kinds:
            return None
        return StopReason.BREAKPOINT if False in kinds else StopReason.HW_BREAKPOINT

    def _bp_changed(self) -> None:
        self.bp_pages = {pc >> 12 for pc in self.breakpoints}

    def _watch_changed(self) -> None:
        pages: Set[int] = set()
        for addr, length, _ in self.watchpoints:
            pages.update(s64(a) >> 12 for a in range(addr & ~0xFFF, addr + max(length, 1), 0x1000))
        for vpn in pages | self.watch_pages:
            for h in self.harts:
                h.drop_virtual_page(vpn)
        self.watch_pages = pages

    def watch_hit(self, addr: int, size: int, write: bool) -> Tuple[WatchKind, int] | None:
        """The (kind, first watched byte accessed) of a watchpoint this access hits."""
        for waddr, length, kind in self.watchpoints:
            if kind is (WatchKind.READ if write else WatchKind.WRITE):
                continue
            lo, hi = max(addr, waddr), min(addr + size, waddr + length)
            if lo < hi:
                return kind, lo
        return None


class Debug:
    """The debug interface of one machine, over its bus, harts and scheduler.

    `reset` is the board's power-on reset (devices, ROM, loaded images,
    harts); without one, `reset()` clears RAM and devices and puts every
    hart at pc 0.
    """

    def __init__(self, bus: Bus, sched: Scheduler,
                 reset: Callable[[], None] | None = None) -> None:
        self.bus = bus
        self.sched = sched
        self._reset = reset
        self._catch: Tuple[FrozenSet[int], FrozenSet[int]] = (frozenset(), frozenset())

    def _h(self, hart: int) -> Hart:
        return self.sched.harts[hart]

    # -- harts ------------------------------------------------------------
    @property
    def nharts(self) -> int:
        """Number of harts."""
        return len(self.sched.harts)

    def hart_state(self, hart: int) -> HartState:
        """Whether the hart is running, in WFI, or off."""
        h = self._h(hart)
        if not h.started:
            return HartState.OFF
        return HartState.WFI if h.waiting else HartState.RUNNING

    # -- registers --------------------------------------------------------
    def read_gpr(self, hart: int, index: int) -> int:
        """x0..x31 (x0 always reads 0)."""
        return self._h(hart).x[index] if index else 0

    def read_gprs(self, hart: int) -> List[int]:
        """x0..x31 at once (for gdb's `g` packet)."""
        return [v & _M64 for v in self._h(hart).xs]

    def read_fprs(self, hart: int) -> List[int]:
        """f0..f31 at once, as raw 64-bit patterns."""
        return list(self._h(hart).f)

    def write_gpr(self, hart: int, index: int, value: int) -> None:
        """Write x1..x31 (writes to x0 are ignored)."""
        if index:
            self._h(hart).x[index] = value & _M64

    def read_fpr(self, hart: int, index: int) -> int:
        """f0..f31 as raw 64-bit patterns."""
        return self._h(hart).f[index]

    def write_fpr(self, hart: int, index: int, value: int) -> None:
        """Write f0..f31 as raw 64-bit patterns."""
        self._h(hart).f[index] = value & _M64

    def read_pc(self, hart: int) -> int:
        return self._h(hart).pc

    def write_pc(self, hart: int, value: int) -> None:
        """Move the hart (a trap caught at the old pc is abandoned, not taken on resume)."""
        h = self._h(hart)
        h.pc = value
        h.trap_pass = False

    def read_priv(self, hart: int) -> int:
        """Privilege level: 0 = U, 1 = S, 3 = M."""
        return self._h(hart).priv

    def write_priv(self, hart: int, value: int) -> None:
        if value not in (0, 1, 3):
            raise ValueError(f"no privilege level {value}")
        h = self._h(hart)
        h.priv = value
        h.context_changed()

    def csrs(self) -> List[Tuple[int, str]]:
        """(number, name) of every CSR the machine implements, by number."""
        return csr.names()

    def read_csr(self, hart: int, number: int) -> int | None:
        """A CSR's value as the debugger sees it (no side effects); None if not implemented."""
        d = csr.CSRS.get(number)
        if d is None:
            return None
        h = self._h(hart)
        h.cur_ic = h.ic
        return d.read(h) & _M64

    def write_csr(self, hart: int, number: int, value: int) -> bool:
        """Write a CSR (WARL rules apply); False if not implemented."""
        if number not in csr.CSRS:
            return False
        h = self._h(hart)
        h.cur_ic = h.ic
        h.csr_write(number, value)
        return True

    # -- memory -----------------------------------------------------------
    def _phys(self, hart: int, addr: int, physical: bool) -> Union[int, MemoryFault]:
        if physical:
            return addr
        h = self._h(hart)
        priv = h.data_priv()
        if priv == 3 or h.satp >> 60 != 8:
            return addr
        try:
            return mmu.walk(h.read_phys_pte, None, h.satp, addr & _M64, mmu.LOAD, priv, True, True)
        except mmu.Fault:
            return MemoryFault(addr, "page fault")

    def _pieces(self, hart: int, addr: int, length: int, physical: bool):
        """(virtual address, physical address or fault, length) per page of a range."""
        while length > 0:
            n = min(length, 0x1000 - (addr & 0xFFF))
            yield addr, self._phys(hart, addr, physical), n
            addr = (addr + n) & _M64
            length -= n

    def read_memory(self, hart: int, addr: int, length: int, *, physical: bool = False) -> Union[bytes, MemoryFault]:
        """Read through the hart's current translation (or physically).

        No A/D bits are set and nothing is cached by the access. Only RAM
        and ROM are readable (device registers are not read: reads have
        side effects).
        """
        if 0 < length <= 0x1000 - (addr & 0xFFF):  # within one page: the common case
            pa = self._phys(hart, addr, physical)
            if isinstance(pa, MemoryFault):
                return pa
            for mem in self.bus.memories:
                off = pa - mem.base
                if 0 <= off < mem.size:
                    if off + length > mem.size:
                        break
                    return bytes(mem.data[off:off + length])
            return MemoryFault(addr, "no memory at this address")
        out = bytearray()
        for va, pa, n in self._pieces(hart, addr, length, physical):
            if isinstance(pa, MemoryFault):
                return pa
            mem = self.bus.memory_at(pa)
            if mem is None or pa + n > mem.base + mem.size:
                return MemoryFault(va, "no memory at this address")
            out += mem.data[pa - mem.base:pa - mem.base + n]
        return bytes(out)

    def write_memory(self, hart: int, addr: int, data: bytes, *, physical: bool = False) -> MemoryFault | None:
        """Write through the hart's current translation (or physically).

        Writes to read-only pages succeed (a debugger may patch code);
        translated code covering the bytes is dropped.
        """
        pieces = list(self._pieces(hart, addr, len(data), physical))
        for va, pa, n in pieces:
            if isinstance(pa, MemoryFault):
                return pa
            mem = self.bus.memory_at(pa)
            if mem is None or pa + n > mem.base + mem.size:
                return MemoryFault(va, "no memory at this address")
        pos = 0
        for _, pa, n in pieces:
            self.bus.write_bytes(pa, bytes(data[pos:pos + n]), force=True)  # type: ignore[arg-type]
            pos += n
        return None

    def memory_map(self) -> List[Tuple[str, int, int, bool]]:
        """(name, base, size, is_ram) of every region of the physical address space.

        `is_ram` is True for writable memory; ROM and devices are False.
        """
        out = []
        for dev in sorted(self.bus.memories + self.bus.devices, key=lambda d: d.base):
            out.append((dev.name, dev.base, dev.size, isinstance(dev, Memory) and dev.writable))
        return out

    # -- breakpoints and watchpoints --------------------------------------
    def add_breakpoint(self, addr: int, *, hardware: bool = False) -> bool:
        """Insert a breakpoint at a virtual pc; False if it cannot be placed."""
        st = self.sched.dbg
        st.breakpoints.setdefault(s64(addr), set()).add(hardware)
        st._bp_changed()
        return True

    def remove_breakpoint(self, addr: int, *, hardware: bool = False) -> bool:
        """Remove a breakpoint; False if there was none."""
        st = self.sched.dbg
        kinds = st.breakpoints.get(s64(addr))
        if not kinds or hardware not in kinds:
            return False
        kinds.discard(hardware)
        if not kinds:
            del st.breakpoints[s64(addr)]
        st._bp_changed()
        return True

    def add_watchpoint(self, addr: int, length: int, kind: WatchKind) -> bool:
        """Watch [addr, addr + length) for the given access kind."""
        if length <= 0:
            return False
        st = self.sched.dbg
        st.watchpoints.append((addr & _M64, length, kind))
        st._watch_changed()
        return True

    def remove_watchpoint(self, addr: int, length: int, kind: WatchKind) -> bool:
        st = self.sched.dbg
        key = (addr & _M64, length, kind)
        if key not in st.watchpoints:
            return False
        st.watchpoints.remove(key)
        st._watch_changed()
        return True

    def catch_traps(self, exceptions: FrozenSet[int], interrupts: FrozenSet[int]) -> None:
        """Stop (reason TRAP) just before taking a trap with one of these causes."""
        self._catch = (frozenset(exceptions), frozenset(interrupts))
        hook = self._catches if (exceptions or interrupts) else None
        for h in self.sched.harts:
            h.catch_hook = hook

    def _catches(self, cause: int) -> bool:
        exc, irq = self._catch
        return (cause & 63) in irq if cause >> 63 else cause in exc

    # -- execution --------------------------------------------------------
    def step(self, hart: int) -> Stop:
        """Execute one instruction on one hart (or take the trap it raises)."""
        h = self._h(hart)
        sched = self.sched
        if not h.started:
            return Stop(StopReason.STEP, hart, h.pc)
        h.waiting = False
        sched.current = sched.last = h
        try:
            stop = h.step_insn()
        finally:
            sched.current = None
        if stop is not None:
            return stop
        if sched.exit_code is not None:
            return Stop(StopReason.EXITED, hart, h.pc, exit_code=sched.exit_code)
        return Stop(StopReason.STEP, hart, h.pc)

    def cont(self, *, step: int | None = None, frozen: FrozenSet[int] = frozenset(),
             max_insns: int | None = None) -> Stop:
        """Run every hart not in `frozen` until a stop.

        With `step` set, that hart executes exactly one instruction and the
        machine then stops with reason STEP (the others do not run).
        `max_insns` bounds the instructions retired by all harts together,
        where an instruction that raises an exception counts too (as in
        QEMU's execution log; so a trap loop also stops).
        """
        if step is not None:
            return self.step(step)
        for h in self.sched.harts:
            h.resume_pc = h._pc
        try:
            return self.sched.run(frozen=frozen, max_insns=max_insns)
        finally:
            for h in self.sched.harts:
                h.resume_pc = None

    def request_halt(self) -> bool:
        """Ask the run in progress to stop soon (reason HALTED). Thread-safe.

        A run is in progress during `cont`, and from `begin_run` to `end_run`.
        A request while no run is in progress does nothing and returns False:
        a Ctrl-C that arrives after a run has stopped never stops the next one.
        """
        return self.sched.request_halt()

    def begin_run(self) -> None:
        """Open a run before the thread that will `cont` gets there, or across
        several `cont` calls: a halt request made from now on, even before the
        first `cont`, stops the next `cont` at once. Pair with `end_run`."""
        self.sched.begin_run()

    def end_run(self) -> None:
        """Close the run `begin_run` opened; a halt request not yet answered is dropped."""
        self.sched.end_run()

    def reset(self) -> None:
        """Reset the machine to its power-on state (breakpoints are kept)."""
        self.sched.exit_code = None
        if self._reset is not None:
            self._reset()
            return
        self.bus.reset()
        for h in self.sched.harts:
            h.reset(0)


_M64 = 0xFFFFFFFFFFFFFFFF
