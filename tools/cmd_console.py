"""Attach the console to a machine served elsewhere.

    trapscope serve --no-console --console-listen 127.0.0.1:4321 &
    trapscope console --connect 127.0.0.1:4321

The console is the one `trapscope serve` shows on its terminal: the guest's
serial output, the monitor's output, a status bar (harts, last stop, gdb)
and a command line for monitor commands (`help` lists them) and the
console's own: continue (F5), halt (F6), step [N] (F7), hart [N], quit.
F2 switches to guest mode, where keystrokes go to the guest's UART (Ctrl-A
c comes back). gdb can stay attached to the server's RSP port meanwhile:
both drive the same machine. Leaving this console (Ctrl-D, `quit`) leaves
the server running.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from trapscope.tools.errors import UserError

HELP = "attach the console to a `trapscope serve --console-listen` elsewhere"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--connect", metavar="HOST:PORT", required=True,
                        help="the server's console channel (its --console-listen address)")


def main(args: argparse.Namespace) -> int:
    from trapscope.rspserver.server import parse_listen

    try:
        host, port = parse_listen(args.connect)
    except ValueError as exc:
        raise UserError(f"--connect: {exc}") from None
    if port == 0:
        raise UserError("--connect: port 0 is not a server's port (want HOST:PORT)")
    state = asyncio.run(_attach(host, port))
    if state.closed_reason:
        print(f"trapscope console: {state.closed_reason}", file=sys.stderr)
        return 1
    return 0


async def _attach(host: str, port: int):
    from trapscope.tools.console.app import run_console
    from trapscope.tools.console.remote import ChannelError, connect

    try:
        backend = await connect(host, port)
    except ChannelError as exc:
        raise UserError(str(exc)) from None
    if not _on_terminal():
        backend.close()
        raise UserError("the console needs a terminal (stdin and stdout)")
    return await run_console(backend)


def _on_terminal() -> bool:
    try:
        return os.isatty(sys.stdin.fileno()) and os.isatty(sys.stdout.fileno())
    except (OSError, ValueError):
        return False
