"""The CSR file against QEMU 7.2's rv64 CPU, read for read and write for write.

A probe program (M-mode, bare metal) reads every CSR number 0x000..0xFFF
(recording the value or the trap), then writes all-ones, zero and a
pattern to every CSR it could read and reads each back, then restores it.
The same program runs on QEMU and on our machine; the results must match,
except the counters whose values are timing (QEMU's come from host ticks).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import pytest
from trapscope.machine import csr

from tests.machine.build import build
from tests.machine.qemu import run_on_machine, run_on_qemu

RESULTS = 0x80100000
PATTERN = 0x5A5A5A5A5A5A5A5A
# Written with care: the trap vector, PMP configs (lock bits), trigger data1.
SKIP_WRITES = {0x305, 0x3A0, 0x3A2, 0x7A1, 0x24D}  # 0x24D: writing hangs QEMU 7.2 without H
TIMING = {0xB00, 0xB02, 0xC00, 0xC01, 0xC02}  # mcycle, minstret, cycle, time, instret

HEADER = """
.section .text.init
.globl _start
_start:
  la t0, trap
  csrw mtvec, t0
  li s0, {results:#x}
"""
TRAP = """
trap:
  csrr t5, mcause
  addi t6, t5, 1
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  mret
"""
DONE = """
  li t0, 0x10000000
  li t1, 'D'
  sb t1, 0(t0)
  li t1, 'O'
  sb t1, 0(t0)
  li t1, 'N'
  sb t1, 0(t0)
  li t1, 'E'
  sb t1, 0(t0)
1: j 1b
"""


def _read(num: int) -> List[str]:
    return ["li a0, 0", "li t6, 0", f"csrr a0, {num:#x}", "sd a0, 0(s0)", "sd t6, 8(s0)",
            "addi s0, s0, 16"]


def _write(num: int, value: str) -> List[str]:
    return ["li t6, 0", f"li a1, {value}", f"csrw {num:#x}, a1", "li a0, 0", f"csrr a0, {num:#x}",
            "sd a0, 0(s0)", "sd t6, 8(s0)", "addi s0, s0, 16"]


WRITES = [("-1", "ones"), ("0", "zero"), (hex(PATTERN), "pattern")]
EXTRA = {0x180: [(hex((8 << 60) | ((1 << 60) - 1)), "sv39+ones")],
         0x3A0: [("0x1f0f070302010019", "cfg"), ("0", "zero")],
         0x3A2: [("0x1f0f070302010019", "cfg"), ("0", "zero")]}


def probe_source() -> Tuple[str, int]:
    """The probe program and how many (value, trap) records it writes."""
    lines: List[str] = [HEADER.format(results=RESULTS)]
    records = 0
    for num in range(0x1000):
        lines += _read(num)
        records += 1
    lines += ["li t0, 1 << 13", "csrs mstatus, t0"]  # FS = Initial: the FP CSRs open up
    for num in (1, 2, 3):
        lines += _read(num)
        records += 1
    for num in sorted(csr.CSRS):
        writes = EXTRA.get(num, [] if num in SKIP_WRITES else WRITES)
        if not writes:
            continue
        lines += [f"csrr s2, {num:#x}"]
        for value, _ in writes:
            lines += _write(num, value)
            records += 1
        lines += [f"csrw {num:#x}, s2"]
    lines.append(DONE)
    lines.append(TRAP)
    return "\n".join(lines) + "\n", records


def _records(dump: bytes, n: int) -> List[Tuple[int, int]]:
    return [(int.from_bytes(dump[16 * i:16 * i + 8], "little"),
             int.from_bytes(dump[16 * i + 8:16 * i + 16], "little")) for i in range(n)]


def _labels() -> List[Tuple[int, str]]:
    out = [(n, "read") for n in range(0x1000)] + [(n, "read with FS on") for n in (1, 2, 3)]
    for num in sorted(csr.CSRS):
        for _, what in EXTRA.get(num, [] if num in SKIP_WRITES else WRITES):
            out.append((num, f"write {what}"))
    return out


@pytest.fixture(scope="module")
def both() -> Tuple[List[Tuple[int, int]], List[Tuple[int, int]]]:
    src, n = probe_source()
    elf = build("csrprobe", src)
    q, _ = run_on_qemu(elf, RESULTS, 16 * n)
    m, _ = run_on_machine(elf, RESULTS, 16 * n)
    return _records(q, n), _records(m, n)


def test_same_csrs_exist_as_on_qemu(both):
    q, m = both
    diffs = []
    for num in range(0x1000):
        if bool(q[num][1]) != bool(m[num][1]):
            name = csr.CSRS[num].name if num in csr.CSRS else "?"
            diffs.append(f"{num:#05x} {name}: qemu {'traps' if q[num][1] else 'reads'}, "
                         f"ours {'traps' if m[num][1] else 'reads'}")
    assert not diffs, "\n".join(diffs)


def test_reset_values_and_warl_writes_match_qemu(both):
    q, m = both
    labels = _labels()
    diffs: Dict[str, str] = {}
    for (num, what), qv, mv in zip(labels, q, m):
        if num in TIMING:
            qv, mv = (0, qv[1]), (0, mv[1])  # their values are timing; whether they trap is not
        if qv != mv:
            name = csr.CSRS[num].name if num in csr.CSRS else f"csr {num:#x}"
            diffs[f"{name} {what}"] = f"qemu {qv[0]:#x}/trap {qv[1]}, ours {mv[0]:#x}/trap {mv[1]}"
    assert not diffs, "\n".join(f"{k}: {v}" for k, v in diffs.items())
