"""The translation engine: precise faults, page-straddling instructions,
self-modifying code, address-space switches, exact timers, garbage code."""

from __future__ import annotations

import random

from trapscope.machine.debug import StopReason
from trapscope.tools.bench.harness import MiniMachine

from tests.machine.build import build

EXIT = """
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
9: j 9b
"""

PRECISE = """
.section .text.init
.globl _start
_start:
  li a0, 1
  li a1, 2
  li a3, 0x90000000
  li a4, 4
  addi a0, a0, 10
  addi a1, a1, 20
fault:
  ld a2, 0(a3)
  addi a4, a4, 40
  j _start
"""


def test_a_fault_mid_block_leaves_exact_state():
    m = MiniMachine()
    m.load(str(build("precise", PRECISE)))
    m.debug.catch_traps(frozenset({5}), frozenset())
    stop = m.run(max_insns=100)
    h = m.harts[0]
    assert stop.reason is StopReason.TRAP and stop.cause == 5
    assert h.pc == m.elf.symbols["fault"]  # type: ignore[union-attr]
    assert (h.x[10], h.x[11], h.x[14]) == (11, 22, 4)
    assert h.ic == 7  # li a3, 0x90000000 is two instructions: 7 retired before the load
    m.debug.catch_traps(frozenset(), frozenset())
    m.run(max_insns=1)
    assert h.csr_read(0x341) == m.elf.symbols["fault"] and h.csr_read(0x343) == 0x90000000  # type: ignore[union-attr]
    assert h.pc == 0 and h.ic == 7  # the trap went to mtvec = 0; the load did not retire


STRADDLE = """
.section .text.init
.globl _start
_start:
  li a0, 0
  j near_end
.balign 4096
.fill 4088, 1, 0
near_end:
  addi a0, a0, 1
  .option norvc
  addi a0, a0, 2
  addi a0, a0, 4
  addi a0, a0, 8
  .option rvc
""" + EXIT


def test_an_instruction_crossing_a_page_boundary():
    m = MiniMachine()
    m.load(str(build("straddle", STRADDLE)))
    end = m.elf.symbols["near_end"]  # type: ignore[union-attr]
    assert (end + 2) % 4096 == 4094 or (end + 6) % 4096 == 4094 or True
    assert m.run(max_insns=1000).reason is StopReason.EXITED
    assert m.harts[0].x[10] == 15
    # at least one 4-byte addi starts 2 bytes before a page end
    starts = [end + 2, end + 6, end + 10]
    assert any(a % 4096 == 4094 for a in starts)


SMC = """
.section .text.init
.globl _start
_start:
  li s1, 0
again:
  call target
  add s1, s1, a0
  la t0, target
  li t1, 0x02a00513
  sw t1, 0(t0)
  li t2, 43
  bltu s1, t2, again
""" + EXIT + """
.option norvc
target:
  addi a0, zero, 1
  ret
"""


def test_a_store_over_translated_code_is_seen_without_fence_i():
    m = MiniMachine()
    m.load(str(build("smc", SMC)))
    assert m.run(max_insns=10_000).reason is StopReason.EXITED
    assert m.harts[0].x[9] == 1 + 42


SMC2 = """
.section .text.init
.globl _start
_start:
  bnez a0, writer
reader:
  call target
  li t2, 42
  bne a0, t2, reader
""" + EXIT + """
writer:
  li t3, 20000
1: addi t3, t3, -1
  bnez t3, 1b
  la t0, target
  li t1, 0x02a00513
  sw t1, 0(t0)
2: j 2b
.option norvc
target:
  addi a0, zero, 1
  ret
"""


def test_code_modified_by_another_hart_is_seen():
    m = MiniMachine(nharts=2, quantum=1000)
    m.load(str(build("smc2", SMC2)))
    assert m.run(max_insns=1_000_000).reason is StopReason.EXITED
    assert m.harts[0].x[10] == 42


SPACES = """
.section .text.init
.globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  # two roots: each maps the kernel gigapage and VA 0x1000 to a different code page
  li t0, 0x80400000
  li t2, 0x80410000
  li t1, (0x80000 << 10) | 0xcf
  sd t1, 16(t0)
  sd t1, 16(t2)
  li t1, (0x80401000 >> 12 << 10) | 1
  sd t1, 0(t0)
  li t1, (0x80411000 >> 12 << 10) | 1
  sd t1, 0(t2)
  li t0, 0x80401000
  li t1, (0x80402000 >> 12 << 10) | 1
  sd t1, 0(t0)
  li t0, 0x80411000
  li t1, (0x80412000 >> 12 << 10) | 1
  sd t1, 0(t0)
  li t0, 0x80402000
  li t1, (0x80500000 >> 12 << 10) | 0xcb
  sd t1, 8(t0)
  li t0, 0x80412000
  li t1, (0x80501000 >> 12 << 10) | 0xcb
  sd t1, 8(t0)
  # code: page A returns 1 in a0, page B returns 2 (addi a0, zero, N; jalr x0, 0(ra))
  li t0, 0x80500000
  li t1, 0x00100513
  sw t1, 0(t0)
  li t1, 0x00008067
  sw t1, 4(t0)
  li t0, 0x80501000
  li t1, 0x00200513
  sw t1, 0(t0)
  li t1, 0x00008067
  sw t1, 4(t0)
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800
  csrs mstatus, t0
  la t0, smode
  csrw mepc, t0
  mret
smode:
  li s1, 0
  li s2, 0
3:
  li t0, (8 << 60) | (0x80400000 >> 12)
  csrw satp, t0
  sfence.vma
  li t1, 0x1000
  jalr ra, 0(t1)
  add s1, s1, a0
  li t0, (8 << 60) | (0x80410000 >> 12)
  csrw satp, t0
  sfence.vma
  li t1, 0x1000
  jalr ra, 0(t1)
  add s1, s1, a0
  addi s2, s2, 1
  li t2, 10
  bltu s2, t2, 3b
  ecall
.balign 4
handler:
""" + EXIT


def test_switching_address_spaces_runs_the_code_each_one_maps():
    m = MiniMachine()
    m.load(str(build("spaces", SPACES)))
    assert m.run(max_insns=100_000).reason is StopReason.EXITED
    assert m.harts[0].x[9] == 10 * (1 + 2)


TIMER = """
.section .text.init
.globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, 1 << 63
  csrs menvcfg, t0
  rdtime t0
  addi t0, t0, 1500
  csrw stimecmp, t0
  li t0, 1 << 5
  csrw mie, t0
  li a0, 0
  csrsi mstatus, 8
1: addi a0, a0, 1
  j 1b
.balign 4
handler:
""" + EXIT


def _timer_count(quantum: int) -> int:
    m = MiniMachine(quantum=quantum)
    m.load(str(build("timer", TIMER)))
    assert m.run(max_insns=100_000).reason is StopReason.EXITED
    return m.harts[0].x[10]


def test_timer_interrupts_arrive_at_the_same_instruction_whatever_the_quantum():
    counts = {q: _timer_count(q) for q in (37, 1000, 10_000)}
    assert len(set(counts.values())) == 1, counts
    assert 700 < counts[1000] < 760  # about 1500 ticks of a 2-instruction loop


HOOKED_TIMER = """
.section .text.init
.globl _start
_start:
  la t0, s_handler
  csrw stvec, t0
  li t0, 1 << 5
  csrw mideleg, t0
  li t0, (1 << 5) | (1 << 7)
  csrw mie, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  li t0, 3 << 11
  csrc mstatus, t0
  li t0, (1 << 11) | 2
  csrs mstatus, t0
  la t0, s_loop
  csrw mepc, t0
  li a0, 0
  mret
s_loop:
  addi a0, a0, 1
  j s_loop
.balign 4
s_handler:
""" + EXIT


def _firmware_timer(hart, cause: int, tval: int) -> bool:
    """An M-mode firmware hook as OpenSBI's timer path: MTIP becomes STIP, MTIE is masked."""
    if cause != (1 << 63) | 7:
        return False
    hart.csr_write(0x344, hart.csr_read(0x344) | 1 << 5)
    hart.csr_write(0x304, hart.csr_read(0x304) & ~(1 << 7))
    return True


def _hooked_timer_count(quantum: int) -> int:
    m = MiniMachine(quantum=quantum)
    m.load(str(build("hooked-timer", HOOKED_TIMER)))
    h = m.harts[0]
    h.m_trap_hook = _firmware_timer
    h.mtimecmp = 1500
    assert m.run(max_insns=100_000).reason is StopReason.EXITED
    return h.x[10]


def test_an_interrupt_the_firmware_hook_leaves_pending_is_taken_at_once():
    counts = {q: _hooked_timer_count(q) for q in (37, 1000, 10_000)}
    assert len(set(counts.values())) == 1, counts
    assert 700 < counts[1000] < 760  # the S handler runs at the deadline, 1500 ticks in


GARBAGE = """
.section .text.init
.globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  la t0, noise
  jr t0
.balign 4
handler:
  csrr t6, mepc
  addi t6, t6, 2
  csrw mepc, t6
  la sp, noise
  mret
.data
.balign 4096
noise:
.fill 16384, 1, 0
"""


def test_garbage_code_only_raises_architectural_traps():
    m = MiniMachine()
    m.load(str(build("garbage", GARBAGE)))
    noise = m.elf.symbols["noise"]  # type: ignore[union-attr]
    rng = random.Random(7)
    m.debug.write_memory(0, noise, bytes(rng.getrandbits(8) for _ in range(16384)), physical=True)
    stop = m.run(max_insns=30_000)
    assert stop.reason in (StopReason.INSN_LIMIT, StopReason.EXITED)
    assert m.harts[0].ic > 1000 and m.harts[0].faults > 100


LOOP_BYTES = """
.option norvc
1: addi a5, a5, 8
   bgeu a5, a3, 2f
   lw a4, 0(a5)
   bne a4, a2, 1b
2: ebreak
"""


def test_same_loop_bytes_shifted_under_the_same_entry_pc_are_a_different_region():
    """A region's compiled code is keyed by where its bytes start, not only by the bytes."""
    import subprocess

    from tests.machine.build import OUT

    d = OUT / "loopbytes"
    d.mkdir(parents=True, exist_ok=True)
    (d / "l.s").write_text(LOOP_BYTES)
    subprocess.run(["riscv64-linux-gnu-as", "-march=rv64gc", "-o", str(d / "l.o"), str(d / "l.s")],
                   check=True)
    subprocess.run(["riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", str(d / "l.o"),
                    str(d / "l.bin")], check=True)
    code = (d / "l.bin").read_bytes()  # addi, bgeu, lw, bne, ebreak
    m = MiniMachine()
    m.sched.code.hot = 0  # compile every block at once
    dbg = m.debug
    dbg.catch_traps(frozenset({3}), frozenset())
    entry, data = 0x80010008, 0x80020000
    dbg.write_memory(0, data, b"".join(v.to_bytes(8, "little") for v in (0, 5, 5, 5, 9, 5)),
                     physical=True)

    def run(code_at: int) -> int:
        dbg.write_memory(0, 0x80010000, bytes(0x40), physical=True)
        dbg.write_memory(0, code_at, code, physical=True)
        h = m.harts[0]
        dbg.write_pc(0, entry)
        h.x[15], h.x[13], h.x[12] = data, data + 48, 9  # a5 (cursor), a3 (end), a2 (sought)
        stop = dbg.cont(max_insns=1000)
        assert stop.reason is StopReason.TRAP, stop
        return h.x[15] - data
    # the loop starts at the entry: it steps first, then loads; stops at the 9 (offset 32)
    assert run(entry) == 32
    # the same bytes 8 earlier: the entry is the load, which sees 0 at offset 0 first
    assert run(entry - 8) == 32
    m.harts[0].x[15] = data
    assert run(entry - 8) == 32
