"""Run a program on the machine headless: guest serial on stdout, exit status from the guest.

Exit status: the guest's own (0 on a clean poweroff through SBI SRST or the
test/syscon device; the syscon fail code; the HTIF `tohost` code; 1 for an
SRST shutdown with reason "system failure"), 124 when --max-insns ran out,
130 when stopped with Ctrl-A x or Ctrl-C, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
import time

from trapscope.machine.debug import StopReason
from trapscope.tools.machine_opts import add_machine_arguments, machine_from_args

HELP = "run a program headless (guest serial on stdout, exit status from the guest)"
EXIT_INSN_LIMIT = 124
EXIT_INTERRUPTED = 130


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`run`'s options: the machine's, plus --max-insns and --stats."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_machine_arguments(parser)
    parser.add_argument("--max-insns", type=_positive, metavar="N",
                        help=f"stop after N instructions, all harts together, each exception taken "
                             f"counting as one (as in QEMU's execution log), with status {EXIT_INSN_LIMIT}")
    parser.add_argument("--stats", action="store_true",
                        help="print instructions, seconds and MIPS to stderr at the end")


def _positive(text: str) -> int:
    value = int(text, 0)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def main(args: argparse.Namespace) -> int:
    """Build the machine, run it to the end, report."""
    machine = machine_from_args(args)
    machine.set_quit_action(machine.debug.request_halt)  # Ctrl-A x: halt, and so end, the run
    start = time.perf_counter()
    try:
        stop = machine.run(max_insns=args.max_insns)
    finally:
        machine.close()
    seconds = time.perf_counter() - start
    insns = machine.instructions()
    if args.stats:
        mips = insns / seconds / 1e6 if seconds > 0 else 0.0
        print(f"trapscope run: {insns} instructions in {seconds:.3f} s, {mips:.2f} MIPS", file=sys.stderr)
    if stop.reason is StopReason.EXITED:
        code = stop.exit_code or 0
        return code & 0xFF or (1 if code else 0)
    if stop.reason is StopReason.INSN_LIMIT:
        print(f"trapscope run: stopped at the --max-insns limit ({args.max_insns}) "
              f"after {insns} instructions retired", file=sys.stderr)
        return EXIT_INSN_LIMIT
    print(f"trapscope run: stopped ({stop.reason.value}) at pc {stop.pc:#x} on hart {stop.hart}",
          file=sys.stderr)
    return EXIT_INTERRUPTED
