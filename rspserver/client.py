"""A small synchronous RSP client: for tests, benchmarks and scripted sessions.

It speaks to any gdbstub (trapscope's, QEMU's) over TCP with the same
framing layer the server uses. `request` sends a packet and returns the
reply, collecting ``O`` console output on the way; `stop_reply` waits for
the stop after a resume.
"""

from __future__ import annotations

import socket
import time
from typing import Dict, List, Tuple

from trapscope.rspserver import framing


class RspError(Exception):
    """The connection broke, timed out, or the stub answered with an error."""


class StopReply:
    """A parsed stop reply (``T``/``S``/``W``/``X``)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.kind = raw[:1].decode()
        self.signal = int(raw[1:3], 16) if len(raw) >= 3 else 0
        self.fields: Dict[str, str] = {}
        if self.kind == "T":
            for item in raw[3:].decode().split(";"):
                key, sep, value = item.partition(":")
                if sep:
                    self.fields[key] = value

    @property
    def thread(self) -> int | None:
        value = self.fields.get("thread")
        return None if value is None else int(value.split(".")[-1], 16)

    @property
    def exited(self) -> bool:
        return self.kind in ("W", "X")

    def register(self, regno: int) -> int | None:
        value = self.fields.get(f"{regno:x}")
        return None if value is None else int.from_bytes(bytes.fromhex(value), "little")

    def __repr__(self) -> str:
        return f"StopReply({self.raw!r})"


class RspClient:
    """One connection to a gdbstub."""

    def __init__(self, host: str, port: int, *, timeout: float = 10.0, no_ack: bool = True,
                 connect_timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.sock = _connect(host, port, connect_timeout)
        self.sock.settimeout(timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.framer = framing.Framer(max_packet=1 << 22)
        self._events: List[object] = []
        self._ack_due = False  # a '+' owed for the last packet, sent with the next packet
        self.ack_mode = True
        self.output: List[str] = []  # text of O packets received so far
        self.features: Dict[str, str] = {}
        self.sock.sendall(b"+")
        self._handshake(no_ack)

    def _handshake(self, no_ack: bool) -> None:
        reply = self.request(b"qSupported:swbreak+;hwbreak+;vContSupported+")
        for item in reply.decode().split(";"):
            name, eq, value = item.partition("=")
            if eq:
                self.features[name] = value
            elif item:
                self.features[item[:-1]] = item[-1:]
        if no_ack and self.features.get("QStartNoAckMode") == "+":
            if self.request(b"QStartNoAckMode") == b"OK":
                self.ack_mode = False
                self.framer.verify = False  # allowed in no-ack mode; the sum is costly in Python

    # -- packets --------------------------------------------------------------------
    def send(self, body: bytes) -> None:
        """Send one packet (and, in ack mode, wait for its '+')."""
        wire = framing.frame(body)
        if self._ack_due:
            wire = b"+" + wire
            self._ack_due = False
        try:
            self.sock.sendall(wire)
        except OSError as exc:
            raise RspError(f"connection lost: {exc}") from None
        if self.ack_mode:
            self._wait_ack()

    def request(self, body: bytes) -> bytes:
        """Send a packet and return its reply (``O`` packets are collected in `output`)."""
        self.send(body)
        return self.read_reply()

    def read_reply(self) -> bytes:
        while True:
            data = self.read_packet()
            if data.startswith(b"O") and data != b"OK" and _is_hex(data[1:]):
                self.output.append(bytes.fromhex(data[1:].decode()).decode("utf-8", "replace"))
                continue
            return data

    def read_packet(self) -> bytes:
        """The next packet from the stub."""
        while True:
            event = self._next_event()
            if isinstance(event, framing.Packet):
                if self.ack_mode:
                    self._ack_due = True
                return event.data
            if isinstance(event, framing.Malformed):
                raise RspError(f"malformed packet from the stub: {event.reason}")

    def _wait_ack(self) -> None:
        while True:
            event = self._peek_event()
            if isinstance(event, framing.Ack):
                self._events.pop(0)
                if not event.ok:
                    raise RspError("the stub asked for a retransmission")
                return
            if isinstance(event, framing.Packet):
                return  # a reply without an ack: the stub is in no-ack mode already
            self._events.pop(0)

    def _peek_event(self) -> object:
        while not self._events:
            self._events += self.framer.feed(self._recv())
        return self._events[0]

    def _next_event(self) -> object:
        self._peek_event()
        return self._events.pop(0)

    def _recv(self) -> bytes:
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            raise RspError("timed out waiting for the stub") from None
        except OSError as exc:
            raise RspError(f"connection lost: {exc}") from None
        if not data:
            raise RspError("the stub closed the connection")
        return data

    def interrupt(self) -> None:
        """Send Ctrl-C (0x03)."""
        self.sock.sendall((b"+" if self._ack_due else b"") + b"\x03")
        self._ack_due = False

    # -- conveniences ---------------------------------------------------------------
    def stop_reply(self) -> StopReply:
        return StopReply(self.read_reply())

    def resume(self, body: bytes) -> StopReply:
        """Send a resume packet (``c``, ``vCont;...``) and wait for the stop."""
        self.send(body)
        return self.stop_reply()

    def read_registers(self) -> List[int]:
        data = bytes.fromhex(self.checked(self.request(b"g")).decode())
        return [int.from_bytes(data[i : i + 8], "little") for i in range(0, len(data), 8)]

    def read_register(self, regno: int) -> int:
        data = bytes.fromhex(self.checked(self.request(b"p%x" % regno)).decode())
        return int.from_bytes(data, "little")

    def read_memory(self, addr: int, length: int) -> bytes:
        return bytes.fromhex(self.checked(self.request(b"m%x,%x" % (addr, length))).decode())

    def write_memory(self, addr: int, data: bytes) -> None:
        self.checked(self.request(b"M%x,%x:%s" % (addr, len(data), data.hex().encode())))

    def monitor(self, line: str) -> str:
        """Run a monitor command; its output."""
        self.output.clear()
        self.checked(self.request(b"qRcmd," + line.encode().hex().encode()))
        return "".join(self.output)

    @staticmethod
    def checked(reply: bytes) -> bytes:
        if reply.startswith(b"E") and len(reply) in (3,) or reply.startswith(b"E."):
            raise RspError(f"the stub answered {reply.decode(errors='replace')}")
        return reply

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> RspClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_hex(data: bytes) -> bool:
    return len(data) % 2 == 0 and not data.translate(None, b"0123456789abcdefABCDEF")


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection((host, port), timeout=timeout)
        except OSError:
            if time.monotonic() > deadline:
                raise RspError(f"cannot connect to {host}:{port}") from None
            time.sleep(0.02)


def parse_address(text: str) -> Tuple[str, int]:
    """``HOST:PORT`` to a pair."""
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)
