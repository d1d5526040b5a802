"""Build the guest kernel and its user programs into kernel/build/kernel.elf.

The result becomes the current kernel, the one `trapscope run` and
`trapscope serve` boot when given no ELF.  Builds are cached by content:
an unchanged tree rebuilds nothing, and the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from trapscope.kernel import build as kbuild
from trapscope.tools.errors import UserError

HELP = "build the guest kernel (optionally with one of the seeds' bugs put back)"


def _bug_list() -> str:
    width = max(len(name) for name in kbuild.BUGS)
    lines = [f"  {name:<{width}}  {text}" for name, text in kbuild.BUGS.items()]
    return "bugs (--bug NAME, off by default; the fixed kernel is the default):\n" + "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        _bug_list()
        + "\n\n--add FILE puts a static riscv64 Linux executable at /bin/NAME; --add DIR puts"
        "\nthe directory at /bin/DIR with its tree (data files too).  Run one with"
        "\n`trapscope run --append 'init=/bin/NAME arg ...'`."
    )
    parser.add_argument("--bug", action="append", default=[], metavar="NAME",
                        choices=sorted(kbuild.BUGS),
                        help="put this seed bug back into the kernel (repeatable)")
    parser.add_argument("--add", action="append", default=[], metavar="FILE_OR_DIR",
                        help="add a program (or a directory) under /bin in the initramfs")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="parallel compiler processes (default: one per core)")


def main(args: argparse.Namespace) -> int:
    for item in args.add:
        if not Path(item).exists():
            raise UserError(f"--add {item}: no such file or directory")
    try:
        elf = kbuild.build_kernel(args.bug, args.add, jobs=args.jobs)
    except kbuild.BuildError as exc:
        raise UserError(str(exc)) from None
    installed = kbuild.install_kernel(elf, args.bug, args.add)
    try:
        shown = installed.relative_to(Path.cwd())
    except ValueError:
        shown = installed
    notes = []
    if args.bug:
        notes.append("bugs: " + ", ".join(args.bug))
    if args.add:
        notes.append("added: " + ", ".join(args.add))
    print(f"{shown}" + (f" ({'; '.join(notes)})" if notes else ""))
    return 0
