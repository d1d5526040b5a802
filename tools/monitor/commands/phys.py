"""`phys [on|off]`: whether the session's memory accesses use physical addresses."""

from __future__ import annotations

from trapscope.tools.monitor.registry import Command, command


@command
class Phys(Command):
    name = "phys"
    summary = "memory accesses by physical address (on) or through the hart's MMU (off)"
    description = (
        "gdb reads and writes memory through the selected hart's current translation, "
        "as QEMU does. 'phys on' switches this session (gdb's m/M/X packets, and 'x') "
        "to physical addresses; 'phys off' switches back. Without an argument, show the mode."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("mode", nargs="?", choices=["on", "off"])

    def run(self, ctx, args) -> None:
        if args.mode is not None:
            ctx.session.physical = args.mode == "on"
        if ctx.session.physical:
            ctx.writeln("memory accesses use physical addresses")
        else:
            ctx.writeln(f"memory accesses go through hart {ctx.session.hart}'s translation")
