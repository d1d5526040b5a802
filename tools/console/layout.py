"""The console's screen, one function per widget (as ptpython's layout.py).

    serial   the guest's UART output (scrollback)
    monitor  command output, stops, gdb comings and goings
    status   machine state and last stop, gdb, listen address; every hart; keys
    input    the command line (monitor mode) or a guest-mode banner

Every widget reads the `ConsoleState` when it is drawn, so changing the state
(and invalidating the application) is all it takes to update the screen.
"""

from __future__ import annotations

from typing import List

from prompt_toolkit.data_structures import Point
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.layout import (
    ConditionalContainer,
    Container,
    Dimension,
    Float,
    FloatContainer,
    FormattedTextControl,
    HSplit,
    Layout,
    Window,
)
from prompt_toolkit.layout.controls import BufferControl
from prompt_toolkit.layout.menus import CompletionsMenu
from prompt_toolkit.layout.processors import BeforeInput
from prompt_toolkit.styles import Style
from trapscope.tools.console.filters import GUEST, guest_mode, monitor_mode
from trapscope.tools.console.scrollback import Scrollback
from trapscope.tools.console.status import hart_cells

#: lines of a pane handed to the window each render (it shows the bottom ones)
_TAIL = 400

STYLE = Style.from_dict({
    "title": "reverse",
    "title.active": "reverse bold",
    "title.hint": "reverse italic",
    "echo": "bold",
    "note": "ansicyan",
    "error": "ansired",
    "status": "reverse",
    "status.running": "bg:ansigreen fg:ansiblack bold",
    "status.stopped": "bg:ansiyellow fg:ansiblack bold",
    "status.exited": "bg:ansired fg:ansiwhite bold",
    "status.mode": "bg:ansiblue fg:ansiwhite bold",
    "status.key": "reverse bold",
    "prompt": "bold",
    "guest-banner": "italic",
})


def _pane(pane: Scrollback, show_cursor: bool) -> FormattedTextControl:
    """A control showing the tail of a scrollback, its cursor on the last line shown."""

    def fragments() -> StyleAndTextTuples:
        out: StyleAndTextTuples = []
        for i, (style, text) in enumerate(pane.tail(_TAIL)):
            if i:
                out.append(("", "\n"))
            out.append((style, text))
        return out

    def cursor() -> Point:
        lines = pane.tail(_TAIL)
        at_bottom = pane.scroll == 0
        return Point(x=pane.column if at_bottom else 0, y=len(lines) - 1)

    return FormattedTextControl(fragments, focusable=show_cursor, show_cursor=show_cursor,
                                get_cursor_position=cursor)


def _title(state, name: str, pane: Scrollback, mode: str) -> Window:
    def fragments() -> StyleAndTextTuples:
        style = "class:title.active" if state.mode == mode else "class:title"
        out: StyleAndTextTuples = [(style, f" {name} ")]
        if pane.scroll:
            out.append(("class:title.hint", f" scrolled back {pane.scroll} lines (PageDown) "))
        return out

    return Window(FormattedTextControl(fragments), height=1, style="class:title")


def serial_pane(state) -> Container:
    """The guest's serial output, with a title line."""
    state.serial_window = Window(_pane(state.serial, show_cursor=True), wrap_lines=True,
                                 height=Dimension(weight=3, min=3))
    return HSplit([_title(state, "guest serial (UART)", state.serial, GUEST), state.serial_window])


def monitor_pane(state) -> Container:
    """Monitor output and events, with a title line."""
    window = Window(_pane(state.log, show_cursor=False), wrap_lines=True,
                    height=Dimension(weight=2, min=3))
    return HSplit([_title(state, "monitor", state.log, "monitor"), window])


def status_bar(state) -> Container:
    """Machine, gdb and listen address; every hart; the keys. Hidden by `show_status_bar`."""

    def machine_line() -> StyleAndTextTuples:
        st = state.status
        if st.running:
            badge = ("class:status.running", " RUNNING ")
        elif st.exited is not None:
            badge = ("class:status.exited", " EXITED ")
        else:
            badge = ("class:status.stopped", " STOPPED ")
        gdb = f"gdb attached from {st.gdb}" if st.gdb else "gdb not attached"
        where = f"listening on {st.listen}" if st.listen else ""
        if state.backend.where != "local":
            where += f" (console of {state.backend.where})"
        return [badge, ("class:status", f" {st.stop} │ {gdb} │ {where} ")]

    def harts_line() -> StyleAndTextTuples:
        cells = [f"hart {h}: {text}" for h, text in hart_cells(state.status)]
        return [("class:status", " " + " │ ".join(cells) + " ")]

    def keys_line() -> StyleAndTextTuples:
        out: StyleAndTextTuples = [("class:status.mode", f" {state.mode.upper()} MODE ")]
        for key, what in _KEY_HINTS[state.mode]:
            out += [("class:status.key", f" {key}"), ("class:status", f" {what} ")]
        return out

    lines: List[Container] = [
        Window(FormattedTextControl(f), height=1, style="class:status")
        for f in (machine_line, harts_line, keys_line)
    ]
    return ConditionalContainer(HSplit(lines), filter=Condition(lambda: state.show_status_bar))


_KEY_HINTS = {
    "monitor": [("F2", "guest mode"), ("F5", "continue"), ("F6", "halt"), ("F7", "step"),
                ("Tab", "complete"), ("PgUp/PgDn", "scroll"), ("Ctrl-D", "quit"), ("help", "")],
    "guest": [("F2/Ctrl-A c", "monitor mode"), ("F5", "continue"), ("F6", "halt"),
              ("PgUp/PgDn", "scroll"), ("Ctrl-A x", "quit")],
}


def input_line(state) -> Container:
    """The command line (monitor mode), or what guest mode means (guest mode)."""
    state.input_window = Window(
        BufferControl(buffer=state.input_buffer,
                      input_processors=[BeforeInput("(trapscope) ", style="class:prompt")]),
        height=1)
    banner = Window(FormattedTextControl(
        [("class:guest-banner", " keystrokes go to the guest's UART; F2 or Ctrl-A c for the monitor")]),
        height=1)
    return HSplit([
        ConditionalContainer(state.input_window, filter=monitor_mode(state)),
        ConditionalContainer(banner, filter=guest_mode(state)),
    ])


def create_layout(state) -> Layout:
    """The whole screen, focused on the command line."""
    body = HSplit([serial_pane(state), monitor_pane(state), status_bar(state), input_line(state)])
    root = FloatContainer(body, floats=[
        Float(xcursor=True, ycursor=True, content=CompletionsMenu(max_height=10, scroll_offset=1)),
    ])
    return Layout(root, focused_element=state.input_window)
