"""The architectural state difftest compares, and the counters it synchronises.

Compared: pc, x1..x31, f0..f31 (raw 64-bit patterns), the privilege level
and the CSRs in COMPARED_CSRS that both QEMU's gdbstub and trapscope's debug
interface show. Not compared, because they legitimately differ between two
machines running the same instructions: the counters (cycle, time, instret,
the hpm counters: their reads are synchronised instead, see `counter_read`)
and mip/sip (their timer bits follow each machine's clock).
"""

from __future__ import annotations

from typing import Callable, Dict, List

GPR_NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
             "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
             "t3", "t4", "t5", "t6"]
FPR_NAMES = ["ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
             "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
             "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"]

# name -> CSR number, in the order reports list them.
COMPARED_CSRS: Dict[str, int] = {
    "mstatus": 0x300, "misa": 0x301, "medeleg": 0x302, "mideleg": 0x303, "mie": 0x304,
    "mtvec": 0x305, "mcounteren": 0x306, "menvcfg": 0x30A, "mscratch": 0x340, "mepc": 0x341,
    "mcause": 0x342, "mtval": 0x343, "pmpcfg0": 0x3A0, "pmpaddr0": 0x3B0,
    "sstatus": 0x100, "sie": 0x104, "stvec": 0x105, "scounteren": 0x106, "senvcfg": 0x10A,
    "sscratch": 0x140, "sepc": 0x141, "scause": 0x142, "stval": 0x143, "satp": 0x180,
    "stimecmp": 0x14D, "fflags": 0x001, "frm": 0x002, "fcsr": 0x003,
}
# Those an S-mode kernel sees: all that is compared when the firmwares differ.
S_LEVEL_CSRS = ["sstatus", "sie", "stvec", "scounteren", "senvcfg", "sscratch", "sepc", "scause",
                "stval", "satp"]
# The CSRs a guest may see differ on the two machines for reasons of time.
NOT_COMPARED = ("cycle", "time", "instret", "mcycle", "minstret", "hpmcounter3..31",
                "mhpmcounter3..31", "mip", "sip")

MTIME = 0x200BFF8


def state_names(csrs: List[str]) -> List[str]:
    """Every name in a full comparison, in report order."""
    return ["pc", "priv", *GPR_NAMES[1:], *FPR_NAMES, *csrs]


def is_counter_csr(number: int) -> bool:
    """cycle/time/instret/hpmcounterN and mcycle/minstret/mhpmcounterN."""
    return 0xC00 <= number <= 0xC1F or 0xB00 <= number <= 0xB1F


def _sext(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) & 1 else value


def counter_read(insn: int, gpr: Callable[[int], int]) -> int | None:
    """The rd an instruction fills from a counter (a counter CSR, or a load
    from the CLINT's mtime), else None. `gpr(i)` reads the current x[i]."""
    if insn & 3 != 3:
        return _compressed_mtime_load(insn & 0xFFFF, gpr)
    opcode = insn & 0x7F
    rd = (insn >> 7) & 0x1F
    funct3 = (insn >> 12) & 7
    if rd == 0:
        return None
    if opcode == 0x73 and funct3 in (1, 2, 3, 5, 6, 7):
        return rd if is_counter_csr(insn >> 20) else None
    if opcode == 0x03 and funct3 in (2, 3, 6):  # lw, ld, lwu
        addr = (gpr((insn >> 15) & 0x1F) + _sext(insn >> 20, 12)) & 0xFFFFFFFFFFFFFFFF
        return rd if MTIME <= addr < MTIME + 8 else None
    return None


def _compressed_mtime_load(insn: int, gpr: Callable[[int], int]) -> int | None:
    """c.lw / c.ld from mtime."""
    if insn & 3 != 0 or (insn >> 13) not in (2, 3):
        return None
    rd = 8 + ((insn >> 2) & 7)
    rs1 = 8 + ((insn >> 7) & 7)
    if insn >> 13 == 2:  # c.lw: uimm[5:3] = [12:10], [2] = [6], [6] = [5]
        imm = ((insn >> 10) & 7) << 3 | ((insn >> 6) & 1) << 2 | ((insn >> 5) & 1) << 6
    else:  # c.ld: uimm[5:3] = [12:10], [7:6] = [6:5]
        imm = ((insn >> 10) & 7) << 3 | ((insn >> 5) & 3) << 6
    addr = gpr(rs1) + imm
    return rd if MTIME <= addr < MTIME + 8 else None


def diff(qemu: Dict[str, int], ours: Dict[str, int], names: List[str]) -> List[str]:
    """The names whose values differ (in `names` order)."""
    return [n for n in names if qemu.get(n) != ours.get(n)]
