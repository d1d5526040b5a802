"""The two machines difftest drives, each positioned by instruction index.

An index is a position in QEMU's recorded trace: at index i a machine is
about to execute trace[i] (index 0 is the first instruction after reset).
Both sides move forward the same way, so they agree on what an index means
without having to agree on how they count instructions: to reach index j
they stop at the k-th arrival at the pc trace[j] after their current index,
where k is how often that pc occurs in the trace up to j (`arrivals`), and
they single-step off a breakpoint they sit on. While both follow the trace
they land on the same instruction; when one does not, its state (or its
pc) differs from QEMU's there.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from typing import Dict, List, Sequence, Tuple

from trapscope.machine.debug import StopReason
from trapscope.tools.difftest import qemu as Q
from trapscope.tools.difftest.regs import COMPARED_CSRS, FPR_NAMES, GPR_NAMES
from trapscope.tools.difftest.rsp import RspClient, RspError
from trapscope.tools.difftest.trace import Trace

FETCH_FAULTS = (0, 1, 12)  # misaligned fetch, fetch access fault, fetch page fault


class DesyncError(Exception):
    """A machine did not arrive where the trace says it must (the message says where)."""


def arrivals(trace: Trace, start: int, end: int) -> List[int]:
    """The indexes in (start, end] where trace[end]'s pc is executed."""
    pcs = trace.pcs
    target = pcs[end]
    return [k for k in range(start + 1, end + 1) if pcs[k] == target]


CHEAP_HITS = 4  # breakpoint stops a checkpoint may cost (about 0.5 ms each on QEMU)


def choose_checkpoint(trace: Trace, start: int, interval: int, end: int) -> int:
    """The next index to compare at: the latest one in (start, start + interval]
    that QEMU reaches with at most CHEAP_HITS breakpoint stops, unless that is
    in the window's first half (a hot loop): then the first cheap index after
    the window (or `end`), so a loop is crossed in one go."""
    pcs = trace.pcs
    seen: Dict[int, int] = {}
    best = None
    limit = min(end, start + interval)
    half = start + interval // 2
    for k in range(start + 1, end + 1):
        hits = seen.get(pcs[k], 0) + 1
        seen[pcs[k]] = hits
        if hits <= CHEAP_HITS:
            if k <= limit:
                best = k
            elif best is None or best < half:
                return k
            else:
                break
        elif k >= limit and best is not None and best >= half:
            break
    return end if best is None else best


class QemuSide:
    """qemu-system-riscv64 stopped under its gdbstub, following a recorded trace."""

    def __init__(self, args: Sequence[str], trace: Trace, *, serial: str = "null") -> None:
        self.trace = trace
        self.index = 0
        port = Q.free_port()
        cmd = [*args, "-serial", serial, "-S", "-gdb", f"tcp:127.0.0.1:{port}", "-singlestep",
               *Q.DETERMINISM]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        try:
            self.rsp = RspClient(port)
            self.rsp.request("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=riscv")
            self.regnums = self._register_numbers()
            if self.pc() != trace.pcs[0]:  # the trace starts after hidden firmware code
                self._run_to(trace.pcs[0])
        except (RspError, OSError):
            self.close()
            raise

    def _register_numbers(self) -> Dict[str, int]:
        """name -> gdb regnum, from the target description (regnums count on
        from the previous register unless an entry gives its own)."""
        target = self.rsp.xfer_features("target.xml")
        regnums: Dict[str, int] = {}
        n = 0
        for annex in re.findall(r'<xi:include href="([^"]+)"', target):
            root = ET.fromstring(self.rsp.xfer_features(annex))
            for reg in root.iter("reg"):
                n = int(reg.get("regnum", n))
                regnums[reg.get("name", "")] = n
                n += 1
        return regnums

    def close(self) -> None:
        """Kill QEMU and close the connection."""
        rsp = getattr(self, "rsp", None)
        if rsp is not None:
            rsp.kill()
            rsp.close()
        Q.stop(self.proc)

    # -- moving ---------------------------------------------------------------
    def died(self) -> str:
        """What QEMU said on its way out (after it closed the connection)."""
        Q.stop(self.proc)
        err = self.proc.stderr.read().decode(errors="replace").strip() if self.proc.stderr else ""
        return err.splitlines()[-1] if err else f"exit status {self.proc.returncode}"

    def step(self) -> None:
        """Execute trace[index] (or take the trap it raises)."""
        self._step_once()
        self.index += 1
        if self.index < len(self.trace):
            expected = self.trace.pcs[self.index]
            if self.pc() != expected:
                # Two ways to stop short of the trace's next pc: a jump to a pc
                # whose fetch faults stops there first (QEMU's log has no line
                # for it: the fault comes before any block runs), and an SBI
                # call runs firmware code the trace leaves out (--bios builtin).
                self._run_to(expected)

    def _run_to(self, pc: int) -> None:
        self.rsp.set_breakpoint(pc)
        try:
            reply = self.rsp.cont()
        finally:
            self.rsp.clear_breakpoint(pc)
        if not reply.startswith("T"):
            raise DesyncError(f"QEMU ended before reaching pc {pc:#x} (index {self.index}): {reply}")

    def _step_once(self) -> None:
        try:
            reply = self.rsp.step()
        except RspError:
            raise DesyncError(f"QEMU died stepping at index {self.index}: {self.died()}") from None
        if not reply.startswith("T"):
            raise DesyncError(f"QEMU ended while stepping at index {self.index}: {reply}")

    def advance(self, end: int) -> None:
        """Run on to index `end` (> index)."""
        pcs = self.trace.pcs
        target = pcs[end]
        inserted = False
        try:
            for k in arrivals(self.trace, self.index, end):
                if pcs[self.index] == target:
                    self.step()
                if self.index == k:
                    continue
                if not inserted:
                    self.rsp.set_breakpoint(target)
                    inserted = True
                reply = self.rsp.cont()
                if not reply.startswith("T"):
                    raise DesyncError(f"QEMU ended before reaching index {k} (pc {target:#x}): {reply}")
                self.index = k
        finally:
            if inserted:
                self.rsp.clear_breakpoint(target)
        pc = self.pc()
        if pc != target:
            raise DesyncError(f"QEMU left its own trace: at index {end} its pc is {pc:#x}, "
                              f"the trace says {target:#x} (is the program timing-dependent?)")

    # -- reading --------------------------------------------------------------
    def pc(self) -> int:
        return self.rsp.read_register(self.regnums["pc"])

    def gprs(self) -> Tuple[int, List[int]]:
        """(pc, [x0..x31]) in one packet."""
        core = self.rsp.read_core(33)
        return core[32], core[:32]

    def available(self, names: Sequence[str]) -> List[str]:
        """Which of these register names QEMU shows (x1..x31 always: the `g` packet)."""
        return [n for n in names if n in self.regnums or n in GPR_NAMES]

    def read_state(self, names: Sequence[str]) -> Dict[str, int]:
        """The named registers (pc, priv, ABI GPR/FPR names, CSR names)."""
        pc, x = self.gprs()
        state = {"pc": pc}
        state.update({GPR_NAMES[i]: x[i] for i in range(1, 32)})
        for name in names:
            if name not in state:
                state[name] = self.rsp.read_register(self.regnums[name])
        return state

    def read_gpr(self, index: int) -> int:
        return self.rsp.read_register(index)

    def read_memory(self, addr: int, length: int) -> bytes:
        return self.rsp.read_memory(addr, length)


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
