"""An in-process RSP session over a real machine: packets in, replies out, no socket.

The session, controller and target are the server's own; only the transport
is replaced by byte buffers, and the event loop's `call_soon_threadsafe` by
a queue the test thread drains.
"""

from __future__ import annotations

import queue
from pathlib import Path
from typing import Callable, List

from trapscope.machine.board import Machine
from trapscope.machine.config import MachineConfig
from trapscope.rspserver import framing
from trapscope.rspserver.control import Controller
from trapscope.rspserver.machine_target import MachineTarget
from trapscope.rspserver.session import Session
from trapscope.tools.monitor import Monitor, default_registry


def make_machine(elf: Path, smp: int = 2, mem_mib: int = 16) -> Machine:
    """A machine running the guest. Small RAM: a machine's RAM is zero-filled (so
    resident) and machines are freed only by the cyclic garbage collector."""
    return Machine(MachineConfig(smp=smp, mem_mib=mem_mib, bios="none", kernel=str(elf),
                                 serial="none"))


class Wire:
    """A session on a machine, driven by packets."""

    def __init__(self, machine: Machine, no_ack: bool = True) -> None:
        self.machine = machine
        self.debug = machine.debug
        self.target = MachineTarget(machine.debug)
        self.posted: queue.Queue[Callable[[], None]] = queue.Queue()
        self.controller = Controller(self.target, self.posted.put)
        self.monitor = Monitor(default_registry(), machine.debug, machine, reset=self.controller.reset)
        self.sent = bytearray()
        self.closed = False
        self.session = self.new_session()
        self._framer = framing.Framer(max_packet=1 << 22)
        self._events: List[object] = []
        if no_ack:
            assert self.request(b"QStartNoAckMode") == b"OK"
            self.sent.clear()

    def new_session(self) -> Session:
        self.closed = False
        return Session(self.target, self.controller, self.sent.extend, self._close, monitor=self.monitor)

    def _close(self) -> None:
        self.closed = True

    # -- traffic -----------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        self.session.feed(data)

    def send(self, body: bytes) -> None:
        self.feed(framing.frame(body))

    def packets(self) -> List[bytes]:
        """Every packet the session sent since the last call (acks dropped)."""
        events = self._framer.feed(bytes(self.sent))
        self.sent.clear()
        return [e.data for e in events if isinstance(e, framing.Packet)]

    def raw(self) -> bytes:
        data = bytes(self.sent)
        self.sent.clear()
        return data

    def request(self, body: bytes) -> bytes:
        """Send one packet; its one reply (O packets are dropped; see `request_all`)."""
        replies = [p for p in self.request_all(body) if not _is_output(p)]
        assert len(replies) == 1, replies
        return replies[0]

    def request_all(self, body: bytes, timeout: float = 30) -> List[bytes]:
        self.send(body)
        return self.packets()

    def pump(self, timeout: float = 30) -> None:
        """Run one callback the machine thread posted (a stop)."""
        self.posted.get(timeout=timeout)()

    def resume(self, body: bytes, timeout: float = 60) -> bytes:
        """A resume packet; waits for the stop reply and returns it."""
        self.send(body)
        got = [p for p in self.packets() if not _is_output(p)]
        while not got:
            self.pump(timeout)
            got = [p for p in self.packets() if not _is_output(p)]
        assert len(got) == 1, got
        return got[0]

    def monitor_output(self, line: str) -> str:
        replies = self.request_all(b"qRcmd," + line.encode().hex().encode())
        assert replies[-1] == b"OK", replies
        return "".join(bytes.fromhex(p[1:].decode()).decode() for p in replies[:-1])

    # -- conveniences ------------------------------------------------------------
    def registers(self) -> List[int]:
        data = bytes.fromhex(self.request(b"g").decode())
        return [int.from_bytes(data[i : i + 8], "little") for i in range(0, len(data), 8)]

    def reg(self, regno: int) -> int:
        return int.from_bytes(bytes.fromhex(self.request(b"p%x" % regno).decode()), "little")

    def close(self) -> None:
        self.session.disconnected()
        self.controller.close()
        self.machine.close()


def _is_output(packet: bytes) -> bool:
    return packet.startswith(b"O") and packet != b"OK"


def stop_fields(reply: bytes) -> dict:
    """The key:value pairs of a T stop reply."""
    out = {}
    for item in reply[3:].decode().split(";"):
        key, sep, value = item.partition(":")
        if sep:
            out[key] = value
    return out


def le64(value: int) -> bytes:
    return value.to_bytes(8, "little").hex().encode()


def first(items: List[bytes], prefix: bytes) -> bytes | None:
    return next((i for i in items if i.startswith(prefix)), None)
