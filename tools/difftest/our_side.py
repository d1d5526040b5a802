"""trapscope's side of the comparison: a Machine driven through its debug
interface (hart 0), moved along QEMU's trace (see positions.py)."""

from __future__ import annotations

from typing import Dict, List, Sequence

from trapscope.machine.debug import StopReason
from trapscope.tools.difftest.positions import DesyncError, arrivals
from trapscope.tools.difftest.regs import COMPARED_CSRS, FPR_NAMES, GPR_NAMES
from trapscope.tools.difftest.trace import Trace

FETCH_FAULTS = (0, 1, 12)  # misaligned fetch, fetch access fault, fetch page fault


class OurSide:
    """A trapscope machine driven through its debug interface (hart 0)."""

    def __init__(self, machine, trace: Trace) -> None:
        self.machine = machine
        self.debug = machine.debug
        self.trace = trace
        self.index = 0
        self.csr_numbers = {name: num for num, name in self.debug.csrs()}
        if self.pc() != trace.pcs[0]:
            self._run_to(trace.pcs[0])

    def _run_to(self, pc: int) -> None:
        self.debug.add_breakpoint(pc)
        try:
            stop = self.debug.cont(max_insns=100_000_000)
        finally:
            self.debug.remove_breakpoint(pc)
        if stop.reason is not StopReason.BREAKPOINT:
            raise DesyncError(f"trapscope never reached pc {pc:#x}: {stop.reason.value} at {stop.pc:#x}")

    def close(self) -> None:
        self.machine.close()

    def pc(self) -> int:
        return self.debug.read_pc(0)

    def step(self):
        """Execute one instruction (or take its trap); returns the debug Stop.

        Like QEMU's log, a fetch that faults is not an instruction of its own:
        when the step lands on a pc the trace does not have next and stepping
        once more takes a fetch fault at that pc into the trace's next pc, that
        second step belongs to this one."""
        stop = self.debug.step(0)
        self.index += 1
        pcs = self.trace.pcs
        if self.index < len(pcs):
            pc = self.debug.read_pc(0)
            if pc != pcs[self.index] and stop.reason is StopReason.STEP:
                stop = self._absorb_fetch_fault(pc, stop)
        return stop

    def _absorb_fetch_fault(self, pc: int, stop):
        """Take the fetch fault at `pc` if that is what the trace did: its next
        pc is a trap vector, and stepping there reports a fetch fault at pc."""
        d = self.debug
        expected = self.trace.pcs[self.index]
        vectors = {d.read_csr(0, 0x305) & ~3, d.read_csr(0, 0x105) & ~3}
        if expected not in vectors:
            return stop
        second = d.step(0)
        cause_csr = 0x342 if d.read_priv(0) == 3 else 0x142
        if d.read_csr(0, cause_csr) not in FETCH_FAULTS or d.read_csr(0, cause_csr + 1) != pc:
            raise DesyncError(f"trapscope at pc {pc:#x} where QEMU took a fetch fault, "
                              f"but it trapped with cause {d.read_csr(0, cause_csr)}")
        return second

    def advance(self, end: int) -> None:
        """Run on to index `end` with breakpoints (the fast way: pcs in between are not seen)."""
        pcs = self.trace.pcs
        target = pcs[end]
        self.debug.add_breakpoint(target)
        try:
            for k in arrivals(self.trace, self.index, end):
                if pcs[self.index] == target:
                    self.step()
                if self.index == k:
                    continue
                stop = self.debug.cont(max_insns=4 * (k - self.index) + 1000)
                if stop.reason is not StopReason.BREAKPOINT:
                    raise DesyncError(f"trapscope did not reach index {k} (pc {target:#x}): "
                                      f"{stop.reason.value} at pc {stop.pc:#x}")
                self.index = k
        finally:
            self.debug.remove_breakpoint(target)

    def available(self, names: Sequence[str]) -> List[str]:
        fixed = {"pc", "priv", *GPR_NAMES[1:], *FPR_NAMES}
        return [n for n in names if n in fixed or n in self.csr_numbers]

    def read_state(self, names: Sequence[str]) -> Dict[str, int]:
        d = self.debug
        state = {"pc": d.read_pc(0), "priv": d.read_priv(0)}
        state.update({GPR_NAMES[i]: d.read_gpr(0, i) for i in range(1, 32)})
        fprs = {FPR_NAMES[i]: i for i in range(32)}
        for name in names:
            if name in state:
                continue
            if name in fprs:
                state[name] = d.read_fpr(0, fprs[name])
            else:
                value = d.read_csr(0, self.csr_numbers.get(name, COMPARED_CSRS.get(name, -1)))
                state[name] = value
        return state

    def read_gpr(self, index: int) -> int:
        return self.debug.read_gpr(0, index)

    def write_gpr(self, index: int, value: int) -> None:
        self.debug.write_gpr(0, index, value)

    def fetch(self, pc: int) -> int:
        """The instruction bits at pc (32 bits read; a compressed one is the low half)."""
        data = self.debug.read_memory(0, pc, 4)
        if not isinstance(data, bytes):
            data = self.debug.read_memory(0, pc, 2)
            if not isinstance(data, bytes):
                return 0
        return int.from_bytes(data, "little")
