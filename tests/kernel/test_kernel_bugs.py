"""Each --bug switch is a live code path: the buggy kernel fails the way the
seed diaries describe, where the fixed kernel passes (test_kernel_qemu).

A buggy kernel may also just hang; a run that booted, got stuck and never
passed counts as the bug showing too (with a short timeout)."""

from __future__ import annotations

import re

from kernel_runner import run_qemu
from trapscope.kernel.build import BUGS, build_kernel

TIMEOUT = 20


def run_buggy(bug, append):
    result = run_qemu(build_kernel([bug]), append, timeout=TIMEOUT)
    assert "[kernel] starting init" in result.output, result.transcript()
    return result


def shows(result, *evidence):
    """The bug showed: one of the evidence patterns, or a hang."""
    if any(re.search(e, result.output) for e in evidence):
        return True
    return result.timed_out


def test_every_bug_has_a_test_here():
    assert set(BUGS) == {"tp-hartid", "tp-lost", "fork-trapframe", "cow-refcount"}


def test_tp_hartid_takes_the_users_tls_pointer_for_the_hart_id():
    result = run_buggy("tp-hartid", "init=tests:hello")
    # Usually "mycpu: tp 0x... is not a hart id" once glibc has set its TLS
    # pointer; before that tp is 0, every hart takes itself for hart 0 and
    # the kernel may trip over that first.
    assert "PASS hello" not in result.output, result.transcript()
    assert shows(result, r"\npanic: "), result.transcript()


def test_tp_lost_gives_threads_each_others_tls():
    result = run_buggy("tp-lost", "init=/tests/tlstest")
    assert "PASS tlstest" not in result.output, result.transcript()
    assert shows(result, r"thread \d+ round \d+: tls_value", r"FAIL tlstest", r"killed by",
                 r"\npanic: "), result.transcript()


def test_fork_trapframe_makes_parent_and_child_share_registers():
    # forkret runs as init, so whatever fork's mixed-up return values make
    # parent and child do, the run ends as soon as one of them exits.
    result = run_buggy("fork-trapframe", "init=/tests/forkret")
    assert "PASS forkret" not in result.output, result.transcript()
    assert shows(result, r"init exited with status [1-9]", r"\npanic: ", r"killed by"), \
        result.transcript()


def test_cow_refcount_frees_a_frame_still_mapped():
    result = run_buggy("cow-refcount", "init=tests:forktest")
    assert "PASS forktest" not in result.output, result.transcript()
    assert shows(result, r"FAIL forktest", r"already free", r"killed by"), result.transcript()
