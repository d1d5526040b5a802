"""The lockstep comparison.

1. Record QEMU's trace: the pc of every instruction it executes, up to the
   limit (see trace.py). QEMU runs with -icount, so its clock counts
   instructions and a second run takes the same path.
2. Start QEMU again, stopped under its gdbstub, and trapscope with QEMU's
   own device tree. Step trapscope one instruction at a time and require
   its pc to be the trace's at every index. Every `interval` instructions
   (at an index chosen so QEMU gets there with few breakpoint stops), at
   every trap handler's entry, and at the end, bring QEMU to the same index
   and compare the full state: pc, privilege, x1..x31, f0..f31 and the
   CSRs both show (regs.COMPARED_CSRS).
3. Values that legitimately differ are copied from QEMU into trapscope and
   listed in the report (syncs.py): counter reads (cycle, time, instret, the
   hpm counters, loads from the CLINT's mtime).
4. At the first difference (a pc, or a state) both machines are started
   afresh, brought back to the last index where the states matched, and
   stepped together comparing pc and integer registers (and the registers
   that differed) after every instruction: that pins down the first
   instruction whose effect differs (pinpoint.py).

With --bios builtin the firmwares differ (QEMU's OpenSBI, trapscope's
built-in SBI): only S- and U-mode instructions are compared, from the
S-mode entry, where trapscope takes QEMU's registers and device tree; an
SBI call is one instruction on both, and its results (a0, a1) are QEMU's;
M-mode CSRs are not compared.

Limits: interrupts arrive at different instructions on the two machines
(their clocks differ), so programs whose path depends on when an interrupt
lands cannot be compared; such ISA tests are left out (guests.TIMING_DEPENDENT).
Counter reads are recognised by decoding the instruction at the pc, and a
load is recognised as an mtime read by its virtual address. fflags/frm/fcsr
are not among the compared CSRs: QEMU 7.2's gdbstub leaves them out of its
register list (the FPU is off when it builds the list); their effects show
when a program reads them into integer registers.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from trapscope.tools.difftest import qemu as Q
from trapscope.tools.difftest import regs as R
from trapscope.tools.difftest import syncs as S
from trapscope.tools.difftest.model import Divergence, Options, Report, Sync
from trapscope.tools.difftest.our_side import OurSide
from trapscope.tools.difftest.positions import choose_checkpoint
from trapscope.tools.difftest.qemu_side import QemuSide
from trapscope.tools.difftest.trace import Trace, record

__all__ = ["Difftest", "Divergence", "Options", "Report", "Sync"]

WORK = Path(__file__).resolve().parents[2] / "build" / "difftest"
PLAIN, MAYBE_COUNTER, SYSTEM = 0, 1, 2
Differing = List[Tuple[str, int, Optional[int]]]


class Difftest:
    """One comparison run; `run()` returns the Report."""

    def __init__(self, options: Options) -> None:
        self.opt = options
        self.report = Report(options)
        self.trace: Trace = Trace()
        self.qemu: QemuSide | None = None
        self.ours: OurSide | None = None
        self.dtb: Path | None = None
        self.names: List[str] = []
        self.good = 0  # the last index where the full states matched
        self.events: Dict[int, List[Sync]] = {}  # index -> syncs to replay there
        self._decoded: Dict[int, Tuple[int, int]] = {}

    # -- set-up -----------------------------------------------------------------
    def _qemu_args(self) -> List[str]:
        return Q.machine_args(self.opt.elf, self.opt.bios)

    def start(self) -> None:
        """Both machines at index 0 (a replay starts here too)."""
        self.qemu = QemuSide(self._qemu_args(), self.trace)
        self.ours = OurSide(self._make_machine(), self.trace)
        if self.opt.firmware_hidden:
            S.sync_entry(self)

    def _make_machine(self):
        from trapscope.machine.board import Machine
        from trapscope.machine.config import MachineConfig

        return Machine(MachineConfig(smp=1, mem_mib=Q.MEM_MIB, bios=self.opt.bios,
                                     kernel=str(self.opt.elf), dtb=str(self.dtb), serial="none"))

    def stop(self) -> None:
        """Close both machines."""
        for side in (self.qemu, self.ours):
            if side is not None:
                side.close()
        self.qemu = self.ours = None

    # -- the run ----------------------------------------------------------------
    def run(self) -> Report:
        """Record, compare, and pin down the first difference if there is one."""
        started = time.perf_counter()
        WORK.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=WORK) as work:
            self.dtb = Q.dump_dtb(self.opt.elf, self.opt.bios, Path(work) / "qemu.dtb")
            self.trace = record(self._qemu_args() + ["-serial", "null"], self.opt.max_insns,
                                hide_machine_mode=self.opt.firmware_hidden)
            self.report.trace_length = len(self.trace)
            self.report.hidden = self.trace.hidden
            self.report.qemu_exit = self.trace.exit_status
            try:
                self.start()
                self._choose_names()
                self._compare_all()
            finally:
                self.stop()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _choose_names(self) -> None:
        assert self.qemu is not None and self.ours is not None
        csrs = R.S_LEVEL_CSRS if self.opt.firmware_hidden else list(R.COMPARED_CSRS)
        self.names = self.ours.available(self.qemu.available(R.state_names(csrs)))
        self.report.compared = self.names

    def _end_index(self) -> int:
        """The last index both machines reach: the exiting instruction, or the limit."""
        n = len(self.trace)
        return n - 1 if not self.trace.truncated else min(n - 1, self.opt.max_insns)

    def _compare_all(self) -> None:
        assert self.qemu is not None and self.ours is not None
        end = self._end_index()
        differing = self.state_differs(0)
        if differing is not None:
            self._pinpoint(0, 0, differing)
            return
        checkpoint = choose_checkpoint(self.trace, 0, self.opt.interval, end) if end else 0
        vectors = self._vectors()
        i = 0
        pcs = self.trace.pcs
        ours = self.ours
        while i < end:
            self.inject_at(i)
            pc = ours.pc()
            if pc != pcs[i]:
                self._pinpoint(self.good, i, [])
                return
            bits, kind = self._decode(pc)
            if kind != PLAIN and S.sync_instruction(self, i, pc, bits):
                i += 1
            else:
                ours.step()
                i += 1
                if kind != PLAIN:
                    vectors = self._vectors()
                if i != checkpoint and pcs[i] not in vectors:
                    continue
                self.qemu.advance(i)
            self.report.checkpoints += 1
            differing = self.state_differs(i)
            if differing is not None:
                self._pinpoint(self.good, i, differing)
                return
            if i >= checkpoint:
                checkpoint = choose_checkpoint(self.trace, i, self.opt.interval, end) if i < end else end
        self.report.reached = end
        self._finish(end)

    def _finish(self, end: int) -> None:
        """Both at the last index: compare, then let trapscope execute the last instruction."""
        from trapscope.machine.debug import StopReason

        assert self.qemu is not None and self.ours is not None
        if self.qemu.index < end:
            self.qemu.advance(end)
        differing = self.state_differs(end)
        if differing is not None:
            self._pinpoint(self.good, end, differing)
            return
        if self.trace.truncated:
            self.report.ended = "limit"
            return
        stop = self.ours.step()
        self.report.reached = end + 1
        self.report.ended = "exit"
        self.report.our_exit = stop.exit_code if stop.reason is StopReason.EXITED else None
        if self.report.our_exit is None:
            pc = self.trace.pcs[end]
            self.report.divergence = Divergence(
                end + 1, pc, self.ours.fetch(pc), [],
                f"QEMU ended the run here (status {self.trace.exit_status}); trapscope went on "
                f"({stop.reason.value} at pc {stop.pc:#x})")

    def inject_at(self, index: int) -> None:
        """Apply --inject when trapscope is about to execute instruction `index`."""
        inject = self.opt.inject
        if inject is not None and index == inject[0]:
            assert self.ours is not None
            self.ours.write_gpr(inject[1], inject[2])

    def _vectors(self) -> Tuple[int, int]:
        """trapscope's trap entry points (mtvec and stvec bases): the state is
        compared on entering a handler, where traps leave their marks."""
        assert self.ours is not None
        d = self.ours.debug
        return d.read_csr(0, 0x305) & ~3, d.read_csr(0, 0x105) & ~3

    def _decode(self, pc: int) -> Tuple[int, int]:
        """(instruction bits, kind) at pc, decoded once per pc: MAYBE_COUNTER for
        CSR accesses and loads (which may read a counter), SYSTEM for other
        system instructions (ecall, xret, ... which may change a trap vector
        or call the SBI), else PLAIN."""
        assert self.ours is not None
        cached = self._decoded.get(pc)
        if cached is None:
            bits = self.ours.fetch(pc)
            opcode = bits & 0x7F
            if (opcode == 0x73 and (bits >> 12) & 7) or opcode == 0x03 \
                    or (bits & 3 == 0 and (bits & 0xFFFF) >> 13 in (2, 3)):
                kind = MAYBE_COUNTER
            elif opcode == 0x73:
                kind = SYSTEM
            else:
                kind = PLAIN
            cached = self._decoded[pc] = (bits, kind)
        return cached

    # -- comparing -------------------------------------------------------------------
    def state_differs(self, index: int) -> Differing | None:
        """Compare the full state at `index` (both sides there); None when equal."""
        assert self.qemu is not None and self.ours is not None
        q = self.qemu.read_state(self.names)
        o = self.ours.read_state(self.names)
        names = R.diff(q, o, self.names)
        if not names:
            self.good = index
            return None
        return [(n, q[n], o.get(n)) for n in names]

    def _pinpoint(self, good: int, bad: int, differing: Differing) -> None:
        """Replay both to `good`, then step together to the first difference."""
        from trapscope.tools.difftest.pinpoint import pinpoint

        self.stop()
        self.start()
        suspects = [n for n, _, _ in differing if n != "pc" and n not in R.GPR_NAMES]
        self.report.divergence = pinpoint(self, good, bad, suspects)
        self.report.reached = self.report.divergence.index
        self.report.ended = "divergence"
