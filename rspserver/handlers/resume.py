"""Resuming and stopping: c, s, C, S, vCont?, vCont, and the stop replies."""

from __future__ import annotations

import functools
from typing import Dict, FrozenSet, List, Tuple

from trapscope.rspserver import packets as p
from trapscope.rspserver.replies import error
from trapscope.rspserver.target import EINVAL, ResumePlan, StopEvent, StopKind

_REASONS = {
    StopKind.WATCH: b"watch",
    StopKind.RWATCH: b"rwatch",
    StopKind.AWATCH: b"awatch",
}


def format_stop(session, stop: StopEvent) -> bytes:
    """A ``T`` stop reply with the thread, the reason and the expedited registers; ``W`` on exit."""
    if stop.kind is StopKind.EXITED:
        return b"W%02x" % (stop.exit_code & 0xFF)
    parts: List[bytes] = [b"T%02x" % stop.signal]
    reason = _REASONS.get(stop.kind)
    if reason is not None:
        parts.append(b"%s:%x;" % (reason, stop.addr or 0))
    elif stop.kind is StopKind.SW_BREAK and b"swbreak+" in session.gdb_features:
        parts.append(b"swbreak:;")
    elif stop.kind is StopKind.HW_BREAK and b"hwbreak+" in session.gdb_features:
        parts.append(b"hwbreak:;")
    parts.append(b"thread:%x;" % stop.thread)
    regnos, size, block = session.target.expedited_registers(stop.thread)
    parts.append(_expedite_format(tuple(regnos)) % tuple(block.hex(";", size).encode().split(b";")))
    return b"".join(parts)


@functools.lru_cache(maxsize=8)
def _expedite_format(regnos: Tuple[int, ...]) -> bytes:
    """``0:%s;1:%s;...`` for these register numbers (filled with hex values)."""
    return "".join(f"{regno:x}:%s;" for regno in regnos).encode()





def resume(session, packet: p.Resume) -> bytes | None:
    thread = session.thread_for(session.c_thread)
    if packet.addr is not None and not session.target.write_pc(thread, packet.addr):
        return error(EINVAL)
    if packet.step:
        plan = ResumePlan(thread, frozenset())
    else:
        plan = ResumePlan(None, frozenset(session.target.threads()))
    return session.start_resume(plan)


def vcont_query(session, packet: p.NoArgs) -> bytes:
    return b"vCont;c;C;s;S;t"


@functools.lru_cache(maxsize=64)
def plan_for(actions: Tuple[p.VContAction, ...], threads: Tuple[int, ...]) -> ResumePlan | None:
    """Each thread takes the first action that names it or names no thread."""
    chosen: Dict[int, str] = {}
    for thread in threads:
        for action in actions:
            if action.thread is None or action.thread == thread:
                chosen[thread] = action.action
                break
    steps = [t for t, a in chosen.items() if a == "s"]
    running: FrozenSet[int] = frozenset(t for t, a in chosen.items() if a == "c")
    if not steps and not running:
        return None
    return ResumePlan(steps[0] if steps else None, running)


def vcont(session, packet: p.VCont) -> bytes | None:
    plan = plan_for(packet.actions, tuple(session.target.threads()))
    if plan is None:
        return error(EINVAL)
    return session.start_resume(plan)


HANDLERS = {
    "c": resume,
    "s": resume,
    "C": resume,
    "S": resume,
    "vCont?": vcont_query,
    "vCont": vcont,
}
