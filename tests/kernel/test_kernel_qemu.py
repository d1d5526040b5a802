"""The guest kernel on qemu-system-riscv64 -machine virt (default OpenSBI):
every test program passes, subsets and failures are reported, user programs
added with --add run as init, and no frames leak."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from kernel_runner import SHELL_APPEND, SHELL_SESSION, check_shell_session, require, run_qemu
from trapscope.kernel.build import build_kernel, list_tests


def assert_all_pass(result, names):
    assert result.status == 0, result.transcript()
    assert result.verdicts() == [f"PASS {n}" for n in names], result.transcript()
    assert result.summary() == (len(names), 0), result.transcript()
    before, after = result.frames()
    assert before == after, f"{before - after} frames leaked\n{result.transcript()}"


@pytest.mark.parametrize("smp", [2, 4])
def test_every_test_program_passes(kernel_elf, smp):
    result = run_qemu(kernel_elf, "init=tests", smp=smp)
    assert_all_pass(result, list_tests())
    assert "[kernel] init exited with status 0" in result.output


def test_a_subset_runs_only_those(kernel_elf):
    result = run_qemu(kernel_elf, "init=tests:filetest,hello")
    assert_all_pass(result, ["filetest", "hello"])


def test_failures_become_the_exit_status(kernel_elf):
    result = run_qemu(kernel_elf, "init=tests:hello,nosuchtest,nosuchtest2")
    assert result.status == 2, result.transcript()
    assert result.summary() == (1, 2), result.transcript()
    assert "FAIL nosuchtest: exec /tests/nosuchtest" in result.output
    before, after = result.frames()
    assert before == after, result.transcript()


def test_bad_user_pointers_get_efault(kernel_elf):
    result = run_qemu(kernel_elf, "init=tests:efault")
    assert_all_pass(result, ["efault"])


def test_a_fatal_user_fault_is_logged_with_pc_cause_and_address(kernel_elf):
    result = run_qemu(kernel_elf, "init=tests:mmaptest,sigtest")
    assert_all_pass(result, ["mmaptest", "sigtest"])
    # the child that writes to a PROT_READ page: store page fault (cause 15)
    assert re.search(r"\(mmaptest\) killed by SIGSEGV: pc 0x[0-9a-f]+ cause 15 addr 0x3f",
                     result.output), result.transcript()
    # the child that runs `unimp`: illegal instruction (cause 2) at its pc
    m = re.search(r"\(sigtest\) killed by SIGILL: pc (0x[0-9a-f]+) cause 2 addr (0x[0-9a-f]+)",
                  result.output)
    assert m and m.group(1) == m.group(2), result.transcript()


USER_PROGRAM = r"""
#include <signal.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "die") == 0)
    raise(SIGTERM);
  printf("argc=%d", argc);
  for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
  printf("\n");
  FILE *f = fopen("/bin/extra/data/msg.txt", "r");
  char line[64] = "";
  if (f && fgets(line, sizeof line, f)) printf("data: %s", line);
  return argc == 3 && strcmp(argv[2], "beta") == 0 ? 3 : 1;
}
"""


def test_added_program_runs_as_init_with_its_arguments(tmp_path):
    src = tmp_path / "prog.c"
    src.write_text(USER_PROGRAM)
    extra = tmp_path / "extra"
    (extra / "data").mkdir(parents=True)
    (extra / "data" / "msg.txt").write_text("hello from a data file\n")
    subprocess.run([require("riscv64-linux-gnu-gcc"), "-static", "-O2", str(src), "-o",
                    str(extra / "prog")], check=True)
    elf = build_kernel(extra=[extra / "prog", extra])
    result = run_qemu(elf, "init=/bin/prog alpha beta")
    assert "argc=3 [/bin/prog] [alpha] [beta]" in result.output, result.transcript()
    assert "data: hello from a data file" in result.output, result.transcript()
    assert result.status == 3, result.transcript()
    # the copy inside the directory keeps its tree
    result = run_qemu(elf, "init=/bin/extra/prog x beta")
    assert "argc=3 [/bin/extra/prog] [x] [beta]" in result.output, result.transcript()
    assert result.status == 3, result.transcript()
    # killed by a signal: 128 + the signal, as a shell reports it
    result = run_qemu(elf, "init=/bin/prog die")
    assert result.status == 128 + 15, result.transcript()
    assert "[kernel] init exited with status 143" in result.output, result.transcript()


def test_memory_and_harts_come_from_the_device_tree(kernel_elf):
    result = run_qemu(kernel_elf, "init=tests:regtest", smp=3, mem=256)
    assert "[kernel] 3 harts, 256 MiB RAM at 0x80000000" in result.output, result.transcript()
    assert_all_pass(result, ["regtest"])
    small = run_qemu(kernel_elf, "init=/bin/true", smp=1, mem=64)
    assert "[kernel] 1 harts, 64 MiB RAM at 0x80000000" in small.output, small.transcript()
    frames = [int(re.search(r"free frames at boot: (\d+)", r.output).group(1))
              for r in (result, small)]
    # 192 MiB more RAM: that many more free frames, less the bigger frame table
    assert (192 << 20) // 4096 * 98 // 100 < frames[0] - frames[1] <= (192 << 20) // 4096, frames


def test_a_missing_init_program_powers_off_with_127(kernel_elf):
    result = run_qemu(kernel_elf, "init=/bin/nothing-here")
    assert result.status == 127, result.transcript()
    assert "cannot run init /bin/nothing-here: error -2" in result.output


def test_no_init_runs_the_tests_then_a_shell_on_the_console(kernel_elf):
    result = run_qemu(kernel_elf, "", interact=[
        (b"$ ", b"echo typed at   the console\r"),
        (b"$ ", b"ls /etc\r"),
        (b"$ ", b"exit 5\r"),
    ])
    assert_ran_all = result.verdicts() == [f"PASS {n}" for n in list_tests()]
    assert assert_ran_all, result.transcript()
    assert "trapscope shell:" in result.output, result.transcript()
    assert "\ntyped at the console\n" in result.output, result.transcript()
    assert "\ntests\n" in result.output, result.transcript()
    assert result.status == 5, result.transcript()


def test_console_line_input_reaches_a_program_through_the_uart(kernel_elf):
    """QEMU's serial stdin -> UART -> the console's line editing -> read(0)."""
    check_shell_session(run_qemu(kernel_elf, SHELL_APPEND, interact=SHELL_SESSION))


def test_kernel_elf_path_is_the_cache(kernel_elf):
    assert kernel_elf.parent.parent.name == "cache"
    assert Path(kernel_elf).stat().st_size > 0
