"""difftest's parts: QEMU's trace, the checkpoint choice, counter-read
decoding (on instructions from the cross assembler) and the QEMU side."""

from __future__ import annotations

from array import array
from pathlib import Path

from elftools.elf.elffile import ELFFile
from trapscope.tools.difftest import guests, qemu
from trapscope.tools.difftest.positions import CHEAP_HITS, arrivals, choose_checkpoint
from trapscope.tools.difftest.qemu_side import QemuSide
from trapscope.tools.difftest.regs import MTIME, counter_read
from trapscope.tools.difftest.trace import Trace, record

RESET = [0x1000, 0x1004, 0x1008, 0x100C, 0x1010, 0x1014]  # QEMU virt's reset ROM


def _trace(name: str, limit: int = 1_000_000) -> Trace:
    elf = guests.build_isa_test(name)
    return record(qemu.machine_args(elf, qemu.BIOS_NONE) + ["-serial", "null"], limit)


def test_trace_starts_at_reset_and_ends_at_the_exit() -> None:
    """Every instruction once: the reset ROM, the entry, and the syscon store
    last (logged once, though under -icount QEMU runs a device access twice)."""
    trace = _trace("rv64m")
    assert list(trace.pcs[:7]) == RESET + [0x80000000]
    assert trace.exit_status == 0 and not trace.truncated
    assert trace.pcs[-1] != trace.pcs[-2]
    assert set(trace.modes) == {3}


def test_trace_stops_at_the_limit() -> None:
    """A limit of 500 records 501 instructions and says the run went on."""
    trace = _trace("rv64i", limit=500)
    assert len(trace) == 501 and trace.truncated and trace.exit_status is None


def test_trace_sees_privilege_changes() -> None:
    """priv.S runs in M, S and U: QEMU's MMU index shows all three."""
    assert {0, 1, 3} <= set(_trace("priv").modes)


def test_checkpoints_prefer_cheap_indexes_and_cross_loops() -> None:
    """Straight code: the window's end. A hot loop: the first index after it."""
    straight = Trace(pcs=array("Q", range(0, 4000, 4)))
    assert choose_checkpoint(straight, 0, 100, 999) == 100
    loop = array("Q", [0x100] + [0x200, 0x204, 0x208] * 300 + [0x300, 0x304])
    looped = Trace(pcs=loop)
    end = len(loop) - 1
    cp = choose_checkpoint(looped, 0, 100, end)
    assert loop[cp] == 0x300
    assert len(arrivals(looped, 0, cp)) == 1
    # inside the loop's first rounds: the latest index that is still cheap
    early = choose_checkpoint(looped, 0, 2 * CHEAP_HITS, end)
    assert len(arrivals(looped, 0, early)) <= CHEAP_HITS


def _text_words(elf: Path) -> list:
    with open(elf, "rb") as f:
        data = ELFFile(f).get_section_by_name(".text").data()
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data) - 3, 2)]


def test_counter_reads_are_recognised(tmp_path: Path) -> None:
    """rdtime/rdcycle/csrr minstret and ld/c.ld from mtime are counter reads;
    a CSR read of mscratch, a write to minstret with rd = x0 and an ordinary
    load are not."""
    src = tmp_path / "counters.S"
    src.write_text(".option norvc\n rdtime a1\n rdcycle t2\n csrr s3, minstret\n"
                   " csrr a4, mscratch\n csrw minstret, a5\n ld a6, 0(a0)\n lw s7, 8(a0)\n"
                   ".option rvc\n c.ld a3, 0(a0)\n c.nop\n c.lw a2, 4(a1)\n .option norvc\n nop\n")
    elf = guests.cross_build("counter_reads", src, guests.ISA_DIR, guests.ISA_DIR / "link.ld", ())
    words = _text_words(elf)
    regs = {10: MTIME, 11: MTIME}
    gpr = lambda i: regs.get(i, 0x80000000)  # noqa: E731
    at = [words[0], words[2], words[4], words[6], words[8], words[10], words[12]]
    assert [counter_read(w, gpr) for w in at] == [11, 7, 19, None, None, 16, None]
    assert counter_read(words[14] & 0xFFFF, gpr) == 13
    assert counter_read(words[15] & 0xFFFF, gpr) is None
    assert counter_read(words[16] & 0xFFFF, gpr) == 12


def test_qemu_side_follows_the_trace() -> None:
    """Under its gdbstub QEMU reaches any index of its recorded trace,
    by breakpoints and by single steps, and shows the registers there."""
    elf = guests.build_isa_test("priv")
    args = qemu.machine_args(elf, qemu.BIOS_NONE)
    trace = record(args + ["-serial", "null"], 1_000_000)
    side = QemuSide(args, trace)
    try:
        assert side.pc() == 0x1000
        for target in (7, 1000, len(trace) // 2, len(trace) - 2):
            side.advance(target)
            assert (side.index, side.pc()) == (target, trace.pcs[target])
        side.step()
        assert side.pc() == trace.pcs[-1]
        state = side.read_state(["mstatus", "priv", "ft0"])
        assert state["pc"] == trace.pcs[-1] and state["priv"] == 3
        assert {"mstatus", "mepc", "satp", "priv", "ft0"} <= set(side.available(list(side.regnums)))
    finally:
        side.close()
    assert side.proc.poll() is not None
