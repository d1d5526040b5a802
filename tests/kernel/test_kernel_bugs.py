"""Each --bug switch is a live code path: the buggy kernel fails the way the
seed diaries describe, where the fixed kernel passes (test_kernel_qemu)."""

from __future__ import annotations

from kernel_runner import run_qemu
from trapscope.kernel.build import BUGS, build_kernel


def run_buggy(bug, append):
    return run_qemu(build_kernel([bug]), append, timeout=60)


def test_every_bug_has_a_test_here():
    assert set(BUGS) == {"tp-hartid", "tp-lost", "fork-trapframe", "cow-refcount"}


def test_tp_hartid_takes_the_users_tls_pointer_for_the_hart_id():
    result = run_buggy("tp-hartid", "init=tests:hello")
    # Usually "mycpu: tp 0x... is not a hart id" once glibc has set its TLS
    # pointer; before that tp is 0, every hart takes itself for hart 0 and
    # the kernel may trip over that first.
    assert result.panicked, result.transcript()
    assert "\npanic: " in result.output
    assert "PASS hello" not in result.output


def test_tp_lost_gives_threads_each_others_tls():
    result = run_buggy("tp-lost", "init=/tests/tlstest")
    assert "PASS tlstest" not in result.output, result.transcript()
    assert result.status not in (0, None), result.transcript()


def test_fork_trapframe_makes_parent_and_child_share_registers():
    # forkret runs as init, so whatever fork's mixed-up return values make
    # parent and child do, the run ends as soon as one of them exits.
    result = run_buggy("fork-trapframe", "init=/tests/forkret")
    assert not result.timed_out, result.transcript()
    assert "PASS forkret" not in result.output, result.transcript()


def test_cow_refcount_frees_a_frame_still_mapped():
    result = run_buggy("cow-refcount", "init=tests:forktest")
    assert "PASS forktest" not in result.output, result.transcript()
    assert ("FAIL forktest" in result.output or "already free" in result.output
            or "killed by" in result.output), result.transcript()
