"""The ISA tests (tests/isa/*.S): each must pass on QEMU and on trapscope.

A test exits with status 0 when every case passes, or with the number of the
first failing case (see isa.h). QEMU is the oracle that keeps the tests
honest; trapscope must give the same status through `trapscope run --bios
none`. The HTIF builds (-DEXIT_HTIF) report through `tohost` instead of the
syscon device, which QEMU's virt lacks, so only trapscope runs them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from trapscope.tools.difftest import guests, qemu

NAMES = guests.isa_test_names()
# A test that loops forever must not hang CI: trapscope stops it here
# (every test needs well under a million instructions).
MAX_INSNS = 5_000_000
RUN_TIMEOUT = 900  # seconds; only a guard against a hang, never an assertion on speed
EXIT_INSN_LIMIT = 124


def _case_source(name: str, case: int) -> str:
    """The source line that starts case `case` of tests/isa/NAME.S, with the
    first line of the comment above it."""
    lines = (guests.ISA_DIR / f"{name}.S").read_text().splitlines()
    pattern = re.compile(rf"(\(|li gp, ){case}\b")
    for number, line in enumerate(lines, 1):
        if pattern.search(line):
            above = [text.strip() for text in lines[max(0, number - 13):number - 1] if "/*" in text]
            return f"{name}.S:{number}: {line.strip()}" + (f"  [{above[-1]}]" if above else "")
    return f"{name}.S: (no line for case {case})"


def _verdict(name: str, status: int) -> str:
    if status == 0:
        return "passed"
    if status == EXIT_INSN_LIMIT:
        return "ran out of instructions (no exit)"
    if status == 255:
        return "failed outside any case (unexpected trap?)"
    return f"failed case {status}: {_case_source(name, status)}"


def run_trapscope(elf: Path) -> subprocess.CompletedProcess:
    """`trapscope run --bios none --smp 1` on an ISA test ELF."""
    cmd = [sys.executable, "-m", "trapscope.tools.cli", "run", "--bios", "none", "--smp", "1",
           "--serial", "none", "--max-insns", str(MAX_INSNS), str(elf)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)


def test_every_area_has_a_test() -> None:
    """The areas the ISA tests must cover each have their file."""
    areas = {"rv64i", "rv64m", "rv64a", "rv64a_misaligned", "rv64f", "rv64d", "fcvt", "fp_misc",
             "rvc", "zicsr", "zifencei", "counters", "priv", "paging", "interrupts", "plic"}
    assert areas <= set(NAMES), f"missing ISA tests: {sorted(areas - set(NAMES))}"


@pytest.mark.parametrize("name", NAMES)
def test_on_qemu(name: str) -> None:
    """The test passes on qemu-system-riscv64 (the oracle)."""
    elf = guests.build_isa_test(name)
    res = qemu.run(elf, qemu.BIOS_NONE, timeout=RUN_TIMEOUT)
    assert res.returncode == 0, f"{name} on QEMU: {_verdict(name, res.returncode)}"


@pytest.mark.parametrize("name", NAMES)
def test_on_trapscope(name: str) -> None:
    """The test passes on trapscope, as on QEMU."""
    elf = guests.build_isa_test(name)
    res = run_trapscope(elf)
    assert res.returncode == 0, f"{name} on trapscope: {_verdict(name, res.returncode)}\n{res.stderr[-2000:]}"


@pytest.mark.parametrize("name", guests.HTIF_TESTS)
def test_htif_on_trapscope(name: str) -> None:
    """The HTIF build (tohost/fromhost in a .tohost section) passes on trapscope."""
    elf = guests.build_isa_test(name, htif=True)
    res = run_trapscope(elf)
    assert res.returncode == 0, f"{name} (HTIF) on trapscope: {_verdict(name, res.returncode)}\n{res.stderr[-2000:]}"


def test_a_failing_case_is_reported_by_number(tmp_path: Path) -> None:
    """The frame itself: a test whose case 7 fails exits with 7 on both."""
    src = tmp_path / "failing.S"
    src.write_text('#include "isa.h"\nTEST_BEGIN\n'
                   "    TEST_CASE(6, a0, 1, li a0, 1)\n"
                   "    TEST_CASE(7, a0, 2, li a0, 3)\n"
                   "    TEST_END\n")
    elf = guests.cross_build("failing", src, guests.ISA_DIR, guests.ISA_DIR / "link.ld", ())
    assert qemu.run(elf, qemu.BIOS_NONE, timeout=RUN_TIMEOUT).returncode == 7
    assert run_trapscope(elf).returncode == 7
