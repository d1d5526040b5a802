"""QEMU's own record of every instruction it executes.

`-d exec,nochain -singlestep` makes QEMU translate one instruction per
block and log every block it enters ("Trace 0: HOST [CSBASE/PC/FLAGS/CFLAGS]"),
so the log lists the pc of every instruction QEMU starts, in order, a
trapping one included (its handler's first instruction follows it).
The TB flags' low 3 bits are QEMU's MMU index: 3 = M mode (or M with MPRV),
0 = U, 1/2 = S. Some logged blocks do not run: under -icount an
instruction touching a device is started, rewound and run again, and a
block is abandoned when QEMU's instruction budget runs out; QEMU says so
in the log (NOT_RUN) and those lines are dropped.

Recording stops after a given number of instructions (QEMU is killed), so a
program that never ends can be traced too.
"""

from __future__ import annotations

import subprocess
from array import array
from dataclasses import dataclass, field
from typing import List, Sequence

from trapscope.tools.difftest import qemu as Q

TRACE_ARGS = ("-singlestep", "-d", "exec,nochain")
# With the firmware hidden, QEMU need not log its reset ROM (0x1000..0xffff)
# nor its firmware (0x80000000 up to the kernel at 0x80200000) at all.
FIRMWARE_FILTER = ("-dfilter", "0..0xfff,0x10000..0x7fffffff,0x80200000..0xffffffffffffffff")
# Lines saying that the block just logged did not run after all: an
# instruction touching a device under -icount is rewound and run again, and a
# block is abandoned when the instruction budget runs out (every 65536).
NOT_RUN = (b"cpu_io_recompile: rewound", b"Stopped execution of TB chain before")


class TraceError(Exception):
    """QEMU could not be traced; the message is one line."""


@dataclass
class Trace:
    """The pcs QEMU executed, in order, and how its run ended."""

    pcs: array = field(default_factory=lambda: array("Q"))
    modes: bytearray = field(default_factory=bytearray)  # QEMU MMU index per instruction
    exit_status: int | None = None  # QEMU's exit status when the guest ended the run
    truncated: bool = False  # stopped at the limit, not by the guest
    hidden: int = 0  # M-mode instructions left out (record(hide_machine_mode=True))

    def __len__(self) -> int:
        return len(self.pcs)



def parse_line(line: bytes) -> tuple | None:
    """(pc, mmu index) of one exec log line, None for any other line."""
    if not line.startswith(b"Trace "):
        return None
    lb = line.find(b"[")
    if lb < 0:
        return None
    parts = line[lb + 1 : line.find(b"]", lb)].split(b"/")
    if len(parts) < 3:
        return None
    return int(parts[1], 16), int(parts[2], 16) & 7


def record(args: Sequence[str], limit: int, *, hide_machine_mode: bool = False,
           timeout: float = 600.0) -> Trace:
    """Run QEMU with `args` (a full command line without tracing options) and
    record up to `limit` + 1 instructions (the extra one tells whether the
    run went on past the limit). With `hide_machine_mode`, M-mode
    instructions are left out: QEMU does not log the ROM and firmware
    ranges, and M-mode lines elsewhere are only counted in `hidden`."""
    cmd = [*args, *TRACE_ARGS, *Q.DETERMINISM, *(FIRMWARE_FILTER if hide_machine_mode else ())]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, bufsize=1 << 20)
    trace = Trace()
    other: List[bytes] = []
    last_kept = False
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            entry = parse_line(line)
            if entry is None:
                if line.startswith(NOT_RUN):
                    if last_kept and trace.pcs:
                        trace.pcs.pop()
                        trace.modes.pop()
                    elif not last_kept and trace.hidden:
                        trace.hidden -= 1
                elif len(other) < 20:
                    other.append(line.rstrip())
                continue
            last_kept = not (hide_machine_mode and entry[1] == 3)
            if not last_kept:
                trace.hidden += 1
                continue
            trace.pcs.append(entry[0])
            trace.modes.append(entry[1])
            if len(trace.pcs) > limit:
                trace.truncated = True
                break
    finally:
        Q.stop(proc)
    if not trace.truncated:
        trace.exit_status = proc.returncode
    if not trace.pcs:
        msg = b" / ".join(other).decode(errors="replace") or "no output"
        raise TraceError(f"QEMU produced no instruction trace: {msg}")
    return trace


def mode_name(mmu_index: int) -> str:
    """A privilege name for a QEMU MMU index (M with MPRV shows as the MPP mode)."""
    return {0: "U", 1: "S", 2: "S", 3: "M"}.get(mmu_index, "?")
