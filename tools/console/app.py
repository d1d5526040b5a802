"""The console application: one state object, the prompt_toolkit Application around it.

`ConsoleState` holds everything the console shows and every switch it has
(mode, panes, status, the command line), as ptpython's PythonInput does;
the layout, keys and completer read it lazily. It is also the backend's
event sink. `run_console(backend)` runs the full-screen console until the
user quits (or the backend goes away).

    state = ConsoleState(backend, input=pipe_input, output=output)  # tests
    await state.app.run_async()
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from pathlib import Path
from typing import Optional, Set

from prompt_toolkit.application import Application
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.history import FileHistory, History, InMemoryHistory, ThreadedHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from trapscope.tools.console.backend import ConsoleBackend
from trapscope.tools.console.completer import MonitorCompleter
from trapscope.tools.console.filters import GUEST, MONITOR
from trapscope.tools.console.keys import create_key_bindings, key_help
from trapscope.tools.console.layout import STYLE, create_layout
from trapscope.tools.console.scrollback import Scrollback
from trapscope.tools.console.status import Status

#: lines of guest output and of monitor output kept
SERIAL_LINES = 10_000
MONITOR_LINES = 5_000
#: the console does not redraw more often than this (a chatty guest would keep it busy)
MIN_REDRAW = 0.03

_LOCAL_ONLY = {"quit": "quit", "q": "quit", "exit": "quit", "guest": "guest"}


def default_history() -> History:
    """Command history in $XDG_CACHE_HOME/trapscope/console_history (~/.cache by default)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "trapscope" / "console_history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:
        return InMemoryHistory()
    return ThreadedHistory(FileHistory(str(path)))


class ConsoleState:
    """What the console shows and how it is switched (see the module docstring)."""

    def __init__(self, backend: ConsoleBackend, *, history: Optional[History] = None,
                 input: Optional[Input] = None, output: Optional[Output] = None) -> None:
        self.backend = backend
        self.mode = MONITOR
        self.serial = Scrollback(SERIAL_LINES)
        self.log = Scrollback(MONITOR_LINES)
        self.status: Status = backend.status()
        self.show_status_bar = True
        self.closed_reason: Optional[str] = None
        self._last_line = ""
        self._tasks: Set[asyncio.Future] = set()
        self.input_buffer = Buffer(
            name="command", multiline=False, complete_while_typing=True,
            completer=MonitorCompleter(backend.completions),
            history=history if history is not None else default_history(),
            auto_suggest=AutoSuggestFromHistory(), accept_handler=self._accept)
        self.key_bindings = create_key_bindings(self)
        self.app: Application = Application(
            layout=create_layout(self), key_bindings=self.key_bindings, style=STYLE,
            full_screen=True, mouse_support=False, min_redraw_interval=MIN_REDRAW,
            input=input, output=output)
        self.log.write(f"trapscope console ({backend.where}); `help` lists the commands and keys\n",
                       "class:note")
        backend.attach(self)

    # -- events from the backend -----------------------------------------------------
    def on_serial(self, data: bytes) -> None:
        self.serial.feed_bytes(data)
        self.app.invalidate()

    def on_status(self, status: Status) -> None:
        self.status = status
        self.app.invalidate()

    def on_note(self, text: str) -> None:
        self.log.write(text.rstrip("\n") + "\n", "class:note")
        self.app.invalidate()

    def on_closed(self, reason: str) -> None:
        self.closed_reason = reason
        self.on_note(reason)
        self.quit()

    # -- actions ----------------------------------------------------------------------
    def _accept(self, buffer: Buffer) -> bool:
        self.execute(buffer.text)
        return False  # clear the line (the history keeps it)

    def execute(self, line: str, echo: Optional[str] = None) -> None:
        """Run a command line; `echo` names the key that typed it. An empty line
        repeats a `step`, as gdb repeats `stepi`, and is otherwise ignored."""
        line = line.strip()
        if not line:
            if self._last_line.split()[:1] not in (["step"], ["si"], ["stepi"]):
                return
            line = self._last_line
        self._last_line = line
        shown = f"(trapscope) {line}" + (f"    [{echo}]" if echo else "")
        self.log.write(shown + "\n", "class:echo")
        self.log.scroll = 0  # show what the command says
        word = line.split()[0] if line else ""
        if _LOCAL_ONLY.get(word) == "quit":
            self.quit()
        elif _LOCAL_ONLY.get(word) == "guest":
            self.toggle_mode()
        else:
            self._spawn(self._run(line))

    async def _run(self, line: str) -> None:
        await self.backend.run(line, self.write_output)
        if line.split() == ["help"]:
            self.write_output(self.keys_help())

    def write_output(self, text: str) -> None:
        """Command output into the monitor pane."""
        self.log.write(text)
        self.app.invalidate()

    def keys_help(self) -> str:
        """The keys and what they do (from the handlers' docstrings)."""
        pairs = key_help(self)
        width = max(len(k) for k, _ in pairs)
        return "\nkeys:\n" + "".join(f"  {k:<{width}}  {what}\n" for k, what in pairs)

    def toggle_mode(self) -> None:
        """Monitor mode <-> guest mode; the focus follows (the cursor too)."""
        self.mode = GUEST if self.mode == MONITOR else MONITOR
        window = self.serial_window if self.mode == GUEST else self.input_window
        self.app.layout.focus(window)
        self.app.invalidate()

    def send_to_guest(self, text: str) -> None:
        """Keystrokes (as the terminal sent them) to the guest's UART."""
        if text:
            self.serial.scroll = 0
            self.backend.inject(text.encode("utf-8", "replace"))

    def active_pane(self) -> Scrollback:
        """The pane that PageUp/PageDown move: the serial in guest mode, else the monitor's."""
        return self.serial if self.mode == GUEST else self.log

    def quit(self) -> None:
        """Leave the console."""
        if not self.app.is_done and self.app.is_running:
            self.app.exit()

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class _PaneWriter(io.TextIOBase):
    """A text stream into the monitor pane: stray writes must not scribble on the screen."""

    def __init__(self, state: ConsoleState) -> None:
        self.state = state

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.state.write_output(text)
        return len(text)


async def run_console(backend: ConsoleBackend, *, history: Optional[History] = None,
                      input: Optional[Input] = None, output: Optional[Output] = None) -> ConsoleState:
    """Run the console until the user quits or the backend closes; the final state."""
    state = ConsoleState(backend, history=history, input=input, output=output)
    writer = _PaneWriter(state)
    try:
        with contextlib.redirect_stdout(writer), contextlib.redirect_stderr(writer):
            await state.app.run_async()
    finally:
        backend.close()
    return state
