"""The debug interface (machine/debug.py) on real programs built with the cross gcc."""

from __future__ import annotations

import threading
import time
from typing import Tuple

import pytest
from trapscope.machine.debug import HartState, MemoryFault, StopReason, WatchKind
from trapscope.tools.bench.harness import MiniMachine

from tests.machine.build import build

PROGRAM = """
.section .text.init
.globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li s1, 0
loop:
  la t0, counter
  ld t1, 0(t0)
  addi t1, t1, 1
mid:
  sd t1, 0(t0)
after_store:
  addi s1, s1, 1
  li t2, 100
  blt s1, t2, loop
done_loop:
  nop
illegal:
  .word 0xffffffff
after_illegal:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b
.balign 4
handler:
  csrr t3, mepc
  addi t3, t3, 4
  csrw mepc, t3
  mret
spin:
  j spin
.data
.balign 8
counter: .dword 0
other: .dword 7
"""


def machine(nharts: int = 1) -> Tuple[MiniMachine, dict]:
    m = MiniMachine(nharts=nharts)
    m.load(str(build("dbgprog", PROGRAM)))
    assert m.elf is not None
    return m, m.elf.symbols


def test_registers_pc_priv_and_csrs():
    m, sym = machine()
    d = m.debug
    assert d.nharts == 1 and d.read_pc(0) == sym["_start"] and d.read_priv(0) == 3
    d.write_gpr(0, 0, 99)
    assert d.read_gpr(0, 0) == 0
    d.write_gpr(0, 5, -1)
    assert d.read_gpr(0, 5) == (1 << 64) - 1
    d.write_fpr(0, 3, 0x3FF0000000000000)
    assert d.read_fpr(0, 3) == 0x3FF0000000000000
    gprs = d.read_gprs(0)
    assert len(gprs) == 32 and gprs[0] == 0 and gprs[5] == (1 << 64) - 1
    assert gprs == [d.read_gpr(0, i) for i in range(32)]
    assert d.read_fprs(0)[3] == 0x3FF0000000000000 and len(d.read_fprs(0)) == 32
    names = dict(d.csrs())
    assert names[0x300] == "mstatus" and names[0x180] == "satp" and 0x7B0 not in names
    assert d.read_csr(0, 0x7B0) is None and d.write_csr(0, 0x7B0, 1) is False
    assert d.write_csr(0, 0x305, 0x80001003) is True
    assert d.read_csr(0, 0x305) == 0  # WARL: a reserved mode leaves mtvec unchanged
    d.write_csr(0, 0x305, 0x80001001)
    assert d.read_csr(0, 0x305) == 0x80001001
    d.write_csr(0, 0x340, 0x1234)
    assert d.read_csr(0, 0x340) == 0x1234
    d.write_priv(0, 1)
    assert d.read_priv(0) == 1
    with pytest.raises(ValueError):
        d.write_priv(0, 2)
    assert d.hart_state(0) is HartState.RUNNING


def test_breakpoint_stops_before_the_instruction_and_resumes_past_it():
    m, sym = machine()
    d = m.debug
    assert d.add_breakpoint(sym["mid"])
    stop = d.cont()
    assert stop.reason is StopReason.BREAKPOINT and stop.pc == sym["mid"] and stop.hart == 0
    assert d.read_gpr(0, 9) == 0  # s1: the first iteration has not finished
    stop = d.cont()
    assert stop.reason is StopReason.BREAKPOINT and stop.pc == sym["mid"]
    assert d.read_gpr(0, 9) == 1
    assert d.remove_breakpoint(sym["mid"]) and not d.remove_breakpoint(sym["mid"])
    d.add_breakpoint(sym["done_loop"], hardware=True)
    stop = d.cont()
    assert stop.reason is StopReason.HW_BREAKPOINT and stop.pc == sym["done_loop"]
    assert d.read_gpr(0, 9) == 100
    assert d.cont().reason is StopReason.EXITED


@pytest.mark.parametrize("kind,after", [(WatchKind.WRITE, "after_store"), (WatchKind.READ, "loop"),
                                        (WatchKind.ACCESS, "loop")])
def test_watchpoints_report_the_address_and_stop_after_the_access(kind, after):
    m, sym = machine()
    d = m.debug
    assert d.add_watchpoint(sym["counter"] + 4, 2, kind)
    stop = d.cont()
    assert stop.reason is StopReason.WATCHPOINT and stop.watch is kind
    assert stop.addr == sym["counter"] + 4
    # the loop starts with `la t0, counter` (auipc + addi) then the load: a read stops after it
    assert stop.pc == (sym[after] if kind is WatchKind.WRITE else sym[after] + 12)
    if kind is WatchKind.WRITE:
        assert m.debug.read_memory(0, sym["counter"], 8) == (1).to_bytes(8, "little")
    else:
        assert d.read_gpr(0, 6) == 0  # t1 holds the loaded value
    # other pages stay in the fast path; the watched one does not
    tl = m.harts[0].g["TL"]
    assert (sym["counter"] >> 12) not in tl
    assert d.remove_watchpoint(sym["counter"] + 4, 2, kind)
    assert not d.remove_watchpoint(sym["counter"] + 4, 2, kind)
    assert d.cont().reason is StopReason.EXITED
    assert d.read_memory(0, sym["counter"], 8) == (100).to_bytes(8, "little")


def test_step_executes_one_instruction_or_takes_its_trap():
    m, sym = machine()
    d = m.debug
    start = d.read_pc(0)
    stop = d.step(0)
    assert stop.reason is StopReason.STEP and stop.pc != start and m.harts[0].ic == 1
    stop = d.cont(step=0)
    assert stop.reason is StopReason.STEP and m.harts[0].ic == 2
    d.step(0)  # csrw mtvec
    assert d.read_csr(0, 0x305) == sym["handler"]
    d.write_pc(0, sym["illegal"])
    stop = d.step(0)
    assert stop.reason is StopReason.STEP and stop.pc == sym["handler"]
    assert d.read_csr(0, 0x342) == 2 and d.read_csr(0, 0x343) == 0xFFFFFFFF


def test_catch_traps_stops_before_the_trap_then_takes_it():
    m, sym = machine()
    d = m.debug
    d.catch_traps(frozenset({2}), frozenset())
    stop = d.cont()
    assert stop.reason is StopReason.TRAP and stop.cause == 2 and stop.pc == sym["illegal"]
    assert d.read_csr(0, 0x342) == 0  # not taken yet
    d.add_breakpoint(sym["handler"])
    stop = d.cont()
    assert stop.reason is StopReason.BREAKPOINT and stop.pc == sym["handler"]
    assert d.read_csr(0, 0x341) == sym["illegal"]
    d.catch_traps(frozenset(), frozenset())
    d.remove_breakpoint(sym["handler"])
    assert d.cont().reason is StopReason.EXITED


def test_max_insns_and_frozen_harts():
    m, sym = machine(nharts=2)
    d = m.debug
    stop = d.cont(max_insns=500, frozen=frozenset({1}))
    assert stop.reason is StopReason.INSN_LIMIT
    assert m.harts[0].ic == 500 and m.harts[1].ic == 0
    stop = d.cont(max_insns=300)
    assert stop.reason is StopReason.INSN_LIMIT
    assert m.harts[0].ic + m.harts[1].ic == 800


def test_request_halt_from_another_thread_stops_a_spinning_guest():
    m, sym = machine()
    d = m.debug
    d.write_pc(0, sym["spin"])

    def halt_once_running() -> None:
        while not d.request_halt():  # dropped until cont has begun
            time.sleep(0.01)

    halter = threading.Thread(target=halt_once_running)
    halter.start()
    stop = d.cont()
    halter.join()
    assert stop.reason is StopReason.HALTED and stop.pc == sym["spin"]
    assert m.harts[0].ic > 0


def test_a_halt_request_while_no_run_is_in_progress_is_dropped():
    m, sym = machine()
    d = m.debug
    d.write_pc(0, sym["spin"])
    assert d.request_halt() is False  # a late Ctrl-C: nothing runs
    stop = d.cont(max_insns=500)
    assert stop.reason is StopReason.INSN_LIMIT and m.harts[0].ic == 500


def test_a_halt_request_inside_an_open_run_stops_the_cont_that_follows():
    # The owner of a run opens it before its thread reaches cont (or between the
    # chunks of a long run): a halt request in that window is not lost.
    m, sym = machine()
    d = m.debug
    d.write_pc(0, sym["spin"])
    d.begin_run()
    try:
        assert d.request_halt() is True
        stop = d.cont()
    finally:
        d.end_run()
    assert stop.reason is StopReason.HALTED and m.harts[0].ic == 0
    assert d.request_halt() is False  # the run is over: a late request is dropped
    assert d.cont(max_insns=100).reason is StopReason.INSN_LIMIT


def test_memory_physical_and_code_patching():
    m, sym = machine()
    d = m.debug
    assert d.read_memory(0, sym["other"], 8) == (7).to_bytes(8, "little")
    assert d.read_memory(0, sym["other"], 8, physical=True) == (7).to_bytes(8, "little")
    fault = d.read_memory(0, 0x90000000, 4)
    assert isinstance(fault, MemoryFault) and fault.addr == 0x90000000
    fault = d.read_memory(0, 0x100000, 4)  # a device: not read by the debugger
    assert isinstance(fault, MemoryFault)
    assert isinstance(d.write_memory(0, 0x90000000, b"\0"), MemoryFault)
    # run once through the loop (translating it), then patch `c.addi t1, 1` to add 5
    d.add_breakpoint(sym["done_loop"])
    d.add_breakpoint(sym["mid"])
    d.cont()
    assert d.read_memory(0, sym["mid"] - 2, 2) == (0x0305).to_bytes(2, "little")
    assert d.write_memory(0, sym["mid"] - 2, (0x0315).to_bytes(2, "little")) is None
    d.remove_breakpoint(sym["mid"])
    d.cont()
    assert d.read_memory(0, sym["counter"], 8) == (1 + 5 * 99).to_bytes(8, "little")
    regions = {name: (base, size, ram) for name, base, size, ram in d.memory_map()}
    assert regions["ram"] == (0x80000000, 16 << 20, True) and regions["test"][2] is False


SV39 = """
.section .text.init
.globl _start
_start:
  li t0, 0x3 << 11
  csrc mstatus, t0
  li t0, 0x1 << 11
  csrs mstatus, t0
  la t0, smode
  csrw mepc, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  li t0, 0x80400000
  li t1, (0x80000 << 10) | 0xcf
  sd t1, 16(t0)
  li t1, (0x80401000 >> 12 << 10) | 1
  sd t1, 0(t0)
  li t0, 0x80401000
  li t1, (0x80402000 >> 12 << 10) | 1
  sd t1, 0(t0)
  li t0, 0x80402000
  li t1, (0x80500000 >> 12 << 10) | 0x07
  sd t1, 8(t0)
  li t0, (8 << 60) | (0x80400000 >> 12)
  csrw satp, t0
  sfence.vma
  mret
smode:
  j smode
"""


def test_memory_reads_at_the_edges_of_ram_and_pages():
    m, sym = machine()
    d = m.debug
    ram = next(mem for mem in m.bus.memories if mem.base <= sym["other"] < mem.base + mem.size)
    end = ram.base + ram.size
    assert d.write_memory(0, end - 4, b"tail") is None
    assert d.read_memory(0, end - 4, 4) == b"tail"  # the last bytes of RAM
    assert d.read_memory(0, end - 2, 2) == b"il"
    fault = d.read_memory(0, end - 2, 4)  # runs past the end of RAM: the first bad byte
    assert isinstance(fault, MemoryFault) and fault.addr == end
    fault = d.read_memory(0, end, 1)
    assert isinstance(fault, MemoryFault) and fault.addr == end
    page = ram.base + 0x3000
    assert d.write_memory(0, page - 3, b"abcdef") is None  # across a page boundary
    assert d.read_memory(0, page - 3, 6) == b"abcdef"
    assert d.read_memory(0, page - 3, 3) + d.read_memory(0, page, 3) == b"abcdef"
    assert d.read_memory(0, page, 0) == b""
    assert d.write_memory(0, page, b"XY") is None  # nothing read is kept: the next read sees it
    assert d.read_memory(0, page - 3, 6) == b"abcXYf"


def test_virtual_memory_through_the_harts_translation():
    m = MiniMachine()
    m.load(str(build("dbgsv39", SV39)))
    d = m.debug
    stop = d.cont(max_insns=200)
    assert stop.reason is StopReason.INSN_LIMIT and d.read_priv(0) == 1
    assert d.write_memory(0, 0x80500010, b"hello", physical=True) is None
    assert d.read_memory(0, 0x1010, 5) == b"hello"  # VA 0x1000 -> PA 0x8050_0000
    pte = d.read_memory(0, 0x80402008, 8, physical=True)
    assert pte == ((0x80500000 >> 12 << 10) | 0x07).to_bytes(8, "little")  # no A/D set
    fault = d.read_memory(0, 0x2000, 4)
    assert isinstance(fault, MemoryFault) and fault.reason == "page fault"
    fault = d.read_memory(0, 0x1FFE, 4)  # crosses into the unmapped page
    assert isinstance(fault, MemoryFault) and fault.addr == 0x2000
    assert d.write_memory(0, 0x1020, b"xyz") is None
    assert d.read_memory(0, 0x80500020, 3, physical=True) == b"xyz"


def test_reset_keeps_breakpoints_and_calls_the_board_reset():
    m, sym = machine()
    calls = []
    m.debug._reset = lambda: calls.append(1)
    m.debug.add_breakpoint(sym["mid"])
    m.debug.reset()
    assert calls == [1]
    m.load(str(build("dbgprog", PROGRAM)))
    assert m.debug.cont().reason is StopReason.BREAKPOINT
