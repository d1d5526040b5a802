"""Memory: m, M, X (through the Hg thread's translation, or physical with `monitor phys on`)."""

from __future__ import annotations

from trapscope.rspserver import packets as p
from trapscope.rspserver.replies import OK, PACKET_SIZE, error
from trapscope.rspserver.target import EFAULT, EINVAL

#: the most bytes one ``m`` reply carries (two hex digits each)
MAX_READ = PACKET_SIZE // 2 - 16


def read_memory(session, packet: p.ReadMemory) -> bytes:
    if packet.length == 0:
        return error(EINVAL)
    length = min(packet.length, MAX_READ, (1 << 64) - packet.addr)
    thread = session.thread_for(session.g_thread)
    data = session.target.read_memory(thread, packet.addr, length, session.physical)
    if isinstance(data, int):
        return error(data)
    return data.hex().encode() if data else error(EFAULT)


def write_memory(session, packet: p.WriteMemory) -> bytes:
    if not packet.data:
        return OK  # gdb probes X support with a zero-length write
    if packet.addr + len(packet.data) > 1 << 64:
        return error(EFAULT)
    thread = session.thread_for(session.g_thread)
    errno = session.target.write_memory(thread, packet.addr, packet.data, session.physical)
    return error(errno) if errno else OK


HANDLERS = {"m": read_memory, "M": write_memory, "X": write_memory}
