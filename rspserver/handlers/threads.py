"""Threads (one per hart): H, T, qC, qfThreadInfo/qsThreadInfo, qThreadExtraInfo."""

from __future__ import annotations

from trapscope.rspserver import packets as p
from trapscope.rspserver.replies import OK, error, hex_text
from trapscope.rspserver.target import EINVAL


def set_thread(session, packet: p.SetThread) -> bytes:
    if packet.thread > 0 and packet.thread not in session.target.threads():
        return error(EINVAL)
    if packet.op == "g":
        session.g_thread = packet.thread
    else:
        session.c_thread = packet.thread
    return OK


def thread_alive(session, packet: p.Thread) -> bytes:
    return OK if packet.thread in session.target.threads() else error(EINVAL)


def current_thread(session, packet: p.NoArgs) -> bytes:
    return b"QC%x" % session.thread_for(p.ANY_THREAD)


def first_thread_info(session, packet: p.NoArgs) -> bytes:
    return b"m" + b",".join(b"%x" % t for t in session.target.threads())


def next_thread_info(session, packet: p.NoArgs) -> bytes:
    return b"l"


def thread_extra_info(session, packet: p.Thread) -> bytes:
    if packet.thread not in session.target.threads():
        return error(EINVAL)
    return hex_text(session.target.thread_extra_info(packet.thread))


HANDLERS = {
    "H": set_thread,
    "T": thread_alive,
    "qC": current_thread,
    "qfThreadInfo": first_thread_info,
    "qsThreadInfo": next_thread_info,
    "qThreadExtraInfo": thread_extra_info,
}
