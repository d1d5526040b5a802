"""Monitor commands: how they are declared, found, parsed, run and completed.

A command is a `Command` subclass with a `name`, a one-line `summary`, a
longer `description`, an `add_arguments(parser)` (argparse, so errors and
usage come for free) and `run(ctx, args)`. A command whose output is data
sets `json_output = True`: it gets a `--json` flag, returns the data from
`run`, and renders text in `format(data)`. `@command` adds the class to
the module-level registry that `default_registry()` returns after importing
every module of `trapscope.tools.monitor.commands`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Protocol, Type

from trapscope.machine.debug import Debug

Writer = Callable[[str], None]


class MonitorError(Exception):
    """A command cannot do what was asked; the message is shown as is."""


class SessionView(Protocol):
    """The debugging session a command runs in: gdb's (rspserver) or the console's."""

    physical: bool  # memory accesses use physical addresses

    @property
    def hart(self) -> int:
        """The selected hart."""
        ...


@dataclass
class LocalSession:
    """A session of one's own (the console, tests): a hart and a memory mode."""

    hart: int = 0
    physical: bool = False


@dataclass
class MonitorContext:
    """What a running command may use."""

    debug: Debug
    machine: Any  # the Machine (kernel views will need more than Debug)
    session: SessionView
    write: Writer
    registry: Registry
    state: Dict[str, Any]  # per-machine state kept between commands (e.g. caught traps)
    reset: Callable[[], Any] | None = None  # resets the machine and tells the debuggers

    def writeln(self, text: str = "") -> None:
        """Write one line."""
        self.write(text + "\n")


class _Parser(argparse.ArgumentParser):
    """argparse that raises MonitorError instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise MonitorError(f"{self.prog}: {message}\nusage: {self.format_usage().split(':', 1)[1].strip()}")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        raise MonitorError((message or "").strip())


class Command:
    """One monitor command. Subclass, set the class attributes, decorate with @command."""

    name: str = ""
    summary: str = ""  # one line for `help`
    description: str = ""  # shown by `help NAME`
    json_output: bool = False  # the command returns data; adds --json

    def __init__(self) -> None:
        self.parser = _Parser(prog=self.name, description=self.description, add_help=False)
        self.add_arguments(self.parser)
        if self.json_output:
            self.parser.add_argument("--json", action="store_true", help="print the data as JSON")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the arguments (none by default)."""

    def run(self, ctx: MonitorContext, args: argparse.Namespace) -> Any:
        """Do the work; return data (rendered by `format`, or as JSON) or None."""
        raise NotImplementedError

    def format(self, data: Any) -> str:
        """Text for the data `run` returned."""
        return json.dumps(data, indent=2)

    def usage(self) -> str:
        return self.parser.format_usage().split(":", 1)[1].strip()

    def help_text(self) -> str:
        return self.parser.format_help()

    def completions(self) -> List[str]:
        """Words that may follow the command name: options and fixed choices."""
        words: List[str] = []
        for action in self.parser._actions:
            words += action.option_strings
            if action.choices:
                words += [str(c) for c in action.choices]
        return words

    def execute(self, ctx: MonitorContext, argv: List[str]) -> None:
        args = self.parser.parse_args(argv)
        data = self.run(ctx, args)
        if data is None:
            return
        if getattr(args, "json", False):
            ctx.writeln(json.dumps(data, indent=2))
        else:
            text = self.format(data)
            ctx.write(text if text.endswith("\n") or not text else text + "\n")


class Registry:
    """Commands by name."""

    def __init__(self) -> None:
        self.commands: Dict[str, Command] = {}

    def add(self, cls: Type[Command]) -> Type[Command]:
        if not cls.name or cls.name in self.commands:
            raise ValueError(f"monitor command {cls.name!r}: no name, or declared twice")
        self.commands[cls.name] = cls()
        return cls

    def names(self) -> List[str]:
        return sorted(self.commands)

    def find(self, word: str) -> Command:
        """The command called `word`, or the only one it abbreviates."""
        if word in self.commands:
            return self.commands[word]
        matches = [n for n in self.commands if n.startswith(word)]
        if len(matches) == 1:
            return self.commands[matches[0]]
        if matches:
            raise MonitorError(f"'{word}' is ambiguous: {', '.join(sorted(matches))}")
        raise MonitorError(f"unknown monitor command '{word}'; 'help' lists the commands")

    def completions(self) -> Dict[str, List[str]]:
        """For completers: every command name and the words that may follow it."""
        return {name: self.commands[name].completions() for name in self.names()}


_DEFAULT = Registry()


def command(cls: Type[Command]) -> Type[Command]:
    """Class decorator: add a command to the default registry."""
    return _DEFAULT.add(cls)


def default_registry() -> Registry:
    """The registry of every command module in `trapscope.tools.monitor.commands`."""
    from trapscope.tools.monitor import commands

    for info in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"{commands.__name__}.{info.name}")
    return _DEFAULT


def parse_int(text: str, what: str = "number") -> int:
    """An integer in C notation (0x.., 0o.., 0b.. or decimal); MonitorError if not."""
    try:
        return int(text.replace("_", ""), 0)
    except ValueError:
        raise MonitorError(f"bad {what}: {text!r}") from None


@dataclass
class Monitor:
    """A registry bound to one machine. Calling it runs one line (the RSP server's
    `MonitorRunner`): `monitor(line, session, write)`."""

    registry: Registry
    debug: Debug
    machine: Any = None
    reset: Callable[[], Any] | None = None
    state: Dict[str, Any] = field(default_factory=dict)

    def __call__(self, line: str, session: SessionView, write: Writer) -> None:
        self.run_line(line, session, write)

    def context(self, session: SessionView, write: Writer) -> MonitorContext:
        return MonitorContext(self.debug, self.machine, session, write, self.registry,
                              self.state, self.reset)

    def run_line(self, line: str, session: SessionView, write: Writer) -> bool:
        """Run one command line; errors are written, not raised. True if it succeeded."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            write(f"monitor: {exc}\n")
            return False
        if not words:
            words = ["help"]
        try:
            cmd = self.registry.find(words[0])
            cmd.execute(self.context(session, write), words[1:])
        except MonitorError as exc:
            write(f"{exc}\n")
            return False
        return True
