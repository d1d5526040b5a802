"""Breakpoints and watchpoints: Z0-Z4 and z0-z4, kept by the target (memory is never patched)."""

from __future__ import annotations

from trapscope.rspserver import packets as p
from trapscope.rspserver.replies import EMPTY, OK, error
from trapscope.rspserver.target import EINVAL, WatchType


def breakpoint_packet(session, packet: p.Breakpoint) -> bytes:
    ops = session.target.breakpoints()
    if ops is None:
        return EMPTY
    if packet.type == 0:
        fn = ops.add_sw_breakpoint if packet.insert else ops.remove_sw_breakpoint
        ok = fn(packet.addr, packet.kind)
    elif packet.type == 1:
        fn = ops.add_hw_breakpoint if packet.insert else ops.remove_hw_breakpoint
        ok = fn(packet.addr, packet.kind)
    else:
        if packet.kind == 0 or packet.addr + packet.kind > 1 << 64:
            return error(EINVAL)
        fn = ops.add_watchpoint if packet.insert else ops.remove_watchpoint
        ok = fn(packet.addr, packet.kind, WatchType(packet.type))
    return OK if ok else error(EINVAL)


HANDLERS = {"Z": breakpoint_packet, "z": breakpoint_packet}
