"""`help [CMD]`: the list of commands, or one command's usage and description."""

from __future__ import annotations

from trapscope.tools.monitor.registry import Command, command


@command
class Help(Command):
    name = "help"
    summary = "list the monitor commands, or explain one"
    description = "Without an argument, list every command with its summary; with one, show its usage and help."

    def add_arguments(self, parser) -> None:
        parser.add_argument("cmd", nargs="?", help="a command name")

    def run(self, ctx, args) -> None:
        registry = ctx.registry
        if args.cmd:
            ctx.write(registry.find(args.cmd).help_text())
            return
        width = max(len(n) for n in registry.names())
        ctx.writeln("trapscope monitor commands ('help CMD' for more):")
        for name in registry.names():
            ctx.writeln(f"  {name:<{width}}  {registry.commands[name].summary}")
