"""The machine options `trapscope run` and `trapscope serve` share.

    add_machine_arguments(parser)   --bios --smp --mem --append --drive --serial --dtb [ELF]
    machine_from_args(args)         -> Machine, or UserError with one line

With no ELF the machine runs the default kernel, kernel/build/kernel.elf,
built or brought up to date first (as the last `trapscope build` asked). `--serial`
defaults to "stdio"; a subcommand that wants another default calls
`parser.set_defaults(serial=...)` after `add_machine_arguments`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from trapscope.machine.board import Machine
from trapscope.machine.config import BIOS_BUILTIN, BIOS_NONE, ConfigError, MachineConfig
from trapscope.tools.errors import UserError

SERIAL_HELP = (
    "where the guest's UART goes (default stdio). "
    "stdio, for `run` and for `serve` without its console (--no-console, or stdin or stdout "
    "not a terminal): output on stdout, input from stdin; a terminal is put in raw mode, so "
    "every key goes to the guest (Ctrl-C too), Ctrl-A Ctrl-A sends Ctrl-A, and Ctrl-A x quits "
    "(`run`: halts the guest, status 130; `serve`: ends serve, status 0). "
    "stdio, for `serve` with its console: the console's serial pane (F2 switches to guest "
    "mode, whose keys go to the guest; Ctrl-A c returns to the monitor, Ctrl-A x quits serve). "
    "tcp:HOST:PORT: a listening socket; one client at a time gets the output and sends input "
    "(output with no client is dropped). file:PATH: output written to PATH, no input. none: "
    "output dropped, no input. Under `serve`, the console and any console attached through "
    "--console-listen also show the output and can type into the UART, whichever value is given."
)


def add_machine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the machine options and the optional ELF argument to a subcommand."""
    g = parser.add_argument_group("machine")
    g.add_argument("--bios", default=BIOS_BUILTIN, metavar="builtin|none|FILE",
                   help="firmware: the built-in SBI (default), none (ELF runs in M-mode from "
                        "0x80000000), or a firmware ELF/binary such as OpenSBI's fw_jump.elf")
    g.add_argument("--smp", type=int, default=2, metavar="N", help="number of harts (default 2)")
    g.add_argument("--mem", type=int, default=128, metavar="MiB", help="RAM size in MiB (default 128)")
    g.add_argument("--append", default="", metavar="ARGS",
                   help="kernel command line (/chosen/bootargs in the device tree)")
    g.add_argument("--drive", metavar="IMG", help="raw disk image for the virtio block device at 0x10001000")
    g.add_argument("--serial", default="stdio", metavar="stdio|tcp:HOST:PORT|file:PATH|none",
                   help=SERIAL_HELP)
    g.add_argument("--dtb", metavar="FILE",
                   help="use this device tree blob instead of the generated one (--append is then ignored)")
    parser.add_argument("elf", nargs="?", metavar="ELF",
                        help="program to run (default: the kernel, kernel/build/kernel.elf, built or "
                             "rebuilt first as the last `trapscope build` asked)")


def default_program() -> Path:
    """The default kernel, kernel/build/kernel.elf, brought up to date (built in
    seconds on first use; a missing cross compiler is a UserError)."""
    from trapscope.kernel.build import BuildError, current_kernel
    try:
        return current_kernel()
    except BuildError as exc:
        raise UserError(f"building the default kernel failed: {exc}") from None


def _program(args: argparse.Namespace) -> str:
    if args.elf is not None:
        if not os.path.isfile(args.elf):
            raise UserError(f"no such ELF file: {args.elf}")
        return args.elf
    if args.bios == BIOS_NONE:
        raise UserError("--bios none needs an ELF to run in M-mode")
    return str(default_program())


def config_from_args(args: argparse.Namespace) -> MachineConfig:
    """The MachineConfig the options describe (files are checked when the machine is built)."""
    if args.bios not in (BIOS_BUILTIN, BIOS_NONE) and not os.path.isfile(args.bios):
        raise UserError(f"no such firmware file: {args.bios}")
    if args.drive is not None and not os.path.isfile(args.drive):
        raise UserError(f"no such disk image: {args.drive}")
    if args.dtb is not None and not os.path.isfile(args.dtb):
        raise UserError(f"no such device tree blob: {args.dtb}")
    return MachineConfig(smp=args.smp, mem_mib=args.mem, bios=args.bios, kernel=_program(args),
                         append=args.append, drive=args.drive, dtb=args.dtb, serial=args.serial)


def machine_from_args(args: argparse.Namespace) -> Machine:
    """Build the machine the options describe; bad input raises UserError."""
    try:
        return Machine(config_from_args(args))
    except ConfigError as exc:
        raise UserError(str(exc)) from None
