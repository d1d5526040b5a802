"""The `Target` of a trapscope machine: an adapter over `machine.debug.Debug`.

Threads are harts (thread id = hart id + 1). Registers use gdb's RISC-V
numbers (see `trapscope.rspserver.riscv`). Breakpoints and watchpoints are
kept by the machine; this adapter counts insertions so that gdb inserting
the same one twice and removing it once leaves it in place, and so that a
departing client's leftovers can be cleared.
"""

from __future__ import annotations

import collections
import struct
from itertools import repeat
from typing import Counter, List, Sequence, Tuple, Union

from trapscope.machine.debug import Debug, HartState, MemoryFault, Stop, StopReason, WatchKind
from trapscope.rspserver import riscv
from trapscope.rspserver.target import (
    EFAULT,
    SIGINT,
    SIGTRAP,
    ResumePlan,
    StopEvent,
    StopKind,
    WatchType,
)

PC_REGNUM = riscv.PC_REGNUM

_WATCH_KINDS = {WatchType.WRITE: WatchKind.WRITE, WatchType.READ: WatchKind.READ,
                WatchType.ACCESS: WatchKind.ACCESS}
_WATCH_STOPS = {WatchKind.WRITE: StopKind.WATCH, WatchKind.READ: StopKind.RWATCH,
                WatchKind.ACCESS: StopKind.AWATCH}
_MASK64 = (1 << 64) - 1
_GPRS = range(riscv.GPR_COUNT)
_G_REGNOS = tuple(range(riscv.G_REGISTERS))
_G_BLOCK = struct.Struct(f"<{riscv.G_REGISTERS}Q")


class MachineTarget:
    """gdb's view of one machine, through its debug interface."""

    def __init__(self, debug: Debug) -> None:
        self.debug = debug
        self._csrs = list(debug.csrs())
        self._csr_numbers = frozenset(number for number, _ in self._csrs)
        self._xml = riscv.target_xml(self._csrs)
        self._threads = [hart + 1 for hart in range(debug.nharts)]
        self._sw: Counter[int] = collections.Counter()
        self._hw: Counter[int] = collections.Counter()
        self._watch: Counter[Tuple[int, int, WatchKind]] = collections.Counter()
        # Optional bulk read: `read_gprs(hart) -> list of x0..x31`, if the Debug has it.
        self._read_gprs = getattr(debug, "read_gprs", None)

    # -- threads ------------------------------------------------------------------
    def threads(self) -> List[int]:
        return self._threads

    def hart_of(self, thread: int) -> int:
        return thread - 1

    def thread_name(self, thread: int) -> str:
        return f"hart{thread - 1}"

    def thread_extra_info(self, thread: int) -> str:
        hart = thread - 1
        state = self.debug.hart_state(hart).value
        priv = riscv.PRIV_NAMES.get(self.debug.read_priv(hart), "?")
        return f"hart {hart}, {state}, {priv}-mode, pc={self.debug.read_pc(hart):#x}"

    # -- registers ----------------------------------------------------------------
    def read_registers(self, thread: int) -> bytes:
        hart = thread - 1
        if self._read_gprs is not None:  # one call instead of 32 when the machine offers it
            return _G_BLOCK.pack(*self._read_gprs(hart), self.debug.read_pc(hart))
        return _G_BLOCK.pack(*map(self.debug.read_gpr, repeat(hart, riscv.GPR_COUNT), _GPRS),
                             self.debug.read_pc(hart))

    def write_registers(self, thread: int, data: bytes) -> bool:
        if len(data) % 8 or len(data) > riscv.G_REGISTERS * 8:
            return False
        for regno in range(len(data) // 8):
            self.write_register(thread, regno, data[regno * 8 : regno * 8 + 8])
        return True

    def read_register(self, thread: int, regno: int) -> bytes | None:
        hart = thread - 1
        value = self._read_value(hart, regno)
        if value is None:
            return None
        return value.to_bytes(self._width(regno), "little")

    def _read_value(self, hart: int, regno: int) -> int | None:
        debug = self.debug
        if regno < riscv.GPR_COUNT:
            return debug.read_gpr(hart, regno)
        if regno == riscv.PC_REGNUM:
            return debug.read_pc(hart)
        if regno < riscv.FIRST_CSR_REGNUM:
            return debug.read_fpr(hart, regno - riscv.FIRST_FPR_REGNUM)
        if regno == riscv.PRIV_REGNUM:
            return debug.read_priv(hart)
        csr = regno - riscv.FIRST_CSR_REGNUM
        if csr in self._csr_numbers:
            value = debug.read_csr(hart, csr)
            return None if value is None else value & ((1 << (8 * self._width(regno))) - 1)
        return None

    @staticmethod
    def _width(regno: int) -> int:
        if regno - riscv.FIRST_CSR_REGNUM in riscv.FCSR_NUMBERS:
            return 4
        return 8

    def write_register(self, thread: int, regno: int, data: bytes) -> bool:
        hart = thread - 1
        if len(data) != self._width(regno):
            return False
        value = int.from_bytes(data, "little")
        debug = self.debug
        if regno < riscv.GPR_COUNT:
            debug.write_gpr(hart, regno, value)
        elif regno == riscv.PC_REGNUM:
            debug.write_pc(hart, value)
        elif regno < riscv.FIRST_CSR_REGNUM:
            debug.write_fpr(hart, regno - riscv.FIRST_FPR_REGNUM, value)
        elif regno == riscv.PRIV_REGNUM:
            if value not in riscv.PRIV_NAMES:
                return False
            debug.write_priv(hart, value)
        elif regno - riscv.FIRST_CSR_REGNUM in self._csr_numbers:
            return debug.write_csr(hart, regno - riscv.FIRST_CSR_REGNUM, value)
        else:
            return False
        return True

    def expedited_registers(self, thread: int) -> Tuple[Sequence[int], int, bytes]:
        """x0-x31 and pc: with them in the stop reply, gdb needs no ``g`` after a step."""
        return _G_REGNOS, 8, self.read_registers(thread)

    # -- memory -------------------------------------------------------------------
    def read_memory(self, thread: int, addr: int, length: int, physical: bool) -> Union[bytes, int]:
        length = min(length, (_MASK64 + 1) - addr)
        data = self.debug.read_memory(thread - 1, addr, length, physical=physical)
        if not isinstance(data, MemoryFault):
            return data
        good = data.addr - addr
        if 0 < good < length:  # the readable part before the fault
            head = self.debug.read_memory(thread - 1, addr, good, physical=physical)
            if not isinstance(head, MemoryFault):
                return head
        return EFAULT

    def write_memory(self, thread: int, addr: int, data: bytes, physical: bool) -> int:
        fault = self.debug.write_memory(thread - 1, addr, data, physical=physical)
        return EFAULT if fault is not None else 0

    # -- descriptions -------------------------------------------------------------
    def target_xml(self, annex: str) -> bytes | None:
        return self._xml if annex == "target.xml" else None

    def memory_map_xml(self) -> bytes | None:
        return riscv.memory_map_xml(self.debug.memory_map())

    # -- breakpoints (BreakpointOps) -------------------------------------------------
    def breakpoints(self) -> MachineTarget:
        return self

    def add_sw_breakpoint(self, addr: int, kind: int) -> bool:
        return self._add(self._sw, addr, lambda: self.debug.add_breakpoint(addr))

    def remove_sw_breakpoint(self, addr: int, kind: int) -> bool:
        return self._remove(self._sw, addr, lambda: self.debug.remove_breakpoint(addr))

    def add_hw_breakpoint(self, addr: int, kind: int) -> bool:
        return self._add(self._hw, addr, lambda: self.debug.add_breakpoint(addr, hardware=True))

    def remove_hw_breakpoint(self, addr: int, kind: int) -> bool:
        return self._remove(self._hw, addr, lambda: self.debug.remove_breakpoint(addr, hardware=True))

    def add_watchpoint(self, addr: int, length: int, kind: WatchType) -> bool:
        key = (addr, length, _WATCH_KINDS[kind])
        return self._add(self._watch, key, lambda: self.debug.add_watchpoint(*key))

    def remove_watchpoint(self, addr: int, length: int, kind: WatchType) -> bool:
        key = (addr, length, _WATCH_KINDS[kind])
        return self._remove(self._watch, key, lambda: self.debug.remove_watchpoint(*key))

    @staticmethod
    def _add(counts: Counter, key, place) -> bool:
        if counts[key] == 0 and not place():
            del counts[key]
            return False
        counts[key] += 1
        return True

    @staticmethod
    def _remove(counts: Counter, key, take) -> bool:
        if counts[key] <= 0:
            del counts[key]
            return False
        counts[key] -= 1
        if counts[key] == 0:
            del counts[key]
            take()
        return True

    def clear_debug_state(self) -> None:
        for addr in list(self._sw):
            self.debug.remove_breakpoint(addr)
        for addr in list(self._hw):
            self.debug.remove_breakpoint(addr, hardware=True)
        for key in list(self._watch):
            self.debug.remove_watchpoint(*key)
        self._sw.clear()
        self._hw.clear()
        self._watch.clear()

    # -- execution ----------------------------------------------------------------
    def resume(self, plan: ResumePlan, max_insns: int | None) -> StopEvent | None:
        debug = self.debug
        harts = range(debug.nharts)
        running = {t - 1 for t in plan.running}
        step = None if plan.step is None else plan.step - 1
        if step is not None and not running and debug.hart_state(step) is HartState.RUNNING:
            return self._event(debug.step(step))
        frozen = frozenset(h for h in harts if h not in running and h != step)
        stop = debug.cont(step=step, frozen=frozen, max_insns=max_insns)
        if stop.reason is StopReason.INSN_LIMIT:
            return self._breakpoint_ahead(running)
        return self._event(stop)

    def _breakpoint_ahead(self, running: set) -> StopEvent | None:
        """After a budget ran out: a running hart about to execute a breakpoint has hit it
        (resuming would step over it, as a resume at a breakpoint does)."""
        for hart in sorted(running):
            if self.debug.hart_state(hart) is not HartState.RUNNING:
                continue
            pc = self.debug.read_pc(hart)
            if pc in self._sw:
                return StopEvent(StopKind.SW_BREAK, hart + 1)
            if pc in self._hw:
                return StopEvent(StopKind.HW_BREAK, hart + 1)
        return None

    def _event(self, stop: Stop) -> StopEvent:
        thread = stop.hart + 1
        reason = stop.reason
        if reason is StopReason.BREAKPOINT:
            return StopEvent(StopKind.SW_BREAK, thread)
        if reason is StopReason.HW_BREAKPOINT:
            return StopEvent(StopKind.HW_BREAK, thread)
        if reason is StopReason.WATCHPOINT:
            kind = _WATCH_STOPS[stop.watch or WatchKind.WRITE]
            return StopEvent(kind, thread, addr=stop.addr)
        if reason is StopReason.EXITED:
            return StopEvent(StopKind.EXITED, thread, exit_code=stop.exit_code or 0)
        if reason is StopReason.HALTED:
            return StopEvent(StopKind.SIGNAL, thread, SIGINT)
        if reason is StopReason.TRAP:
            cause = stop.cause or 0
            text = (f"trapscope: hart {stop.hart} is about to take a trap: "
                    f"{riscv.cause_name(cause)} (cause {cause:#x}) at pc {stop.pc:#x}\n")
            return StopEvent(StopKind.SIGNAL, thread, SIGTRAP, message=text)
        return StopEvent(StopKind.SIGNAL, thread, SIGTRAP)

    def interrupt(self) -> None:
        self.debug.request_halt()

    def begin_run(self) -> None:
        self.debug.begin_run()

    def end_run(self) -> None:
        self.debug.end_run()

    def reset(self) -> None:
        self.debug.reset()

    def write_pc(self, thread: int, addr: int) -> bool:
        self.debug.write_pc(thread - 1, addr & _MASK64)
        return True
