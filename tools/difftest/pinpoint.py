"""Pinning down the first instruction whose effect differs.

Both machines are started afresh and brought to the last index where their
full states matched (replaying the synchronisations on the way), then
stepped together; after every instruction the pc, the integer registers and
the registers that differed at the failed comparison are compared. The
first index where any of them differ is the divergence, and the instruction
before it is the culprit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from trapscope.tools.difftest import regs as R
from trapscope.tools.difftest import syncs as S
from trapscope.tools.difftest.model import Divergence

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.tools.difftest.engine import Differing, Difftest


def _replay_to(dt: Difftest, good: int) -> None:
    """Both from index 0 to `good`, fast, stepping only where something was synced or injected."""
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    stops = {k for k in dt.events if k < good}
    if dt.opt.inject is not None and dt.opt.inject[0] < good:
        stops.add(dt.opt.inject[0])
    for index in sorted(stops):
        if q.index < index:
            q.advance(index)
            o.advance(index)
        S.replay(dt)
    if q.index < good:
        q.advance(good)
        o.advance(good)


def _quick_diff(dt: Difftest, suspects: List[str]) -> bool:
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    pc, x = q.gprs()
    if pc != o.pc() or any(x[i] != o.read_gpr(i) for i in range(1, 32)):
        return True
    if suspects:
        return bool(R.diff(q.read_state(suspects), o.read_state(suspects), suspects))
    return False


def _full_diff(dt: Difftest) -> Differing:
    q, o = dt.qemu, dt.ours
    assert q is not None and o is not None
    qs, os_ = q.read_state(dt.names), o.read_state(dt.names)
    return [(n, qs[n], os_.get(n)) for n in R.diff(qs, os_, dt.names)]


def pinpoint(dt: Difftest, good: int, bad: int, suspects: List[str]) -> Divergence:
    """The first divergence in (good, bad] (or at good = bad = 0: the start).

    `suspects` are the registers besides pc and x1..x31 to watch at every step."""
    _replay_to(dt, good)
    first = _full_diff(dt)
    if first or bad <= good:
        return Divergence(good, dt.trace.pcs[max(good - 1, 0)], _bits(dt, max(good - 1, 0)), first,
                          "the states differ" + (" at the start" if good == 0 else ""))
    for k in range(good, bad):
        S.replay(dt)
        if _quick_diff(dt, suspects):
            differing = _full_diff(dt)
            what = ("pc differs: trapscope went elsewhere"
                    if any(name == "pc" for name, _, _ in differing) else "registers differ")
            return Divergence(k + 1, dt.trace.pcs[k], _bits(dt, k), differing, what)
    return Divergence(bad, dt.trace.pcs[bad - 1], _bits(dt, bad - 1), [],
                      "a difference seen in the first pass did not come back on replay")


def _bits(dt: Difftest, index: int) -> int:
    """The instruction at trace[index], read from QEMU (0 when unreadable)."""
    assert dt.qemu is not None
    try:
        data = dt.qemu.read_memory(dt.trace.pcs[index], 4)
    except Exception:  # noqa: BLE001 - an unreadable pc shows as 0
        return 0
    return int.from_bytes(data, "little")
