"""Bare-metal programs run to completion on Harts driven by the Scheduler."""

from __future__ import annotations

from trapscope.machine.debug import StopReason
from trapscope.tools.bench.harness import MiniMachine

from tests.machine.build import build

EXIT = """
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
9: j 9b
"""

LOOP = """
.section .text.init
.globl _start
_start:
  li a0, 0
  li a1, 100000
1: addi a0, a0, 1
  bne a0, a1, 1b
""" + EXIT


def test_counting_loop_exits_cleanly():
    m = MiniMachine()
    m.load(str(build("loop", LOOP)))
    stop = m.run(max_insns=1_000_000)
    assert stop.reason is StopReason.EXITED and stop.exit_code == 0
    h = m.harts[0]
    assert h.x[10] == 100000
    # 3 setup + 2 per iteration + lui, lui, addiw, sw: the device store that ends
    # the run is the last instruction to retire
    assert h.ic == 3 + 2 * 100000 + 4


def test_instruction_budget_is_exact():
    m = MiniMachine()
    m.load(str(build("loop", LOOP)))
    stop = m.run(max_insns=1001)
    assert stop.reason is StopReason.INSN_LIMIT
    assert m.harts[0].ic == 1001
    # 3 setup instructions, then a0 counts every second instruction
    assert m.harts[0].x[10] == (1001 - 3) // 2
    stop = m.run()
    assert stop.reason is StopReason.EXITED
    assert m.harts[0].x[10] == 100000


FAIL = """
.section .text.init
.globl _start
_start:
  li t0, 0x100000
  li t1, (42 << 16) | 0x3333
  sw t1, 0(t0)
1: j 1b
"""


def test_fail_code_reaches_the_stop():
    m = MiniMachine()
    m.load(str(build("fail", FAIL)))
    stop = m.run(max_insns=100)
    assert stop.reason is StopReason.EXITED and stop.exit_code == 42
