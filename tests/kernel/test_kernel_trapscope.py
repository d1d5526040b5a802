"""The kernel on trapscope's own machine prints the same verdicts as on
QEMU: `trapscope run --smp 2 --append init=tests` with the built-in SBI and
with Debian's OpenSBI fw_jump.elf, compared line for line with
qemu-system-riscv64 -machine virt -smp 2, and no frames leak on either."""

from __future__ import annotations

from pathlib import Path

import pytest
from kernel_runner import (
    OPENSBI_JUMP,
    SHELL_APPEND,
    SHELL_SESSION,
    check_shell_session,
    run_qemu,
    run_trapscope,
)
from trapscope.kernel.build import list_tests

# trapscope runs a few million instructions per second at best and the test
# programs retire about a hundred million, so allow for a slow machine.
TRAPSCOPE_TIMEOUT = 1800


@pytest.fixture(scope="module")
def qemu_verdicts(kernel_elf):
    result = run_qemu(kernel_elf, "init=tests", smp=2)
    assert result.status == 0, result.transcript()
    return result.verdicts()


@pytest.mark.parametrize("bios", [None, OPENSBI_JUMP], ids=["builtin-sbi", "opensbi-fw_jump"])
def test_trapscope_prints_what_qemu_prints(kernel_elf, qemu_verdicts, bios):
    if bios:
        assert Path(bios).exists(), f"{bios} missing: install Debian's opensbi (tools/dev setup)"
    result = run_trapscope(kernel_elf, "init=tests", smp=2, bios=bios, timeout=TRAPSCOPE_TIMEOUT)
    assert result.verdicts() == qemu_verdicts, result.transcript()
    assert qemu_verdicts == [f"PASS {n}" for n in list_tests()]
    assert result.summary() == (len(list_tests()), 0), result.transcript()
    before, after = result.frames()
    assert before == after, f"{before - after} frames leaked\n{result.transcript()}"
    assert result.status == 0, result.transcript()


def test_console_line_input_through_trapscope_run_stdin(kernel_elf):
    """`trapscope run`'s stdin -> the UART -> the console's line editing -> read(0)."""
    result = run_trapscope(kernel_elf, SHELL_APPEND, interact=SHELL_SESSION, timeout=300)
    check_shell_session(result)
