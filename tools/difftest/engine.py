"""The lockstep comparison.

1. Record QEMU's trace: the pc of every instruction it executes, up to the
   limit (see trace.py). QEMU runs with -icount, so its clock counts
   instructions and a second run takes the same path.
2. Start QEMU again, stopped under its gdbstub, and trapscope with QEMU's
   own device tree. Step trapscope one instruction at a time and require
   its pc to be the trace's at every index. Every `interval` instructions
   (at an index chosen so QEMU gets there with few breakpoint stops) bring
   QEMU to the same index and compare the full state: pc, privilege,
   x1..x31, f0..f31 and the CSRs both show (regs.COMPARED_CSRS).
3. An instruction that reads a counter (cycle, time, instret, the hpm
   counters, or a load from the CLINT's mtime) gets QEMU's value: QEMU is
   brought to just after it, and its rd is copied into trapscope's. These
   synchronisations are listed in the report.
4. At the first difference (a pc, or a state at a checkpoint) both machines
   are started afresh and brought back to the last checkpoint that matched,
   then stepped together comparing pc and integer registers (and the
   registers that differed) after every instruction, which pins down the
   first instruction whose effect differs.

Limits: interrupts arrive at different instructions on the two machines
(their clocks differ), so programs whose path depends on when an interrupt
lands cannot be compared; such ISA tests are left out (guests.TIMING_DEPENDENT).
Counter reads are recognised by decoding the instruction at the pc, and a
load is recognised as an mtime read by its virtual address.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

from trapscope.tools.difftest import qemu as Q
from trapscope.tools.difftest import regs as R
from trapscope.tools.difftest.sides import OurSide, QemuSide, choose_checkpoint
from trapscope.tools.difftest.trace import Trace, record

WORK = Path(__file__).resolve().parents[2] / "build" / "difftest"
PLAIN, MAYBE_COUNTER, SYSTEM = 0, 1, 2


@dataclass
class Options:
    """What to compare and how."""

    elf: Path
    bios: str = Q.BIOS_NONE  # "none", "builtin" or a firmware file
    max_insns: int = 2_000_000
    interval: int = 10_000
    # (index, x register, value): corrupt trapscope's register before that instruction
    inject: tuple | None = None


@dataclass
class Sync:
    """A counter read whose value trapscope took from QEMU."""

    index: int
    pc: int
    rd: int
    value: int
    ours: int  # what trapscope had read


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
    reached: int = 0  # instructions compared (from reset)
    trace_length: int = 0
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
        self._decoded: Dict[int, Tuple[int, bool]] = {}

    # -- set-up -----------------------------------------------------------------
    def _qemu_args(self) -> List[str]:
        return Q.machine_args(self.opt.elf, self.opt.bios)

    def _start(self) -> None:
        self.qemu = QemuSide(self._qemu_args(), self.trace)
        self.ours = OurSide(self._make_machine(), self.trace)

    def _make_machine(self):
        from trapscope.machine.board import Machine
        from trapscope.machine.config import MachineConfig

        bios = self.opt.bios
        return Machine(MachineConfig(smp=1, mem_mib=Q.MEM_MIB, bios=bios, kernel=str(self.opt.elf),
                                     dtb=str(self.dtb), serial="none"))

    def _stop(self) -> None:
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
            self.trace = record(self._qemu_args() + ["-serial", "null"], self.opt.max_insns)
            self.report.trace_length = len(self.trace)
            self.report.qemu_exit = self.trace.exit_status
            self._compare()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _compare(self) -> None:
        try:
            self._start()
            assert self.qemu is not None and self.ours is not None
            self.names = self.ours.available(self.qemu.available(
                R.state_names(list(R.COMPARED_CSRS))))
            self.report.compared = self.names
            self._compare_all()
        finally:
            self._stop()

    def _end_index(self) -> int:
        """The last index both machines reach: the exiting instruction, or the limit."""
        n = len(self.trace)
        return n - 1 if not self.trace.truncated else min(n - 1, self.opt.max_insns)

    def _compare_all(self) -> None:
        assert self.qemu is not None and self.ours is not None
        end = self._end_index()
        differing = self._state_differs(0)
        if differing is not None:
            self._pinpoint(0, 0, differing)
            return
        checkpoint = choose_checkpoint(self.trace, 0, self.opt.interval, end) if end else 0
        vectors = self._vectors()
        i = 0
        pcs = self.trace.pcs
        ours = self.ours
        inject = self.opt.inject
        while i < end:
            if inject is not None and i == inject[0]:
                ours.write_gpr(inject[1], inject[2])
            pc = ours.pc()
            if pc != pcs[i]:
                self._pinpoint(self.good, i, [])
                return
            bits, kind = self._decode(pc)
            rd = R.counter_read(bits, ours.read_gpr) if kind == MAYBE_COUNTER else None
            if rd is not None:
                self._sync_counter(i, pc, rd)
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
            differing = self._state_differs(i)
            if differing is not None:
                self._pinpoint(self.good, i, differing)
                return
            if i >= checkpoint:
                checkpoint = choose_checkpoint(self.trace, i, self.opt.interval, end) if i < end else end
        self.report.reached = end
        self._finish(end)

    def _vectors(self) -> Tuple[int, int]:
        """trapscope's trap entry points (mtvec and stvec bases): the state is
        compared on entering a handler, where traps leave their marks."""
        assert self.ours is not None
        d = self.ours.debug
        return d.read_csr(0, 0x305) & ~3, d.read_csr(0, 0x105) & ~3

    def _finish(self, end: int) -> None:
        """Both at the last index: compare, then let trapscope execute the last instruction."""
        assert self.qemu is not None and self.ours is not None
        if self.qemu.index < end:
            self.qemu.advance(end)
        differing = self._state_differs(end)
        if differing is not None:
            self._pinpoint(self.good, end, differing)
            return
        if self.trace.truncated:
            self.report.ended = "limit"
            return
        from trapscope.machine.debug import StopReason

        stop = self.ours.step()
        self.report.reached = end + 1
        self.report.ended = "exit"
        self.report.our_exit = stop.exit_code if stop.reason is StopReason.EXITED else None
        if self.report.our_exit is None:
            self.report.divergence = Divergence(
                end + 1, self.trace.pcs[end], self.ours.fetch(self.trace.pcs[end]), [],
                f"QEMU ended the run here (status {self.trace.exit_status}); trapscope went on "
                f"({stop.reason.value} at pc {stop.pc:#x})")

    # -- counters -----------------------------------------------------------------
    def _decode(self, pc: int) -> Tuple[int, int]:
        """(instruction bits, kind) at pc, decoded once per pc: MAYBE_COUNTER for
        CSR accesses and loads (which may read a counter), SYSTEM for other
        system instructions (which may change a trap vector), else PLAIN."""
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

    def _sync_counter(self, i: int, pc: int, rd: int) -> None:
        """Execute trace[i] on both; trapscope's rd takes QEMU's value."""
        assert self.qemu is not None and self.ours is not None
        if self.qemu.index < i:
            self.qemu.advance(i)
        self.qemu.step()
        value = self.qemu.read_gpr(rd)
        self.ours.step()
        mine = self.ours.read_gpr(rd)
        self.ours.write_gpr(rd, value)
        self.report.syncs.append(Sync(i, pc, rd, value, mine))

    # -- comparing -------------------------------------------------------------------
    def _state_differs(self, index: int) -> List[Tuple[str, int, int | None]] | None:
        """Compare the full state at `index` (both sides there); None when equal."""
        assert self.qemu is not None and self.ours is not None
        q = self.qemu.read_state(self.names)
        o = self.ours.read_state(self.names)
        names = R.diff(q, o, self.names)
        if not names:
            self.good = index
            return None
        return [(n, q[n], o.get(n)) for n in names]

    def _pinpoint(self, good: int, bad: int, differing: List[Tuple[str, int, int | None]]) -> None:
        """Replay both to `good`, then step together to the first difference."""
        from trapscope.tools.difftest.pinpoint import pinpoint

        self._stop()
        self._start()
        suspects = [n for n, _, _ in differing if n != "pc" and n not in R.GPR_NAMES]
        self.report.divergence = pinpoint(self, good, bad, suspects)
        self.report.reached = self.report.divergence.index
        self.report.ended = "divergence"
