"""QEMU's side of the comparison: qemu-system-riscv64 stopped under its
gdbstub, moved along its own recorded trace (see positions.py)."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from typing import Dict, List, Sequence, Tuple

from trapscope.tools.difftest import qemu as Q
from trapscope.tools.difftest.positions import DesyncError, arrivals
from trapscope.tools.difftest.regs import GPR_NAMES
from trapscope.tools.difftest.rsp import RspClient, RspError
from trapscope.tools.difftest.trace import Trace


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
