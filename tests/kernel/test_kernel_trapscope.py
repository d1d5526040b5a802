"""The kernel on trapscope's own machine prints what it prints on QEMU:
`trapscope run --smp 2 --append init=tests` with the built-in SBI and with
Debian's OpenSBI fw_jump.elf, compared with qemu-system-riscv64 -machine
virt -smp 2: the same verdicts, the same transcript (every line the test
programs print, and the kernel's fatal-signal lines), no frames leak.  Then
the smaller things on trapscope alone: console input through `trapscope run`'s
stdin, failures as the exit status, an added program as init, memory size
and hart count taken from the device tree."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import pytest
from kernel_runner import (
    OPENSBI_JUMP,
    SHELL_APPEND,
    SHELL_SESSION,
    RunResult,
    check_shell_session,
    require,
    run_qemu,
    run_trapscope,
)
from trapscope.kernel.build import build_kernel, list_tests

# trapscope runs a few million instructions per second at best and the test
# programs retire about a hundred million, so allow for a slow machine.
TRAPSCOPE_TIMEOUT = 1800
BIOSES = {"builtin-sbi": None, "opensbi-fw_jump": OPENSBI_JUMP}


@pytest.fixture(scope="module")
def full_runs(kernel_elf) -> Dict[str, RunResult]:
    """init=tests on QEMU, then on trapscope with each firmware side by side
    (one per core; QEMU goes first so its two vCPUs have the cores)."""
    assert Path(OPENSBI_JUMP).exists(), \
        f"{OPENSBI_JUMP} missing: install Debian's opensbi (tools/dev setup)"
    runs = {"qemu": run_qemu(kernel_elf, "init=tests", smp=2)}
    with ThreadPoolExecutor(max_workers=len(BIOSES)) as pool:
        futures = {name: pool.submit(run_trapscope, kernel_elf, "init=tests", smp=2, bios=bios,
                                     timeout=TRAPSCOPE_TIMEOUT)
                   for name, bios in BIOSES.items()}
        runs.update({name: f.result() for name, f in futures.items()})
    return runs


def transcript(result: RunResult) -> List[str]:
    """What must match between machines: from the kernel's banner to the
    summary, every line but the kernel's own, except its fatal-signal lines
    (with pids and tids left out)."""
    out = result.output
    start = out.find("\ntrapscope kernel (boot hart")
    assert start >= 0, result.transcript()
    lines = []
    for line in out[start:].splitlines()[2:]:
        if line.startswith("[kernel]"):
            if " killed by " not in line:
                continue
            line = re.sub(r"\b(pid|tid) \d+", r"\1 N", line)
        lines.append(line)
        if line.startswith("tests: "):
            break
    return lines


@pytest.mark.parametrize("name", list(BIOSES))
def test_trapscope_prints_what_qemu_prints(full_runs, name):
    qemu, result = full_runs["qemu"], full_runs[name]
    assert qemu.status == 0, qemu.transcript()
    assert qemu.verdicts() == [f"PASS {n}" for n in list_tests()], qemu.transcript()
    assert result.verdicts() == qemu.verdicts(), result.transcript()
    assert result.summary() == (len(list_tests()), 0), result.transcript()
    before, after = result.frames()
    assert before == after, f"{before - after} frames leaked\n{result.transcript()}"
    assert result.status == 0, result.transcript()
    assert transcript(result) == transcript(qemu), result.transcript()
    assert any(" killed by SIGSEGV" in line for line in transcript(result))


def test_console_line_input_through_trapscope_run_stdin(kernel_elf):
    """`trapscope run`'s stdin -> the UART -> the console's line editing -> read(0)."""
    result = run_trapscope(kernel_elf, SHELL_APPEND, interact=SHELL_SESSION, timeout=300)
    check_shell_session(result)


def test_failures_become_the_exit_status_on_trapscope(kernel_elf):
    result = run_trapscope(kernel_elf, "init=tests:nosuchtest,hello", timeout=300)
    assert result.status == 1, result.transcript()
    assert result.summary() == (1, 1), result.transcript()
    assert "FAIL nosuchtest: exec /tests/nosuchtest" in result.output, result.transcript()
    before, after = result.frames()
    assert before == after, result.transcript()


ADDED = r"""
#include <stdio.h>
int main(int argc, char **argv) {
  printf("added program: argc=%d last=%s\n", argc, argv[argc - 1]);
  return 40 + argc;
}
"""


def test_an_added_program_runs_as_init_on_trapscope(tmp_path):
    src = tmp_path / "added.c"
    src.write_text(ADDED)
    subprocess.run([require("riscv64-linux-gnu-gcc"), "-static", "-O2", str(src), "-o",
                    str(tmp_path / "added")], check=True)
    elf = build_kernel(extra=[tmp_path / "added"])
    result = run_trapscope(elf, "init=/bin/added one two", timeout=300)
    assert "added program: argc=3 last=two" in result.output, result.transcript()
    assert result.status == 43, result.transcript()


def test_memory_and_harts_come_from_the_device_tree_on_trapscope(kernel_elf):
    result = run_trapscope(kernel_elf, "init=/bin/true 7", smp=3, mem=256, timeout=300)
    assert "[kernel] 3 harts, 256 MiB RAM at 0x80000000" in result.output, result.transcript()
    assert result.status == 7, result.transcript()


def test_runs_are_deterministic(kernel_elf):
    """Two runs of threaded, preemptive, two-hart programs print the same bytes,
    down to the instruction count at power-off: hart interleaving and time
    come from retired instructions, never from the host."""
    append = "init=tests:pcthreads,smptest,sigwake"
    first, second = (run_trapscope(kernel_elf, append, smp=2, timeout=600) for _ in range(2))
    assert first.status == 0, first.transcript()
    assert re.search(r"power off \(status 0\), \d+ instructions retired", first.output), \
        first.transcript()
    assert first.output == second.output, f"{first.transcript()}\n---\n{second.transcript()}"
