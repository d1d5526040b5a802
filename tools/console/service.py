"""The console's side of a served machine: commands, stops, serial, status.

One `ConsoleService` per `trapscope serve`, living in the event loop's
thread beside the RSP server. Every console (the local one, and remote ones
through the console channel) is a `Subscriber` with its own monitor session;
the service runs their command lines, fans the guest's serial output out to
them, and tells them when the machine's status changes.

Command lines are the monitor registry's commands (the same objects gdb's
`monitor` runs) plus the console's own: `continue`/`c`, `halt`, `step [N]`
and `hart [N]`. Runs go through the server's `Controller`, shared with gdb:
a halt from the console ends a run gdb started with a proper stop reply to
gdb; gdb attaching, or sending any request but a detach, halts a run the
console started (gdb believes the machine stopped: see the RSP session).
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import threading
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Protocol

from trapscope.rspserver.riscv import PRIV_NAMES
from trapscope.rspserver.target import ResumePlan, StopEvent, StopKind
from trapscope.tools.console.status import HartStatus, Status, Symbols, describe_stop
from trapscope.tools.monitor import LocalSession, MonitorError

if TYPE_CHECKING:
    from trapscope.tools.cmd_serve import Served

Writer = Callable[[str], None]

#: serial output kept for the consoles while the event loop is busy
MAX_PENDING_SERIAL = 1 << 20
#: the status is sent at most this often (gdb single-stepping stops thousands of times a second)
STATUS_INTERVAL = 0.05
#: how often the service looks whether a gdb client came or went (the server tells nobody)
#: and, while the machine runs, refreshes the harts' states (SBI HSM starts and stops them)
WATCH_INTERVAL = 0.25


class Subscriber(Protocol):
    """A console attached to the service. Called in the event loop's thread."""

    session: LocalSession

    def on_serial(self, data: bytes) -> None:
        """Guest output."""

    def on_status(self, status: Status) -> None:
        """The machine's status changed."""

    def on_note(self, text: str) -> None:
        """Something happened that the user should read (a stop, a gdb client, a log line)."""


#: the console's own commands: name -> (usage, what it does)
CONSOLE_COMMANDS: Dict[str, tuple] = {
    "continue": ("continue", "run every hart until a stop (F5; also `c`)"),
    "halt": ("halt", "stop the running machine (F6; Ctrl-C in monitor mode)"),
    "step": ("step [N]", "execute N instructions (default 1) on the selected hart (F7)"),
    "hart": ("hart [N]", "select the hart that `regs`, `x` and `step` use, or show it"),
    "guest": ("guest", "guest mode: keystrokes go to the guest's UART (F2; Ctrl-A c comes back)"),
    "quit": ("quit", "leave the console (Ctrl-D; the local console also stops the server)"),
}
_ALIASES = {"c": "continue", "cont": "continue", "si": "step", "stepi": "step", "q": "quit"}


class ConsoleLogHandler(logging.Handler):
    """The server's log lines become notes in every console. Thread-safe."""

    def __init__(self, service: ConsoleService) -> None:
        super().__init__(logging.INFO)
        self.service = service
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.service.note(self.format(record))
        except RuntimeError:  # the event loop is closed: nobody is listening any more
            pass


class ConsoleService:
    """Console commands and events over a served machine (see the module docstring)."""

    def __init__(self, served: Served, loop: asyncio.AbstractEventLoop, listen: str = "") -> None:
        self.served = served
        self.loop = loop
        self.listen = listen
        self.subscribers: List[Subscriber] = []
        self._symbols = Symbols(served.machine.program.symbols if served.machine.program else {})
        self._serial_lock = threading.Lock()
        self._serial_pending = bytearray()
        self._serial_scheduled = False
        self._status_scheduled = False
        self._long_run = False
        self._gdb = self._gdb_peer()
        self._watch = loop.call_later(WATCH_INTERVAL, self._watch_machine)
        served.controller.add_listener(self._machine_event)
        served.machine.uart.output_listeners.append(self._uart_output)

    @property
    def controller(self):
        return self.served.controller

    # -- subscribers ------------------------------------------------------------------
    def subscribe(self, sub: Subscriber) -> None:
        self.subscribers.append(sub)

    def unsubscribe(self, sub: Subscriber) -> None:
        if sub in self.subscribers:
            self.subscribers.remove(sub)

    def completions(self) -> Dict[str, List[str]]:
        """Command names (the registry's and the console's) and the words that may follow."""
        words = self.served.monitor.registry.completions()
        for name in CONSOLE_COMMANDS:
            words.setdefault(name, [])
        return words

    def note(self, text: str) -> None:
        """Tell every console (thread-safe)."""
        self.loop.call_soon_threadsafe(self._broadcast_note, text)

    def _broadcast_note(self, text: str) -> None:
        for sub in list(self.subscribers):
            sub.on_note(text)

    # -- status -----------------------------------------------------------------------
    def status(self) -> Status:
        """The machine now. Registers are read only while it is stopped."""
        controller = self.controller
        debug = self.served.machine.debug
        running = controller.running
        harts = []
        for hart in range(debug.nharts):
            state = debug.hart_state(hart).value
            if running:
                harts.append(HartStatus(hart, state))
            else:
                harts.append(HartStatus(hart, state, debug.read_pc(hart), PRIV_NAMES.get(debug.read_priv(hart), "?")))
        stop = controller.last_stop
        exited = stop.exit_code if stop is not None and stop.kind is StopKind.EXITED else None
        return Status(running=running, stop="running" if running else self._describe(stop),
                      harts=harts, gdb=self._gdb_peer(), listen=self.listen, exited=exited)

    def _describe(self, stop: Optional[StopEvent]) -> str:
        pc = None
        if stop is not None and stop.kind is not StopKind.EXITED:
            pc = self.served.machine.debug.read_pc(stop.thread - 1)
        return describe_stop(stop, pc, self._symbols)

    def _gdb_peer(self) -> Optional[str]:
        conn = self.served.server.active
        return conn.peer if conn is not None and conn.session is not None else None

    def _watch_machine(self) -> None:
        peer = self._gdb_peer()
        if peer != self._gdb or self.controller.running:
            self._gdb = peer
            self._schedule_status()
        self._watch = self.loop.call_later(WATCH_INTERVAL, self._watch_machine)

    def _schedule_status(self) -> None:
        if not self._status_scheduled:
            self._status_scheduled = True
            self.loop.call_later(STATUS_INTERVAL, self._send_status)

    def _send_status(self) -> None:
        self._status_scheduled = False
        status = self.status()
        for sub in list(self.subscribers):
            sub.on_status(status)

    def _machine_event(self, stop: Optional[StopEvent]) -> None:
        """The controller's listener: a long run started (None) or the machine stopped."""
        if stop is None:
            self._long_run = True
        elif self._long_run:  # only long runs are worth a note: gdb's stepi stops all the time
            self._long_run = False
            self._broadcast_note(f"stopped: {self._describe(stop)}")
            self._follow(stop)
        self._schedule_status()

    def _follow(self, stop: StopEvent) -> None:
        """Every console's selected hart follows the stop, as gdb's does."""
        if stop.kind is not StopKind.EXITED:
            for sub in self.subscribers:
                sub.session.hart = stop.thread - 1

    # -- serial -----------------------------------------------------------------------
    def _uart_output(self, data: bytes) -> None:
        """A UART output listener: called in the machine thread (or inline in the loop's)."""
        with self._serial_lock:
            self._serial_pending += data
            if len(self._serial_pending) > MAX_PENDING_SERIAL:
                del self._serial_pending[:-MAX_PENDING_SERIAL]
            if self._serial_scheduled:
                return
            self._serial_scheduled = True
        self.loop.call_soon_threadsafe(self._flush_serial)

    def _flush_serial(self) -> None:
        with self._serial_lock:
            data = bytes(self._serial_pending)
            self._serial_pending.clear()
            self._serial_scheduled = False
        for sub in list(self.subscribers):
            sub.on_serial(data)

    def inject(self, data: bytes) -> None:
        """Keystrokes for the guest: into the UART, in the machine thread."""
        uart = self.served.machine.uart
        self.served.machine.sched.post(lambda: uart.inject(data))

    # -- commands ---------------------------------------------------------------------
    def run_line(self, session: LocalSession, line: str, write: Writer) -> bool:
        """Run one command line for a console; output through `write`. True if it worked."""
        try:
            words = shlex.split(line) or ["help"]
        except ValueError as exc:
            write(f"{exc}\n")
            return False
        try:
            name = self._command_name(words[0])
            if name in _HANDLERS:
                _HANDLERS[name](self, session, words[1:], write)
                return True
            if name == "help":
                return self._help(session, words[1:], write)
            if self.controller.running:
                raise MonitorError("the machine is running: halt it first (F6 or `halt`)")
            return self.served.monitor.run_line(shlex.join([name, *words[1:]]), session, write)
        except MonitorError as exc:
            write(f"{exc}\n")
            return False
        finally:
            self._schedule_status()

    def _command_name(self, word: str) -> str:
        """The full name of a console or registry command: itself, an alias, or the only
        command it abbreviates; MonitorError if it abbreviates several."""
        word = _ALIASES.get(word, word)
        names = set(CONSOLE_COMMANDS) | set(self.served.monitor.registry.names())
        if word in names:
            return word
        matches = sorted(n for n in names if n.startswith(word))
        if len(matches) > 1:
            raise MonitorError(f"'{word}' is ambiguous: {', '.join(matches)}")
        return matches[0] if matches else word  # an unknown word: the monitor says so

    def _help(self, session: LocalSession, args: List[str], write: Writer) -> bool:
        """`help`: the registry's commands and the console's; `help NAME` for either."""
        if args and _ALIASES.get(args[0], args[0]) in CONSOLE_COMMANDS:
            usage, text = CONSOLE_COMMANDS[_ALIASES.get(args[0], args[0])]
            write(f"usage: {usage}\n\n{text}\n")
            return True
        ok = self.served.monitor.run_line(shlex.join(["help", *args]), session, write)
        if not args:
            write(console_help())
        return ok

    def cont(self, session: LocalSession, args: List[str], write: Writer) -> None:
        """`continue`: run every hart; the stop comes as a note unless it is immediate."""
        controller = self.controller
        if controller.running:
            raise MonitorError("the machine is already running")
        last = controller.last_stop
        if last is not None and last.kind is StopKind.EXITED:
            raise MonitorError(f"the guest exited (status {last.exit_code}); `reset` starts it again")
        target = self.served.target
        stop = controller.resume(ResumePlan(None, frozenset(target.threads())), lambda stop: None)
        if stop is not None:
            self._follow(stop)
            write(f"stopped: {self._describe(stop)}\n")
            return
        if self._gdb_peer() is not None:
            write("running (gdb is attached: its register cache is stale until it resumes; "
                  "a request from gdb halts this run)\n")
        else:
            write("running\n")

    def halt(self, session: LocalSession, args: List[str], write: Writer) -> None:
        """`halt`: stop a run, whoever started it (gdb gets its stop reply)."""
        if not self.controller.running:
            write(f"the machine is not running ({self._describe(self.controller.last_stop)})\n")
            return
        self.controller.halt()
        write("halting\n")

    def step(self, session: LocalSession, args: List[str], write: Writer) -> None:
        """`step [N]`: N single instructions on the selected hart."""
        from trapscope.tools.monitor import parse_int

        if len(args) > 1:
            raise MonitorError("usage: step [N]")
        count = parse_int(args[0], "count") if args else 1
        if count < 1:
            raise MonitorError("step: N must be at least 1")
        if self.controller.running:
            raise MonitorError("the machine is running: halt it first (F6 or `halt`)")
        thread = session.hart + 1
        stop = None
        for _ in range(count):
            stop = self.controller.resume(ResumePlan(thread, frozenset()), lambda stop: None)
            if stop is None or stop.kind is not StopKind.SIGNAL:
                break
        write(f"{self._describe(stop)}\n" if stop is not None else "running\n")

    def hart(self, session: LocalSession, args: List[str], write: Writer) -> None:
        """`hart [N]`: select a hart, or show the selected one."""
        from trapscope.tools.monitor import parse_int
        from trapscope.tools.monitor.hartinfo import check_hart

        if args:
            session.hart = check_hart(self.served.machine.debug, parse_int(args[0], "hart"))
        write(f"hart {session.hart} selected\n")

    def close(self) -> None:
        """Stop listening to the machine."""
        self._watch.cancel()
        self.controller.remove_listener(self._machine_event)
        listeners = self.served.machine.uart.output_listeners
        if self._uart_output in listeners:
            listeners.remove(self._uart_output)


def _console_only(service: ConsoleService, session: LocalSession, args: List[str],
                  write: Writer) -> None:
    write("`guest` and `quit` are the console's own; type them on its command line\n")


_HANDLERS = {
    "continue": ConsoleService.cont,
    "halt": ConsoleService.halt,
    "step": ConsoleService.step,
    "hart": ConsoleService.hart,
    "guest": _console_only,
    "quit": _console_only,
}

def console_help() -> str:
    """The console's own commands, for `help`."""
    width = max(len(usage) for usage, _ in CONSOLE_COMMANDS.values())
    lines = ["", "console commands:"]
    lines += [f"  {usage:<{width}}  {text}" for usage, text in CONSOLE_COMMANDS.values()]
    return "\n".join(lines) + "\n"
