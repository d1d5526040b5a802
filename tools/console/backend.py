"""What the console talks to: one interface, a local and a remote implementation.

The layout, the keys and the completer only see a `ConsoleBackend`:

    backend.attach(sink)            events start: sink.on_serial(bytes), sink.on_status(Status),
                                    sink.on_note(str), sink.on_closed(str)
    backend.status() -> Status      the latest status
    backend.completions()           {command: [words that may follow]}
    await backend.run(line, write)  run a command line, output through write(str); -> bool
    backend.inject(data)            keystrokes for the guest's UART
    backend.close()

Everything is called, and every event delivered, in the event loop's thread.
`LocalBackend` wraps the `ConsoleService` of `trapscope serve` in the same
process; `trapscope.tools.console.remote.RemoteBackend` speaks to one over
the console channel.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Protocol

from trapscope.tools.console.service import ConsoleService
from trapscope.tools.console.status import Status
from trapscope.tools.monitor import LocalSession

Writer = Callable[[str], None]


class ConsoleSink(Protocol):
    """Where a backend delivers events (the console's state)."""

    def on_serial(self, data: bytes) -> None: ...

    def on_status(self, status: Status) -> None: ...

    def on_note(self, text: str) -> None: ...

    def on_closed(self, reason: str) -> None:
        """The backend is gone (the server closed the channel)."""


class ConsoleBackend(Protocol):
    """A machine as the console sees it (see the module docstring)."""

    #: where the machine is, for the title line: "local" or "HOST:PORT"
    where: str
    #: True when leaving the console also stops the server (the local console of `serve`)
    quit_stops_server: bool

    def attach(self, sink: ConsoleSink) -> None: ...

    def status(self) -> Status: ...

    def completions(self) -> Dict[str, List[str]]: ...

    async def run(self, line: str, write: Writer) -> bool: ...

    def inject(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class LocalBackend:
    """The console of `trapscope serve`, in the server's own process and event loop."""

    where = "local"
    quit_stops_server = True

    def __init__(self, service: ConsoleService) -> None:
        self.service = service
        self.session = LocalSession()
        self._sink: Optional[ConsoleSink] = None

    def attach(self, sink: ConsoleSink) -> None:
        self._sink = sink
        self.service.subscribe(self)

    def status(self) -> Status:
        return self.service.status()

    def completions(self) -> Dict[str, List[str]]:
        return self.service.completions()

    async def run(self, line: str, write: Writer) -> bool:
        return self.service.run_line(self.session, line, write)

    def inject(self, data: bytes) -> None:
        self.service.inject(data)

    def close(self) -> None:
        self.service.unsubscribe(self)
        self._sink = None

    # -- the service's events (Subscriber) ----------------------------------------------
    def on_serial(self, data: bytes) -> None:
        if self._sink is not None:
            self._sink.on_serial(data)

    def on_note(self, text: str) -> None:
        if self._sink is not None:
            self._sink.on_note(text)

    def on_status(self, status: Status) -> None:
        if self._sink is not None:
            self._sink.on_status(status)
