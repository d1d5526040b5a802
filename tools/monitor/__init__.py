"""The monitor: one registry of commands, shared by gdb's `monitor` and the console.

    registry = default_registry()           # every command module in .commands
    monitor = Monitor(registry, machine.debug, machine, reset=controller.reset)
    monitor("harts --json", session, write)  # what the RSP server calls for qRcmd

A command is one small module in `trapscope.tools.monitor.commands` that
defines a `Command` subclass decorated with `@command`; see
`trapscope.tools.monitor.registry`.
"""

from trapscope.tools.monitor.registry import (
    Command,
    LocalSession,
    Monitor,
    MonitorContext,
    MonitorError,
    Registry,
    command,
    default_registry,
    parse_int,
)

__all__ = [
    "Command",
    "LocalSession",
    "Monitor",
    "MonitorContext",
    "MonitorError",
    "Registry",
    "command",
    "default_registry",
    "parse_int",
]
