"""The console channel: `trapscope console --connect` talking to `trapscope serve`.

gdb holds the RSP server's one client slot, so consoles elsewhere use a
second loopback port (`serve --console-listen HOST:PORT`). It speaks
newline-delimited JSON, one object per line, UTF-8. Serial bytes travel as
Latin-1 strings (one character per byte).

Server to console:
    {"event": "hello", "protocol": "trapscope-console/1", "listen": "127.0.0.1:1234",
     "completions": {"harts": ["--json"], ...}, "status": {...}}
    {"event": "serial", "data": "..."}            guest output
    {"event": "status", "status": {...}}          `Status.to_json()`
    {"event": "note", "text": "..."}              a stop, a gdb client, a log line
    {"event": "output", "id": N, "text": "..."}   output of command N, as it comes
    {"event": "done", "id": N, "ok": true}        command N finished
Console to server:
    {"op": "run", "id": N, "line": "harts"}       a command line (monitor or console command)
    {"op": "inject", "data": "..."}               keystrokes for the guest's UART

Any number of consoles may connect; each has its own selected hart and
memory mode. A line that is not a request gets a note and is otherwise
ignored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, List, Optional, Tuple

from trapscope.tools.console.service import ConsoleLogHandler, ConsoleService
from trapscope.tools.console.status import Status
from trapscope.tools.monitor import LocalSession

PROTOCOL = "trapscope-console/1"
#: longest request line accepted
MAX_LINE = 1 << 20
#: past this much unsent output to a console, its serial output is dropped
MAX_BACKLOG = 8 << 20

log = logging.getLogger("trapscope.console")


def encode(message: Dict[str, Any]) -> bytes:
    """One message as a line."""
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def hello(service: ConsoleService) -> Dict[str, Any]:
    """The first message on a connection."""
    return {"event": "hello", "protocol": PROTOCOL, "listen": service.listen,
            "completions": service.completions(), "status": service.status().to_json()}


class ChannelClient:
    """One connected console: a subscriber of the service."""

    def __init__(self, service: ConsoleService, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter) -> None:
        self.service = service
        self.reader = reader
        self.writer = writer
        self.session = LocalSession()
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)

    def send(self, message: Dict[str, Any]) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode(message))

    # -- the service's events -----------------------------------------------------------
    def on_serial(self, data: bytes) -> None:
        if self.writer.transport.get_write_buffer_size() < MAX_BACKLOG:
            self.send({"event": "serial", "data": data.decode("latin-1")})

    def on_status(self, status: Status) -> None:
        self.send({"event": "status", "status": status.to_json()})

    def on_note(self, text: str) -> None:
        self.send({"event": "note", "text": text})

    # -- requests -----------------------------------------------------------------------
    async def serve(self) -> None:
        self.send(hello(self.service))
        self.service.subscribe(self)
        log.info("console %s connected", self.peer)
        try:
            while True:
                line = await self.reader.readline()
                if not line:
                    return
                self.handle(line)
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            return
        finally:
            self.service.unsubscribe(self)
            self.writer.close()
            log.info("console %s disconnected", self.peer)

    def handle(self, line: bytes) -> None:
        """One request line."""
        try:
            request = json.loads(line)
            op = request["op"]
        except (ValueError, KeyError, TypeError):
            self.on_note(f"console channel: not a request: {line[:80]!r}")
            return
        if op == "run" and isinstance(request.get("line"), str):
            rid = request.get("id")
            ok = self.service.run_line(
                self.session, request["line"],
                lambda text: self.send({"event": "output", "id": rid, "text": text}))
            self.send({"event": "done", "id": rid, "ok": ok})
        elif op == "inject" and isinstance(request.get("data"), str):
            self.service.inject(request["data"].encode("latin-1", "replace"))
        else:
            self.on_note(f"console channel: unknown request {op!r}")


class ConsoleChannel:
    """The listening side, in the event loop of `trapscope serve`."""

    def __init__(self, service: ConsoleService, forward_log: bool = False) -> None:
        self.service = service
        self._log_handler: Optional[ConsoleLogHandler] = None
        if forward_log:
            self._log_handler = ConsoleLogHandler(service)
            logging.getLogger("trapscope").addHandler(self._log_handler)
        self.server: Optional[asyncio.AbstractServer] = None
        self.address: Optional[Tuple[str, int]] = None
        self._clients: List[asyncio.Task] = []

    async def start(self, host: str, port: int) -> Tuple[str, int]:
        """Listen; returns the bound address (port 0 picks a free one)."""
        self.server = await asyncio.start_server(self._accept, host, port, limit=MAX_LINE)
        sockname = self.server.sockets[0].getsockname()
        self.address = (host, sockname[1])
        return self.address

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._clients.append(task)
        try:
            await ChannelClient(self.service, reader, writer).serve()
        finally:
            if task in self._clients:
                self._clients.remove(task)

    def close(self) -> None:
        """Stop listening and drop every console."""
        if self._log_handler is not None:
            logging.getLogger("trapscope").removeHandler(self._log_handler)
            self._log_handler = None
        if self.server is not None:
            self.server.close()
            self.server = None
        for task in list(self._clients):
            task.cancel()
