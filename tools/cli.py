"""The `trapscope` command: one subcommand per module.

Each subcommand lives in its own module under `trapscope.tools` that provides

    HELP: str                                   one line for `trapscope --help`
    add_arguments(parser: argparse.ArgumentParser) -> None
    main(args: argparse.Namespace) -> int       the exit status

Bad input is answered by raising `UserError` (or argparse's own errors): one
clear line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Optional, Sequence

from trapscope.tools.errors import UserError

# name -> module; modules that do not exist yet are left out of --help.
SUBCOMMANDS = {
    "run": "trapscope.tools.cmd_run",
    "serve": "trapscope.tools.cmd_serve",
    "build": "trapscope.tools.cmd_build",
    "repro": "trapscope.tools.cmd_repro",
    "bench": "trapscope.tools.cmd_bench",
    "console": "trapscope.tools.cmd_console",
    "difftest": "trapscope.tools.cmd_difftest",
}


def _load(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand that exists."""
    parser = argparse.ArgumentParser(
        prog="trapscope",
        description="A RISC-V virt machine in Python for debugging a teaching kernel "
        "with gdb-multiarch and a kernel-aware monitor.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module_name in SUBCOMMANDS.items():
        module = _load(module_name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(p)
        p.set_defaults(_main=module.main)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the `trapscope` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args._main(args)
    except UserError as exc:
        print(f"trapscope {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
