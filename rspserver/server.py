"""The RSP server on asyncio: one listening socket, one client at a time.

This is the only module that touches asyncio. Each connection feeds a
`Session`; the machine runs through a `Controller` whose long runs happen in
the machine thread and come back to the event loop with
`call_soon_threadsafe`.

Sockets are served with `loop.add_reader`/`add_writer` on non-blocking
sockets rather than asyncio's Transport/Protocol pair: per-packet latency
decides how fast gdb steps, and the transport layer costs about a third of
a loopback round trip. Replies are sent at once; what the socket cannot
take is queued and flushed when it becomes writable.

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
from typing import List, Tuple

from trapscope.rspserver import framing
from trapscope.rspserver.control import Controller
from trapscope.rspserver.session import Session
from trapscope.rspserver.target import MonitorRunner, StopKind, Target

log = logging.getLogger("trapscope.rspserver")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 1234
#: how long a refused second client may take to send its first packet
REFUSE_TIMEOUT = 5.0
RECV_SIZE = 1 << 18


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
        self.active: Connection | None = None
        self.address: Tuple[str, int] | None = None
        self._listener: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed: asyncio.Event | None = None
        self._refused: List[Connection] = []

    async def start(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> Tuple[str, int]:
        """Bind and listen; returns the address actually bound (port 0 picks one)."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._closed = asyncio.Event()
        if self.controller is None:
            self.controller = Controller(self.target, loop.call_soon_threadsafe)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        infos = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
        listener = socket.socket(infos[0][0], socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(infos[0][4])
        listener.listen(8)
        listener.setblocking(False)
        self._listener = listener
        loop.add_reader(listener.fileno(), self._accept)
        bound = listener.getsockname()
        self.address = (bound[0], bound[1])
        if not is_loopback(host):
            log.warning("listening on %s:%d: anyone who can reach this port controls the machine",
                        host, self.address[1])
        log.info("gdb server listening on %s:%d", host, self.address[1])
        return self.address

    async def serve_forever(self) -> None:
        """Serve until `close`."""
        assert self._closed is not None
        await self._closed.wait()

    def _accept(self) -> None:
        assert self._listener is not None and self._loop is not None
        try:
            sock, peer = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn = Connection(self, self._loop, sock, peer)
        if self.active is not None:
            conn.refuse(self.active.peer)
        else:
            self.active = conn
            conn.attach()

    def connection_closed(self, conn: Connection) -> None:
        if self.active is conn:
            self.active = None

    def close(self) -> None:
        """Stop listening, drop the client, and stop the machine thread."""
        if self._listener is not None and self._loop is not None:
            self._loop.remove_reader(self._listener.fileno())
            self._listener.close()
            self._listener = None
        if self.active is not None:
            self.active.close()
        if self.controller is not None:
            self.controller.close()
        if self._closed is not None:
            self._closed.set()


class Connection:
    """One TCP connection: a session, or a refusal."""

    def __init__(self, server: RspServer, loop: asyncio.AbstractEventLoop,
                 sock: socket.socket, peer) -> None:
        self.server = server
        self.loop = loop
        self.sock = sock
        self.fd = sock.fileno()
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.session: Session | None = None
        self._out = bytearray()  # what the socket has not taken yet
        self._closing = False
        self._closed = False
        self._timer: asyncio.TimerHandle | None = None
        sock.setblocking(False)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- setting up ---------------------------------------------------------------
    def attach(self) -> None:
        server = self.server
        controller = server.controller
        assert controller is not None
        last = controller.last_stop
        if last is not None and last.kind is StopKind.EXITED and not controller.running:
            controller.reset()
            log.info("the guest had exited: machine reset for the new client")
        self.session = Session(server.target, controller, self.send, self.close,
                               monitor=server.monitor, peer=self.peer)
        self.loop.add_reader(self.fd, self._readable)
        log.info("gdb client %s attached", self.peer)

    def refuse(self, active_peer: str) -> None:
        """Answer the first packet with an error naming the attached client, then close."""
        log.warning("refused %s: %s is already attached", self.peer, active_peer)
        self._refusal = (f"trapscope: another debugger ({active_peer}) is attached to this "
                         "machine; only one client at a time").encode()
        self._framer = framing.Framer()
        self.loop.add_reader(self.fd, self._readable_refused)
        self._timer = self.loop.call_later(REFUSE_TIMEOUT, self.close)

    # -- input --------------------------------------------------------------------
    def _recv(self) -> bytes | None:
        try:
            data = self.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            data = b""
        if not data:
            self._lost()
            return None
        return data

    def _readable(self) -> None:
        data = self._recv()
        if data is not None and self.session is not None:
            self.session.feed(data)

    def _readable_refused(self) -> None:
        data = self._recv()
        if data is None:
            return
        if any(isinstance(e, framing.Packet) for e in self._framer.feed(data)):
            self.send(b"+" + framing.frame(b"E." + self._refusal))
            # Half-close and read until the peer closes: closing with unread
            # input would reset the connection and could lose the message.
            self.loop.remove_reader(self.fd)
            self.loop.add_reader(self.fd, self._drain_refused)
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                self._lost()

    def _drain_refused(self) -> None:
        self._recv()  # on end of file, _recv closes the connection

    # -- output -------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        if self._closed:
            return
        if not self._out:
            try:
                sent = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._lost()
                return
            if sent == len(data):
                return
            data = data[sent:]
            self.loop.add_writer(self.fd, self._writable)
        self._out += data

    def _writable(self) -> None:
        try:
            sent = self.sock.send(self._out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._lost()
            return
        del self._out[:sent]
        if not self._out:
            self.loop.remove_writer(self.fd)
            if self._closing:
                self._finish()

    # -- closing ------------------------------------------------------------------
    def close(self) -> None:
        """Close once the queued output is sent."""
        if self._closed:
            return
        self._closing = True
        self.loop.remove_reader(self.fd)
        if self.session is not None:
            self.session.disconnected()
        if not self._out:
            self._finish()

    def _lost(self) -> None:
        self._out.clear()
        self.close()

    def _finish(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        self.loop.remove_reader(self.fd)
        self.loop.remove_writer(self.fd)
        self.sock.close()
        self.server.connection_closed(self)
        if self.session is not None:
            log.info("gdb client %s detached", self.peer)
