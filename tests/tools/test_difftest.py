"""difftest end to end: QEMU against trapscope on the ISA tests and on an
S-mode boot through Debian's OpenSBI, a difference it must catch, and the
command line.

The ISA tests whose path depends on when interrupts land (interrupts.S,
plic.S) are left out: the two machines' clocks differ, so the interrupts
arrive at different instructions (see trapscope.tools.difftest.engine).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from trapscope.tools.difftest import guests, qemu
from trapscope.tools.difftest.engine import Difftest, Options
from trapscope.tools.difftest.trace import record

OPENSBI = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf")
COMPARED = [n for n in guests.isa_test_names() if n not in guests.TIMING_DEPENDENT]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trapscope.tools.cli", "difftest", *args],
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.mark.parametrize("name", COMPARED)
def test_isa_test_runs_clean(name: str) -> None:
    """Every instruction of the ISA test has the same pc on both, every
    checkpoint the same state, and both exit with the same status."""
    report = Difftest(Options(elf=guests.build_isa_test(name), interval=2000)).run()
    assert report.divergence is None, f"{name}: {report.divergence}"
    assert report.ended == "exit"
    assert report.reached == report.trace_length > 100
    assert report.qemu_exit == report.our_exit == 0
    assert report.checkpoints >= 1


def test_opensbi_boot_first_two_million_instructions() -> None:
    """fw_jump.elf booting the S-mode payload: clean for 2,000,000 instructions."""
    assert OPENSBI.is_file(), "Debian's opensbi package is not installed (tools/dev setup)"
    report = Difftest(Options(elf=guests.build_sbi_payload(), bios=str(OPENSBI),
                              max_insns=2_000_000, interval=20_000)).run()
    assert report.divergence is None, str(report.divergence)
    assert report.ended == "limit"
    assert report.reached == 2_000_000
    assert report.checkpoints >= 50


def test_builtin_sbi_against_qemus_opensbi() -> None:
    """--bios builtin: QEMU's own OpenSBI against trapscope's built-in SBI.
    The payload's S-mode instructions match one for one; every SBI call is one
    instruction on both, its results taken from QEMU."""
    report = Difftest(Options(elf=guests.build_sbi_payload(), bios="builtin")).run()
    assert report.divergence is None, str(report.divergence)
    assert report.ended == "exit" and report.qemu_exit == report.our_exit == 0
    assert report.trace_length > 1000 and report.hidden == 0  # firmware not even logged
    sbi = [s for s in report.syncs if s.why == "sbi"]
    assert len(sbi) >= 2 * 50  # a0 and a1 of every console putchar and BASE call
    assert any(s.why == "entry" for s in report.syncs)


def test_counter_reads_take_qemus_values() -> None:
    """counters.S reads cycle, time and instret: each read is synchronised,
    and at least one really differed before (the clocks are not the same)."""
    report = Difftest(Options(elf=guests.build_isa_test("counters"))).run()
    assert report.clean
    assert len(report.syncs) >= 20
    assert any(s.value != s.ours for s in report.syncs)


def test_a_corrupted_register_is_pinpointed() -> None:
    """a1 corrupted before instruction 500: the report names the first
    instruction after which the states differ, and both values of a1."""
    elf = guests.build_isa_test("rv64i")
    report = Difftest(Options(elf=elf, interval=300, inject=(500, 11, 0x1234))).run()
    d = report.divergence
    assert d is not None and not report.clean
    assert d.index == 501
    trace = record(qemu.machine_args(elf, qemu.BIOS_NONE) + ["-serial", "null"], 1000)
    assert d.insn_pc == trace.pcs[500]
    a1 = [(q, o) for name, q, o in d.differing if name == "a1"]
    assert a1 and a1[0][1] == 0x1234 and a1[0][0] != 0x1234


def test_cli_reports_the_instruction_count_reached() -> None:
    """A clean run says so, with the count, and exits 0."""
    res = _cli(str(guests.build_isa_test("rv64m")))
    assert res.returncode == 0, res.stdout + res.stderr
    last = res.stdout.strip().splitlines()[-1]
    assert last.startswith("result: CLEAN: reached instruction ")
    assert "both exited with status 0" in last


def test_cli_reports_a_divergence() -> None:
    """An injected difference: exit status 1, the instruction and the registers."""
    res = _cli("--inject", "300:s5=7", "--interval", "200", str(guests.build_isa_test("rv64m")))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "result: DIVERGENCE at instruction 301" in res.stdout
    assert "after pc 0x" in res.stdout
    assert "s5 " in res.stdout


@pytest.mark.parametrize("args,message", [
    (["/no/such.elf"], "no such ELF file"),
    (["--bios", "/no/such/fw.elf", "ELF"], "no such firmware file"),
    (["--inject", "12:q9=1", "ELF"], "no integer register"),
    (["--max-insns", "0", "ELF"], "must be a positive number"),
])
def test_cli_bad_input_is_one_line(args: list, message: str) -> None:
    """Bad input: status 2, one line, no traceback."""
    elf = str(guests.build_isa_test("rv64m"))
    res = _cli(*[elf if a == "ELF" else a for a in args])
    assert res.returncode == 2
    assert message in res.stderr
    assert "Traceback" not in res.stderr
