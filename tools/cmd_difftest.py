"""Run one ELF on qemu-system-riscv64 and on trapscope in lockstep, and report
the first instruction where the pc or any compared register differs.

Every instruction's pc is compared; the full state (pc, privilege, x1-x31,
f0-f31 and the CSRs both machines show) at checkpoints about every
--interval instructions, at every counter read, and at the end. Counter
reads (cycle, time, instret, mtime) take QEMU's value on both machines.
At a difference, both are replayed to the last matching checkpoint and
stepped together to the first instruction whose effect differs. The report
ends with the verdict and the instruction count reached.

Exit status: 0 when the run is clean, 1 at a divergence, 2 for bad input.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from trapscope.tools.difftest import qemu as Q
from trapscope.tools.difftest.regs import GPR_NAMES
from trapscope.tools.errors import UserError

HELP = "run an ELF on QEMU and on trapscope in lockstep; report the first difference"


def _positive(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """difftest's options."""
    parser.add_argument("--bios", default=Q.BIOS_NONE, metavar="none|builtin|FILE",
                        help="none (default: an M-mode ELF at 0x80000000), a firmware such as "
                             "OpenSBI's fw_jump.elf (the ELF is its S-mode payload), or builtin "
                             "(QEMU's own OpenSBI against trapscope's built-in SBI)")
    parser.add_argument("--max-insns", type=_positive, default=2_000_000, metavar="N",
                        help="compare at most N instructions (default 2000000)")
    parser.add_argument("--interval", type=_positive, default=10_000, metavar="K",
                        help="compare the full state about every K instructions (default 10000)")
    parser.add_argument("--inject", metavar="N:REG=VALUE",
                        help="corrupt trapscope's integer register REG before instruction N "
                             "(to see difftest catch a difference)")
    parser.add_argument("elf", metavar="ELF", help="the program to run")


def parse_inject(text: str | None) -> tuple | None:
    """`N:REG=VALUE` -> (N, register number, value)."""
    if text is None:
        return None
    m = re.fullmatch(r"(\w+):(\w+)=(\w+)", text)
    if not m:
        raise UserError(f"--inject wants N:REG=VALUE, not {text!r}")
    name = m.group(2)
    if name in GPR_NAMES[1:]:
        reg = GPR_NAMES.index(name)
    elif re.fullmatch(r"x([1-9]|[12]\d|3[01])", name):
        reg = int(name[1:])
    else:
        raise UserError(f"--inject: no integer register {name!r} (x1..x31 or an ABI name)")
    try:
        return int(m.group(1), 0), reg, int(m.group(3), 0) & 0xFFFFFFFFFFFFFFFF
    except ValueError:
        raise UserError(f"--inject: bad number in {text!r}") from None


def main(args: argparse.Namespace) -> int:
    """Compare, print the report, and answer 0 (clean) or 1 (divergence)."""
    from trapscope.machine.config import ConfigError
    from trapscope.machine.loader import LoadError
    from trapscope.tools.difftest.engine import Difftest, Options
    from trapscope.tools.difftest.positions import DesyncError
    from trapscope.tools.difftest.report import render
    from trapscope.tools.difftest.rsp import RspError
    from trapscope.tools.difftest.trace import TraceError

    if not os.path.isfile(args.elf):
        raise UserError(f"no such ELF file: {args.elf}")
    if args.bios not in (Q.BIOS_NONE, Q.BIOS_BUILTIN) and not os.path.isfile(args.bios):
        raise UserError(f"no such firmware file: {args.bios}")
    try:
        Q.qemu_binary()
    except Q.QemuError as exc:
        raise UserError(str(exc)) from None
    options = Options(elf=Path(args.elf), bios=args.bios, max_insns=args.max_insns,
                      interval=args.interval, inject=parse_inject(args.inject))
    try:
        report = Difftest(options).run()
    except (DesyncError, TraceError, RspError, Q.QemuError, ConfigError, LoadError) as exc:
        raise UserError(str(exc)) from None
    print(render(report))
    sys.stdout.flush()
    return 0 if report.clean else 1
