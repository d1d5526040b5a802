"""Every instruction in machine/isa's INSNS is executed by some test program here.

The programs the machine tests run (the QEMU-compared semantics and
privileged probes and the engine/debug programs) are disassembled with
`objdump -M no-aliases`, which names compressed instructions by their `c.`
mnemonic and CSR pseudo-instructions by their real one.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Set

from trapscope.machine.isa import INSNS

from tests.machine import privprobe, semantics, test_debug, test_engine
from tests.machine.build import build

_LINE = re.compile(r"^\s+[0-9a-f]+:\s+[0-9a-f]+\s+(\S+)\s*(\S*)")


def _mnemonics(elf: Path) -> Set[str]:
    out = subprocess.run(["riscv64-linux-gnu-objdump", "-d", "-M", "no-aliases", str(elf)],
                         check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        m = _LINE.match(line)
        if m:
            name = re.sub(r"\.(aqrl|aq|rl)$", "", m.group(1))
            if name == "c.addi" and m.group(2).startswith("zero,"):
                name = "c.nop"  # objdump's name for c.nop without aliases
            names.add(name)
    return names


def test_every_instruction_is_exercised():
    elves = [build(f"sem-{name}", make().source()) for name, make in semantics.PROGRAMS.items()]
    elves.append(build("privprobe", privprobe.program().source()))
    elves.append(build("dbgprog", test_debug.PROGRAM))
    elves += [build(n, src) for n, src in (("precise", test_engine.PRECISE), ("smc", test_engine.SMC),
                                           ("spaces", test_engine.SPACES), ("timer", test_engine.TIMER))]
    seen: Set[str] = set()
    for elf in elves:
        seen |= _mnemonics(elf)
    missing = sorted(set(INSNS) - seen)
    assert not missing, f"instructions no machine test executes: {', '.join(missing)}"
