"""Filters over the console's state, for key bindings and conditional containers."""

from __future__ import annotations

from prompt_toolkit.filters import Condition, Filter

MONITOR = "monitor"
GUEST = "guest"


def monitor_mode(state) -> Filter:
    """Lines typed are console commands."""
    return Condition(lambda: state.mode == MONITOR)


def guest_mode(state) -> Filter:
    """Keystrokes go to the guest's UART."""
    return Condition(lambda: state.mode == GUEST)


def input_empty(state) -> Filter:
    """Nothing typed on the command line."""
    return Condition(lambda: not state.input_buffer.text)


def machine_running(state) -> Filter:
    """The machine runs (as the last status said)."""
    return Condition(lambda: state.status.running)
