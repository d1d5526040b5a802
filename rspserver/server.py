"""The RSP server on asyncio: one listening socket, one client at a time.

This is the only module that touches asyncio. Each connection feeds a
`Session`; the machine runs through a `Controller` whose long runs happen in
the machine thread and come back to the event loop with
`call_soon_threadsafe`.

A second client while one is attached is told so (an ``E.`` error reply to
its first packet, which gdb prints) and disconnected; the first is not
disturbed. When a client leaves, even in the middle of a run, the machine
stops and keeps its state, and the next client can attach.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Tuple

from trapscope.rspserver import framing
from trapscope.rspserver.control import Controller
from trapscope.rspserver.session import Session
from trapscope.rspserver.target import MonitorRunner, StopKind, Target

log = logging.getLogger("trapscope.rspserver")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 1234
#: how long a refused second client may take to send its first packet
REFUSE_TIMEOUT = 5.0


def parse_listen(text: str) -> Tuple[str, int]:
    """``HOST:PORT``, ``:PORT`` or ``PORT`` (``[::1]:PORT`` for IPv6); ValueError if bad."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    host = host.strip("[]") or DEFAULT_HOST
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"bad port in {text!r} (want HOST:PORT)")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """True if `host` names only this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RspServer:
    """Serves one target to gdb clients, one at a time."""

    def __init__(self, target: Target, monitor: MonitorRunner | None = None) -> None:
        self.target = target
        self.monitor = monitor
        self.controller: Controller | None = None
        self.active: _Connection | None = None
        self.address: Tuple[str, int] | None = None
        self._server: asyncio.base_events.Server | None = None

    async def start(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Tuple[str, int]:
        """Bind and listen; returns the address actually bound (port 0 picks one)."""
        loop = asyncio.get_running_loop()
        if self.controller is None:
            self.controller = Controller(self.target, loop.call_soon_threadsafe)
        self._server = await loop.create_server(lambda: _Connection(self), host, port,
                                                reuse_address=True)
        bound = self._server.sockets[0].getsockname()
        self.address = (bound[0], bound[1])
        if not is_loopback(host):
            log.warning("listening on %s:%d: anyone who can reach this port controls the machine",
                        host, self.address[1])
        log.info("gdb server listening on %s:%d", host, self.address[1])
        return self.address

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    def close(self) -> None:
        """Stop listening, drop the client, and stop the machine thread."""
        if self._server is not None:
            self._server.close()
        if self.active is not None:
            self.active.abort()
        if self.controller is not None:
            self.controller.close()


class _Connection(asyncio.Protocol):
    """One TCP connection: a session, or a refusal."""

    def __init__(self, server: RspServer) -> None:
        self.server = server
        self.session: Session | None = None
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self._refuse_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        server = self.server
        if server.active is not None:
            log.warning("refused %s: %s is already attached", self.peer, server.active.peer)
            loop = asyncio.get_running_loop()
            self._refuse_timer = loop.call_later(REFUSE_TIMEOUT, transport.close)
            return
        server.active = self
        assert server.controller is not None
        last = server.controller.last_stop
        if last is not None and last.kind is StopKind.EXITED and not server.controller.running:
            server.controller.reset()
            log.info("the guest had exited: machine reset for the new client")
        self.session = Session(server.target, server.controller, transport.write, transport.close,
                               monitor=server.monitor, peer=self.peer)
        log.info("gdb client %s attached", self.peer)

    def data_received(self, data: bytes) -> None:
        if self.session is not None:
            self.session.feed(data)
        else:
            self._refuse(data)

    def _refuse(self, data: bytes) -> None:
        if not any(isinstance(e, framing.Packet) for e in framing.Framer().feed(data)):
            return
        assert self.transport is not None
        active = self.server.active.peer if self.server.active else "another client"
        message = (f"trapscope: another debugger ({active}) is attached to this machine; "
                   "only one client at a time").encode()
        self.transport.write(b"+" + framing.frame(b"E." + message))
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._refuse_timer is not None:
            self._refuse_timer.cancel()
        if self.session is None:
            return
        self.session.disconnected()
        if self.server.active is self:
            self.server.active = None
        log.info("gdb client %s detached", self.peer)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
