"""`RemoteBackend`: the console's backend over the console channel (see `channel`)."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any, Dict, List, Optional, Tuple

from trapscope.tools.console.backend import ConsoleSink, Writer
from trapscope.tools.console.channel import MAX_LINE, PROTOCOL, encode
from trapscope.tools.console.status import Status

#: seconds to wait for the connection and for the server's hello
CONNECT_TIMEOUT = 10.0


class ChannelError(Exception):
    """The console channel cannot be reached or does not answer; the message is one line."""


async def connect(host: str, port: int, timeout: float = CONNECT_TIMEOUT) -> RemoteBackend:
    """Connect to `serve --console-listen HOST:PORT` and read its hello."""
    where = f"{host}:{port}"
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, limit=MAX_LINE), timeout)
    except asyncio.TimeoutError:
        raise ChannelError(f"cannot connect to {where}: no answer in {timeout:g} s") from None
    except OSError as exc:
        raise ChannelError(f"cannot connect to {where}: {_reason(exc)}") from None
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
        message = json.loads(line)
        if message.get("event") != "hello" or message.get("protocol") != PROTOCOL:
            raise ValueError(message)
    except (asyncio.TimeoutError, ValueError, AttributeError, ConnectionError):
        writer.close()
        raise ChannelError(f"{where} is not a trapscope console channel (start the server with "
                           "`trapscope serve --console-listen HOST:PORT`; the gdb port is "
                           "something else)") from None
    return RemoteBackend(where, reader, writer, message)


def _reason(exc: OSError) -> str:
    """ "Connection refused" rather than asyncio's "Connect call failed (...)"."""
    if isinstance(exc.errno, int) and exc.errno > 0:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc)


class RemoteBackend:
    """A machine served elsewhere, through its console channel."""

    quit_stops_server = False

    def __init__(self, where: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 hello: Dict[str, Any]) -> None:
        self.where = where
        self.reader = reader
        self.writer = writer
        self._completions: Dict[str, List[str]] = hello.get("completions") or {}
        self._status = Status.from_json(hello.get("status") or {})
        self._sink: Optional[ConsoleSink] = None
        self._task: Optional[asyncio.Task] = None
        self._next_id = 0
        self._pending: Dict[int, Tuple[asyncio.Future, Writer]] = {}

    def attach(self, sink: ConsoleSink) -> None:
        self._sink = sink
        self._task = asyncio.ensure_future(self._read())

    def status(self) -> Status:
        return self._status

    def completions(self) -> Dict[str, List[str]]:
        return self._completions

    async def run(self, line: str, write: Writer) -> bool:
        self._next_id += 1
        rid = self._next_id
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[rid] = (done, write)
        self._send({"op": "run", "id": rid, "line": line})
        try:
            return await done
        finally:
            self._pending.pop(rid, None)

    def inject(self, data: bytes) -> None:
        self._send({"op": "inject", "data": data.decode("latin-1")})

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self.writer.close()
        self._fail_pending()

    # -- events -------------------------------------------------------------------------
    def _send(self, message: Dict[str, Any]) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode(message))

    async def _read(self) -> None:
        reason = f"the server at {self.where} closed the console channel"
        try:
            while True:
                line = await self.reader.readline()
                if not line:
                    break
                self._dispatch(json.loads(line))
        except (ConnectionError, ValueError) as exc:
            reason = f"the console channel to {self.where} failed: {exc}"
        self._fail_pending()
        if self._sink is not None:
            self._sink.on_closed(reason)

    def _dispatch(self, message: Dict[str, Any]) -> None:
        sink = self._sink
        event = message.get("event")
        if event == "output" and message.get("id") in self._pending:
            self._pending[message["id"]][1](message.get("text", ""))
        elif event == "done" and message.get("id") in self._pending:
            future = self._pending[message["id"]][0]
            if not future.done():
                future.set_result(bool(message.get("ok")))
        elif sink is None:
            return
        elif event == "serial":
            sink.on_serial(message.get("data", "").encode("latin-1", "replace"))
        elif event == "status":
            self._status = Status.from_json(message.get("status") or {})
            sink.on_status(self._status)
        elif event == "note":
            sink.on_note(message.get("text", ""))

    def _fail_pending(self) -> None:
        for future, _ in list(self._pending.values()):
            if not future.done():
                future.set_result(False)
