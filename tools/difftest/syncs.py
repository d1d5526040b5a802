"""Values trapscope takes from QEMU, because the two may legitimately differ.

- A counter read (cycle, time, instret, the hpm counters, a load from the
  CLINT's mtime): the clocks of two machines are not the same.
- With --bios builtin, an SBI call's results (a0, a1) and, at the S-mode
  entry, the registers and the device tree the firmware hands over: the
  firmwares are not the same.

Each is executed on both machines, then QEMU's value is written into
trapscope's register, recorded in the report, and replayed the same way when
the run is replayed (pinpoint.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from trapscope.tools.difftest import regs as R
from trapscope.tools.difftest.model import Sync

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.tools.difftest.engine import Difftest

ECALL = 0x00000073
PRV_S = 1
FDT_MAGIC = 0xD00DFEED


def sync_instruction(dt: Difftest, index: int, pc: int, bits: int) -> bool:
    """Execute instruction `index` on both and copy QEMU's results into
    trapscope when it needs that; False (nothing done) otherwise."""
    assert dt.ours is not None
    rd = R.counter_read(bits, dt.ours.read_gpr)
    if rd is not None:
        _execute_and_copy(dt, index, pc, [rd], "counter")
        return True
    pcs = dt.trace.pcs
    if (dt.opt.firmware_hidden and bits == ECALL and index + 1 < len(pcs) and pcs[index + 1] == pc + 4
            and dt.ours.debug.read_priv(0) == PRV_S):
        _execute_and_copy(dt, index, pc, [10, 11], "sbi")
        return True
    return False


def _execute_and_copy(dt: Difftest, index: int, pc: int, regs: List[int], why: str) -> None:
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    if q.index < index:
        q.advance(index)
    q.step()
    values = [q.read_gpr(r) for r in regs]
    o.step()
    for reg, value in zip(regs, values):
        sync = Sync(index, pc, reg, value, o.read_gpr(reg), why)
        o.write_gpr(reg, value)
        dt.report.syncs.append(sync)
        dt.events.setdefault(index, []).append(sync)


def replay(dt: Difftest) -> None:
    """Step both once; if the instruction had a sync, copy QEMU's values again."""
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    events = dt.events.get(q.index, ())
    dt.inject_at(q.index)
    q.step()
    o.step()
    for sync in events:
        o.write_gpr(sync.rd, q.read_gpr(sync.rd))


def sync_entry(dt: Difftest) -> None:
    """--bios builtin, at the S-mode entry: trapscope takes QEMU's x1..x31,
    f0..f31 and the device tree QEMU's firmware passes in a1 (copied to the
    same address). (A Sync's rd is 32 + n for fn.)"""
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    first = not any(s.why == "entry" for s in dt.report.syncs)
    pc, x = q.gprs()
    for reg in range(1, 32):
        mine = o.read_gpr(reg)
        if mine != x[reg] and first:
            dt.report.syncs.append(Sync(0, pc, reg, x[reg], mine, "entry"))
        o.write_gpr(reg, x[reg])
    for reg, name in enumerate(R.FPR_NAMES):
        value = q.read_state([name])[name]
        mine = o.debug.read_fpr(0, reg)
        if mine != value and first:
            dt.report.syncs.append(Sync(0, pc, 32 + reg, value, mine, "entry"))
        o.debug.write_fpr(0, reg, value)
    header = q.read_memory(x[11], 8)
    if int.from_bytes(header[:4], "big") == FDT_MAGIC:
        blob = q.read_memory(x[11], int.from_bytes(header[4:8], "big"))
        o.debug.write_memory(0, x[11], blob, physical=True)
