"""`trapscope bench [machine|rsp|all] [ARGS...]`: benchmarks against QEMU, measured in the same run.

Each benchmark is a module `trapscope.tools.bench.<name>` with
`main(argv) -> int`; ARGS go to it (`trapscope bench machine --help`).
"""

from __future__ import annotations

import argparse
import importlib

from trapscope.tools.errors import UserError

HELP = "benchmarks against QEMU: machine speed (MIPS) and the RSP server's latency"
BENCHMARKS = ("machine", "rsp")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", nargs="?", default="all", choices=(*BENCHMARKS, "all"),
                        help="which benchmark (default: all)")
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="arguments for that benchmark (see `trapscope bench WHAT --help`)")


def main(args: argparse.Namespace) -> int:
    names = BENCHMARKS if args.what == "all" else (args.what,)
    if args.what == "all" and args.args:
        raise UserError("arguments go to one benchmark: trapscope bench machine|rsp ARGS...")
    status = 0
    for name in names:
        try:
            module = importlib.import_module(f"trapscope.tools.bench.{name}")
        except ModuleNotFoundError as exc:
            raise UserError(f"benchmark {name!r} is not available ({exc.name} is missing)") from None
        status = module.main(list(args.args)) or status
    return status
