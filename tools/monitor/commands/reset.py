"""`reset`: power-on reset of the whole machine."""

from __future__ import annotations

from trapscope.tools.monitor.registry import Command, command


@command
class Reset(Command):
    name = "reset"
    summary = "reset the machine to its power-on state (breakpoints are kept)"
    description = (
        "Every hart goes back to its reset vector, as at power-on; "
        "breakpoints and watchpoints stay. gdb keeps its cached registers: run "
        "'maintenance flush register-cache' (or 'flushregs') to see the new ones."
    )

    def run(self, ctx, args) -> None:
        if ctx.reset is not None:
            ctx.reset()
        else:
            ctx.debug.reset()
        ctx.writeln("machine reset: every hart is at its reset vector")
