"""Key bindings of the console, one factory per group (as ptpython's key_bindings.py).

A handler's docstring is its help text: `key_help(bindings)` lists them for
`help` and the status bar shows the most used ones.

- `load_console_bindings`: both modes (switch mode, continue, halt, step, scroll).
- `load_monitor_bindings`: the command line (Ctrl-C halts or clears, Ctrl-D quits).
- `load_guest_bindings`: every other key goes to the guest, as typed; Ctrl-A
  is QEMU's escape (Ctrl-A c: monitor, Ctrl-A x: quit, Ctrl-A Ctrl-A: Ctrl-A).
"""

from __future__ import annotations

from typing import List, Tuple

from prompt_toolkit.filters import has_completions
from prompt_toolkit.key_binding import KeyBindings, KeyBindingsBase, merge_key_bindings
from prompt_toolkit.key_binding.key_processor import KeyPressEvent
from prompt_toolkit.keys import Keys
from trapscope.tools.console.filters import guest_mode, input_empty, machine_running, monitor_mode

E = KeyPressEvent

#: keys the console keeps for itself in guest mode
RESERVED = frozenset({Keys.F2, Keys.F5, Keys.F6, Keys.F7, Keys.PageUp, Keys.PageDown,
                      Keys.ControlA})
#: pseudo-keys that are not keystrokes
_NOT_KEYS = frozenset({Keys.Any, Keys.CPRResponse, Keys.Vt100MouseEvent, Keys.WindowsMouseEvent,
                       Keys.ScrollUp, Keys.ScrollDown, Keys.SIGINT, Keys.Ignore})

#: lines moved by PageUp/PageDown
PAGE = 10


def load_console_bindings(state) -> KeyBindings:
    """Keys that work in both modes."""
    kb = KeyBindings()
    handle = kb.add

    @handle("f2")
    def _(event: E) -> None:
        """switch between monitor mode and guest mode"""
        state.toggle_mode()

    @handle("f5")
    def _(event: E) -> None:
        """continue: run every hart"""
        state.execute("continue", echo="F5")

    @handle("f6")
    def _(event: E) -> None:
        """halt the running machine (gdb gets its stop if it was running it)"""
        state.execute("halt", echo="F6")

    @handle("f7")
    def _(event: E) -> None:
        """step one instruction on the selected hart"""
        state.execute("step", echo="F7")

    @handle("pageup")
    def _(event: E) -> None:
        """scroll the mode's pane back (guest mode: serial; monitor mode: monitor output)"""
        state.active_pane().scroll_by(PAGE)

    @handle("pagedown")
    def _(event: E) -> None:
        """scroll the mode's pane forward (to the bottom, it follows new output again)"""
        state.active_pane().scroll_by(-PAGE)

    return kb


def load_monitor_bindings(state) -> KeyBindings:
    """The command line's own keys (editing, history and Tab come from prompt_toolkit)."""
    kb = KeyBindings()
    handle = kb.add
    mode = monitor_mode(state)

    @handle("c-c", filter=mode & machine_running(state))
    def _(event: E) -> None:
        """halt the running machine (when stopped: clear the line)"""
        state.execute("halt", echo="Ctrl-C")

    @handle("c-c", filter=mode & ~machine_running(state))
    def _(event: E) -> None:
        state.input_buffer.reset()

    @handle("escape", filter=mode & has_completions)
    def _(event: E) -> None:
        """close the completion menu"""
        state.input_buffer.cancel_completion()

    @handle("c-d", filter=mode & input_empty(state))
    def _(event: E) -> None:
        """quit (on an empty line)"""
        state.quit()

    return kb


def load_guest_bindings(state) -> KeyBindings:
    """Guest mode: keystrokes to the UART, and QEMU's Ctrl-A escapes."""
    kb = KeyBindings()
    mode = guest_mode(state)

    def send(event: E) -> None:
        state.send_to_guest("".join(k.data for k in event.key_sequence))

    for key in Keys:
        if key not in RESERVED and key not in _NOT_KEYS:
            kb.add(key, filter=mode)(send)
    kb.add(Keys.Any, filter=mode)(send)

    @kb.add("c-a", "c", filter=mode)
    def _(event: E) -> None:
        """(guest mode) back to monitor mode, as QEMU's Ctrl-A c"""
        state.toggle_mode()

    @kb.add("c-a", "x", filter=mode)
    def _(event: E) -> None:
        """(guest mode) quit, as QEMU's Ctrl-A x"""
        state.quit()

    @kb.add("c-a", "c-a", filter=mode)
    def _(event: E) -> None:
        """(guest mode) send one Ctrl-A to the guest"""
        state.send_to_guest("\x01")

    @kb.add("c-a", Keys.Any, filter=mode)
    def _(event: E) -> None:
        state.send_to_guest("\x01" + event.data)

    return kb


def create_key_bindings(state) -> KeyBindingsBase:
    """Every binding of the console; later groups win ties."""
    return merge_key_bindings([
        load_guest_bindings(state),
        load_monitor_bindings(state),
        load_console_bindings(state),
    ])


def key_help(state) -> List[Tuple[str, str]]:
    """(keys, what they do) for every binding with a docstring: both modes' keys first."""
    out: List[Tuple[str, str]] = []
    groups = (load_console_bindings(state), load_monitor_bindings(state), load_guest_bindings(state))
    for binding in (b for group in groups for b in group.bindings):
        doc = (binding.handler.__doc__ or "").strip()
        if doc:
            out.append((" ".join(key_name(k) for k in binding.keys), doc))
    return out


def key_name(key) -> str:
    """How a key is written in help: F5, Ctrl-C, PageUp."""
    name = key.value if isinstance(key, Keys) else str(key)
    if name.startswith("c-"):
        return "Ctrl-" + name[2:].upper()
    if name.startswith("f") and name[1:].isdigit():
        return name.upper()
    return {"pageup": "PageUp", "pagedown": "PageDown"}.get(name, name)
