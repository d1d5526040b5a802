"""Every instruction the machine implements appears in at least one ISA test.

The machine's instruction table (`trapscope.machine.isa.INSNS`) names every
instruction once, with the spec's mnemonic. The ISA test ELFs are
disassembled with the cross objdump (`-M no-aliases`, so compressed
instructions keep their `c.` names and pseudo-instructions show the real
ones) and every mnemonic found is matched against the table.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Set

from trapscope.tools.difftest import guests

OBJDUMP = "riscv64-linux-gnu-objdump"
LINE = re.compile(r"^\s*[0-9a-f]+:\s+([0-9a-f]{4}|[0-9a-f]{8})\s+(\S+)\s*(.*)$")


def _mnemonic(name: str, operands: str, raw: str) -> str:
    """objdump's spelling -> the spec's (and the machine table's) name."""
    if name == "c.addi" and raw == "0001":
        return "c.nop"
    if name == "fence.tso":
        return "fence"
    return re.sub(r"\.(aqrl|aq|rl)$", "", name)  # the ordering bits are not another instruction


def mnemonics(elf: Path) -> Set[str]:
    """The instruction mnemonics in an ELF's executable sections."""
    res = subprocess.run([OBJDUMP, "-d", "-M", "no-aliases", str(elf)],
                         capture_output=True, text=True, check=True)
    found = set()
    for line in res.stdout.splitlines():
        m = LINE.match(line)
        if m and not m.group(2).startswith("."):
            found.add(_mnemonic(m.group(2), m.group(3), m.group(1)))
    return found


def _all_test_mnemonics() -> Set[str]:
    found: Set[str] = set()
    for name in guests.isa_test_names():
        found |= mnemonics(guests.build_isa_test(name))
    return found


def test_every_machine_instruction_is_tested() -> None:
    """INSNS minus the mnemonics in the ISA tests is empty."""
    from trapscope.machine.isa import INSNS

    missing = sorted(set(INSNS) - _all_test_mnemonics())
    assert not missing, f"instructions in machine/isa with no ISA test: {missing}"


def test_the_disassembly_is_parsed() -> None:
    """The parser sees what the tests contain: compressed names, c.nop, csr forms."""
    found = mnemonics(guests.build_isa_test("rvc"))
    assert {"c.addi16sp", "c.nop", "c.ebreak", "c.jalr", "c.fldsp"} <= found
    atomics = mnemonics(guests.build_isa_test("rv64a"))
    assert {"amoadd.d", "lr.w", "sc.d"} <= atomics and not any(m.endswith(".aq") for m in atomics)
    assert "csrrs" in mnemonics(guests.build_isa_test("zicsr"))
    assert not any(m.startswith("0x") or m.startswith("<") for m in found)
