"""The scheduler: deterministic interleaving, time, WFI, idle jumps, post, polls, exits."""

from __future__ import annotations

import threading

from trapscope.machine.debug import StopReason
from trapscope.tools.bench.harness import MiniMachine

from tests.machine.build import build

SMP = """
.section .text.init
.globl _start
_start:
  la t0, index
  la t1, log
  li s1, 0
1:
  li t2, 1
  amoadd.d t3, t2, (t0)
  li t4, 4000
  bgeu t3, t4, 2f
  add t5, t1, t3
  addi t6, a0, 1
  sb t6, 0(t5)
  addi s1, s1, 1
  j 1b
2:
  bnez a0, 3f
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
3: j 3b
.data
.balign 8
index: .dword 0
log: .zero 4096
"""


def _run_smp(quantum: int) -> bytes:
    m = MiniMachine(nharts=2, quantum=quantum)
    m.load(str(build("smp", SMP)))
    stop = m.run(max_insns=1_000_000)
    assert stop.reason is StopReason.EXITED
    assert m.elf is not None
    log = m.debug.read_memory(0, m.elf.symbols["log"], 4000)
    assert isinstance(log, bytes)
    return log + bytes(str([h.ic for h in m.harts]), "ascii")


def test_harts_interleave_by_quanta_deterministically():
    a = _run_smp(100)
    assert a == _run_smp(100)
    log = a[:4000]
    assert log.count(0) <= 1  # hart 1 may have taken the last slot but not written it yet
    assert set(log) - {0} == {1, 2}
    # both harts got turns, in runs whose length follows the quantum
    switches = sum(1 for x, y in zip(log, log[1:]) if x != y)
    assert switches > 20
    assert _run_smp(1000)[:4000] != log


WFI = """
.section .text.init
.globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, 1 << 63
  csrs menvcfg, t0
  rdtime t0
  li t1, 10000000
  add t0, t0, t1
  csrw stimecmp, t0
  li t0, 1 << 5
  csrw mie, t0
  csrsi mstatus, 8
1: wfi
  j 1b
.balign 4
handler:
  rdtime s2
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
2: j 2b
"""


def test_wfi_lets_time_jump_to_the_next_deadline():
    m = MiniMachine()
    m.load(str(build("wfi", WFI)))
    stop = m.run(max_insns=10_000)
    assert stop.reason is StopReason.EXITED
    h = m.harts[0]
    assert h.ic < 100  # a second of guest time passed without running instructions
    assert h.x[18] >= 10_000_000  # s2: time read in the handler


EXT = """
.section .text.init
.globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, 1 << 11
  csrw mie, t0
  csrsi mstatus, 8
1: wfi
  j 1b
.balign 4
handler:
  li t0, 0x100000
  li t1, (7 << 16) | 0x3333
  sw t1, 0(t0)
2: j 2b
"""


def test_idle_machine_waits_for_posted_input():
    m = MiniMachine()
    m.load(str(build("ext", EXT)))
    h = m.harts[0]
    timer = threading.Timer(0.2, lambda: m.sched.post(lambda: h.set_irq(11, True)))
    timer.start()
    try:
        stop = m.run()
    finally:
        timer.cancel()
    assert stop.reason is StopReason.EXITED and stop.exit_code == 7
    assert h.csr_read(0x342) == (1 << 63) | 11


def test_polls_run_between_rounds_and_can_end_the_run():
    m = MiniMachine(quantum=500)
    m.load(str(build("wfi", WFI)))
    m.harts[0].pc = m.elf.symbols["_start"]  # type: ignore[union-attr]
    calls = []

    def poll():
        calls.append(m.sched.now())
        if len(calls) == 3:
            m.sched.request_exit(5)
    m.sched.add_poll(poll)
    m.harts[0].started = True
    loop = build("spinonly", ".section .text.init\n.globl _start\n_start: j _start\n")
    m.load(str(loop))
    stop = m.run()
    assert stop.reason is StopReason.EXITED and stop.exit_code == 5
    assert calls == [500, 1000, 1500]
    assert m.harts[0].ic == 1500


def test_a_hart_that_is_not_started_does_not_run():
    m = MiniMachine(nharts=2)
    m.load(str(build("smp", SMP)))
    m.harts[1].started = False
    assert m.run(max_insns=1_000_000).reason is StopReason.EXITED
    assert m.harts[1].ic == 0 and m.harts[0].ic > 4000


SPIN_AND_SLEEP = """
.section .text.init
.globl _start
_start:
  csrr a0, mhartid
  bnez a0, park
1: addi s1, s1, 1
  j 1b
park:
  wfi
  j park
"""


def test_continuing_after_a_step_onto_the_round_end_does_not_idle_forever():
    # Hart 1 sleeps with nothing to wake it; hart 0 is single-stepped (outside
    # the rounds) exactly to the round's end. The next round finds no hart
    # behind the end, which is not the same as no hart able to run.
    m = MiniMachine(nharts=2, quantum=100)
    m.load(str(build("spin_sleep", SPIN_AND_SLEEP)))
    assert m.debug.cont(max_insns=150).reason is StopReason.INSN_LIMIT
    h0, h1 = m.harts
    assert h1.waiting
    while h0.ic + h0.time_off < m.sched.round_end:
        m.debug.step(0)
    assert h0.ic + h0.time_off == m.sched.round_end
    result = []
    t = threading.Thread(target=lambda: result.append(m.debug.cont(max_insns=50)))
    t.start()
    t.join(10)
    if t.is_alive():
        m.debug.request_halt()
        t.join(10)
    assert result and result[0].reason is StopReason.INSN_LIMIT, result
    assert h0.ic + h0.time_off == m.sched.round_end - 100 + 50
