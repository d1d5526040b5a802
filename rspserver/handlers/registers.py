"""Registers: g, G, p, P (through the thread selected with Hg)."""

from __future__ import annotations

from trapscope.rspserver import packets as p
from trapscope.rspserver.replies import error
from trapscope.rspserver.target import EINVAL


def _thread(session) -> int:
    return session.thread_for(session.g_thread)


def read_registers(session, packet: p.NoArgs) -> bytes:
    return session.target.read_registers(_thread(session)).hex().encode()


def write_registers(session, packet: p.WriteRegisters) -> bytes:
    return b"OK" if session.target.write_registers(_thread(session), packet.data) else error(EINVAL)


def read_register(session, packet: p.ReadRegister) -> bytes:
    value = session.target.read_register(_thread(session), packet.regno)
    return error(EINVAL) if value is None else value.hex().encode()


def write_register(session, packet: p.WriteRegister) -> bytes:
    ok = session.target.write_register(_thread(session), packet.regno, packet.data)
    return b"OK" if ok else error(EINVAL)


HANDLERS = {"g": read_registers, "G": write_registers, "p": read_register, "P": write_register}
