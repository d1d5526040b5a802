"""Pinning down the first instruction whose effect differs.

Both machines are started afresh and brought to the last index where their
full states matched (replaying the counter synchronisations on the way),
then stepped together; after every instruction the pc, the integer
registers and the registers that differed at the failed comparison are
compared. The first index where any of them differ is the divergence, and
the instruction before it is the culprit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple

from trapscope.tools.difftest import regs as R
from trapscope.tools.difftest.engine import Divergence, Sync

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.tools.difftest.engine import Difftest


def _replay_to(dt: Difftest, good: int, syncs: Dict[int, Sync]) -> None:
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    inject = dt.opt.inject
    events = set(k for k in syncs if k < good)
    if inject is not None and inject[0] < good:
        events.add(inject[0])
    for index in sorted(events):
        if q.index < index:
            q.advance(index)
            o.advance(index)
        _step_both(dt, syncs)
    if q.index < good:
        q.advance(good)
        o.advance(good)


def _step_both(dt: Difftest, syncs: Dict[int, Sync]) -> None:
    """One instruction on both; a counter read gets QEMU's value."""
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    sync = syncs.get(q.index)
    inject = dt.opt.inject
    if inject is not None and q.index == inject[0]:
        o.write_gpr(inject[1], inject[2])
    q.step()
    o.step()
    if sync is not None:
        o.write_gpr(sync.rd, q.read_gpr(sync.rd))


def _quick_diff(dt: Difftest, suspects: List[str]) -> bool:
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    pc, x = q.gprs()
    if pc != o.pc() or any(x[i] != o.read_gpr(i) for i in range(1, 32)):
        return True
    if suspects:
        return bool(R.diff(q.read_state(suspects), o.read_state(suspects), suspects))
    return False


def _full_diff(dt: Difftest, names: List[str]) -> List[Tuple[str, int, int | None]]:
    q, o = dt.qemu, dt.ours
    qs, os_ = q.read_state(names), o.read_state(names)
    return [(n, qs[n], os_.get(n)) for n in R.diff(qs, os_, names)]


def pinpoint(dt: Difftest, good: int, bad: int, suspects: List[str]) -> Divergence:
    """The first divergence in (good, bad] (or at good = bad = 0: the reset state).

    `suspects` are the registers besides pc and x1..x31 to watch at every step."""
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    syncs = {s.index: s for s in dt.report.syncs}
    _replay_to(dt, good, syncs)
    first = _full_diff(dt, dt.names)
    if first or bad <= good:
        return Divergence(good, dt.trace.pcs[max(good - 1, 0)], _bits(dt, max(good - 1, 0)), first,
                          "the states differ" + (" at reset" if good == 0 else ""))
    for k in range(good, bad):
        _step_both(dt, syncs)
        if _quick_diff(dt, suspects):
            differing = _full_diff(dt, dt.names)
            what = ("pc differs: trapscope went elsewhere"
                    if any(name == "pc" for name, _, _ in differing) else "registers differ")
            return Divergence(k + 1, dt.trace.pcs[k], _bits(dt, k), differing, what)
    return Divergence(bad, dt.trace.pcs[bad - 1], _bits(dt, bad - 1), [],
                      "a difference seen in the first pass did not come back on replay")


def _bits(dt: Difftest, index: int) -> int:
    """The instruction at trace[index], read from QEMU."""
    assert dt.qemu is not None
    try:
        data = dt.qemu.read_memory(dt.trace.pcs[index], 4)
    except Exception:  # noqa: BLE001 - an unreadable pc shows as 0
        return 0
    return int.from_bytes(data, "little")
