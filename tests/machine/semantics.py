"""Generated probe programs that exercise every unprivileged instruction.

Each program loads operands from a table, runs instructions over edge-case
and random values (integer pairs, FP specials in every rounding mode, every
load/store width and alignment, atomics, branches, jumps, compressed forms)
and stores each result (and the FP flags) to a result buffer, with a label
per result slot. `tests/machine/test_semantics_qemu.py` runs them on QEMU
and on the machine and compares the buffers slot by slot.
"""

from __future__ import annotations

import random
import struct
from typing import Iterable, List, Set, Tuple

RESULTS = 0x80200000
SCRATCH = RESULTS + 0x100000  # memory the load/store/atomic snippets use
M64 = (1 << 64) - 1

INT_VALUES = [0, 1, 2, M64, M64 - 1, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFF,
              0x80000000, 0xFFFFFFFF, 0xFFFFFFFF80000000, 0x100000000, 0x123456789ABCDEF0,
              31, 32, 63, 64, M64 - 30]
_rng = random.Random(1234)
INT_VALUES += [_rng.getrandbits(64) for _ in range(4)] + [_rng.getrandbits(32) for _ in range(2)]


def _d(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _s(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


D_VALUES = [0, 1 << 63, _d(1.0), _d(-1.0), _d(1.5), _d(-2.5), _d(0.1), _d(3.0), _d(1e308), _d(-1e308),
            0x0010000000000000, 0x0000000000000001, 0x000FFFFFFFFFFFFF, 0x7FF0000000000000,
            0xFFF0000000000000, 0x7FF8000000000000, 0x7FF4000000000000, 0xFFF8000000000001,
            _d(2.0 ** 53 + 2), _d(-(2.0 ** 63)), _d(2.0 ** 64), _d(4294967295.5), _d(-0.5),
            _d(1.0 / 3)]
S_VALUES = [0, 1 << 31, _s(1.0), _s(-1.0), _s(1.5), _s(-2.5), _s(0.1), _s(3.0), _s(3e38), _s(-3e38),
            0x00800000, 0x00000001, 0x007FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7FA00000,
            0xFFC00001, _s(2.0 ** 24 + 2), _s(-(2.0 ** 31)), _s(2.0 ** 32), _s(-0.5), _s(1.0 / 3)]
BOXED = [0xFFFFFFFF00000000 | v for v in S_VALUES] + [0x3FF0000000000000, 0xFFFFFFFE3F800000]


class Prog:
    """A probe program under construction: code lines, operand table, result labels."""

    def __init__(self) -> None:
        self.lines: List[str] = []
        self.table: List[int] = []
        self.labels: List[str] = []
        self.covered: Set[str] = set()
        self._opoff = 0
        self._resoff = 0
        self._label = 0

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def use(self, *names: str) -> None:
        self.covered.update(names)

    def label(self) -> str:
        self._label += 1
        return f"L{self._label}"

    def load(self, reg: str, value: int, fp: bool = False) -> None:
        """Put a 64-bit value in a register (from the operand table)."""
        if self._opoff > 2000:
            self.emit(f"addi s1, s1, {self._opoff}")
            self._opoff = 0
        self.table.append(value & M64)
        self.emit(f"{'fld' if fp else 'ld'} {reg}, {self._opoff}(s1)")
        self._opoff += 8

    def _slot(self, label: str) -> int:
        if self._resoff > 2000:
            self.emit(f"addi s0, s0, {self._resoff}")
            self._resoff = 0
        off = self._resoff
        self._resoff += 8
        self.labels.append(label)
        return off

    def result(self, reg: str, label: str) -> None:
        self.emit(f"sd {reg}, {self._slot(label)}(s0)")

    def fresult(self, freg: str, label: str) -> None:
        self.emit(f"fsd {freg}, {self._slot(label)}(s0)")

    def flags(self, label: str) -> None:
        self.emit("csrrw t6, fflags, zero")
        self.result("t6", label + " fflags")

    def source(self) -> str:
        head = [".section .text.init", ".globl _start", "_start:",
                "li t0, 3 << 13", "csrs mstatus, t0",  # FS dirty: F/D on
                f"li s0, {RESULTS:#x}", "la s1, optable", "li sp, %#x" % (SCRATCH + 0x800)]
        done = ["li t0, 0x10000000"] + [f"li t1, {ord(c)}\nsb t1, 0(t0)" for c in "DONE"] + ["1: j 1b"]
        table = [".section .data", ".balign 8", "optable:"] + [f".dword {v:#x}" for v in self.table]
        return "\n".join(head + self.lines + done + table) + "\n"


INT_RR = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw",
          "sllw", "srlw", "sraw", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
          "mulw", "divw", "divuw", "remw", "remuw"]
INT_RI = ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"]
IMMS = [0, 1, -1, 2047, -2048, 0x555, -0x556]
SHIFTS = {"slli": (0, 1, 31, 32, 63), "srli": (0, 1, 31, 32, 63), "srai": (0, 1, 31, 32, 63),
          "slliw": (0, 1, 31), "srliw": (0, 1, 31), "sraiw": (0, 1, 31)}
BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]


def integer() -> Prog:
    p = Prog()
    pairs = [(a, b) for a in INT_VALUES[:14] for b in INT_VALUES[:14]] + \
        [(_rng.getrandbits(64), _rng.getrandbits(64)) for _ in range(40)]
    for op in INT_RR:
        p.use(op)
        for a, b in pairs:
            p.load("a1", a)
            p.load("a2", b)
            p.emit(f"{op} a0, a1, a2")
            p.result("a0", f"{op} {a:#x} {b:#x}")
    for op in INT_RI:
        p.use(op)
        for a in INT_VALUES:
            for imm in IMMS:
                p.load("a1", a)
                p.emit(f"{op} a0, a1, {imm}")
                p.result("a0", f"{op} {a:#x} {imm}")
    for op, amounts in SHIFTS.items():
        p.use(op)
        for a in INT_VALUES:
            for sh in amounts:
                p.load("a1", a)
                p.emit(f"{op} a0, a1, {sh}")
                p.result("a0", f"{op} {a:#x} {sh}")
    p.use("lui", "auipc", "jal", "jalr", "fence", "fence.i", *BRANCHES)
    for v in (0, 1, 0x7FFFF, 0x80000, 0xFFFFF):
        p.emit(f"lui a0, {v:#x}")
        p.result("a0", f"lui {v:#x}")
        p.emit(f"auipc a0, {v:#x}")
        p.result("a0", f"auipc {v:#x}")
    for op in BRANCHES:
        for a, b in pairs[::3]:
            lab = p.label()
            p.load("a1", a)
            p.load("a2", b)
            p.emit("li a0, 1", f"{op} a1, a2, {lab}", "li a0, 0", f"{lab}:")
            p.result("a0", f"{op} {a:#x} {b:#x}")
    lab = p.label()
    p.emit(f"jal a0, {lab}", "nop", f"{lab}:", "fence", "fence rw, w", "fence.i")
    p.result("a0", "jal link")
    lab = p.label()
    p.emit(f"la a1, {lab} + 1", "jalr a0, 0(a1)", "li a0, 0", f"{lab}:")
    p.result("a0", "jalr link (target bit 0 cleared)")
    lab = p.label()
    p.emit(f"la a0, {lab} - 4", "jalr a0, 4(a0)", f"{lab}:")
    p.result("a0", "jalr rd = rs1")
    return p


LOADS = ["lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"]
STORES = ["sb", "sh", "sw", "sd"]
AMOS = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"]


def memory() -> Prog:
    p = Prog()
    p.use(*LOADS, *STORES)
    p.emit(f"li s2, {SCRATCH:#x}")
    pattern = [0x8877665544332211, 0xFFEEDDCCBBAA9988, 0x0123456789ABCDEF, 0x80FF7F0180FF7F01]
    for i, v in enumerate(pattern):
        p.load("a1", v)
        p.emit(f"sd a1, {8 * i}(s2)")
    for op in LOADS:
        for off in range(0, 17):
            p.emit(f"{op} a0, {off}(s2)")
            p.result("a0", f"{op} offset {off}")
    p.emit("addi s3, s2, 64")
    for op in STORES:
        for off in range(0, 12):
            p.load("a1", 0xA1B2C3D4E5F60718 + off)
            p.emit(f"{op} a1, {off}(s3)", "ld a0, 0(s3)")
            p.result("a0", f"{op} offset {off} (word 0)")
            p.emit("ld a0, 8(s3)")
            p.result("a0", f"{op} offset {off} (word 1)")
            p.emit("ld a0, 16(s3)")
            p.result("a0", f"{op} offset {off} (word 2)")
    p.use("flw", "fld", "fsw", "fsd")
    for off in (0, 4, 8, 3):
        p.emit(f"flw fa0, {off}(s2)")
        p.fresult("fa0", f"flw {off}")
        p.emit(f"fld fa1, {off}(s2)")
        p.fresult("fa1", f"fld {off}")
        p.emit(f"fsw fa1, {off + 128}(s2)", f"ld a0, {(off + 128) & ~7}(s2)")
        p.result("a0", f"fsw {off}")
        p.emit(f"fsd fa0, {off + 160}(s2)", f"ld a0, {(off + 160) & ~7}(s2)")
        p.result("a0", f"fsd {off}")
    atomics(p)
    return p


def atomics(p: Prog) -> None:
    p.emit("addi s4, s2, 256")
    for w, size in (("w", 4), ("d", 8)):
        for op in AMOS:
            name = f"{op}.{w}"
            p.use(name)
            for a, b in [(5, 3), (M64, 1), (0x80000000, 0x7FFFFFFF), (0x8000000000000000, 1),
                         (0xFFFFFFFF, 0x100000001)]:
                p.load("a1", a)
                p.load("a2", b)
                p.emit("sd a1, 0(s4)", f"{name} a0, a2, (s4)")
                p.result("a0", f"{name} {a:#x} {b:#x} old")
                p.emit("ld a0, 0(s4)")
                p.result("a0", f"{name} {a:#x} {b:#x} memory")
        lr, sc = f"lr.{w}", f"sc.{w}"
        p.use(lr, sc)
        p.load("a1", 0x1122334455667788)
        p.load("a2", 0x99AABBCCDDEEFF00)
        p.emit("sd a1, 0(s4)", f"{lr} a0, (s4)", f"{sc} a3, a2, (s4)")
        p.result("a0", f"{lr} value")
        p.result("a3", f"{sc} success")
        p.emit(f"{sc} a3, a1, (s4)")
        p.result("a3", f"{sc} without reservation")
        p.emit(f"addi t2, s4, {size}", f"{lr} a0, (s4)", f"{sc} a3, a1, (t2)", "ld a0, 0(s4)")
        p.result("a3", f"{sc} to another address")
        p.result("a0", f"{sc} memory")
        p.emit(f"{lr}.aq a0, (s4)", f"{sc}.rl a3, a1, (s4)")
        p.result("a3", f"{sc}.rl after {lr}.aq")


FP_BIN = ["fadd", "fsub", "fmul", "fdiv"]
FP_NORM = ["fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx"]
FP_CMP = ["feq", "flt", "fle"]
FP_FMA = ["fmadd", "fmsub", "fnmsub", "fnmadd"]
RMS = ["rne", "rtz", "rdn", "rup", "rmm"]


def floating(prec: str) -> Prog:
    p = Prog()
    vals = BOXED if prec == "s" else D_VALUES
    rng = random.Random(99 if prec == "s" else 77)
    pairs = [(a, b) for a in vals[:18] for b in vals[:18]]
    for i, op in enumerate(FP_BIN):
        name = f"{op}.{prec}"
        p.use(name)
        for j, (a, b) in enumerate(pairs):
            rm = RMS[(i + j) % 5] if j % 3 else "dyn"
            _fp_op(p, f"{name} fa0, fa1, fa2, {rm}", [("fa1", a), ("fa2", b)], f"{name} {a:#x} {b:#x} {rm}")
    for op in FP_NORM + FP_CMP:
        name = f"{op}.{prec}"
        p.use(name)
        dst = "a0" if op in FP_CMP else "fa0"
        for a, b in pairs:
            _fp_op(p, f"{name} {dst}, fa1, fa2", [("fa1", a), ("fa2", b)], f"{name} {a:#x} {b:#x}", dst)
    for op in FP_FMA:
        name = f"{op}.{prec}"
        p.use(name)
        for k in range(120):
            a, b, c = (rng.choice(vals) for _ in range(3))
            rm = RMS[k % 5]
            _fp_op(p, f"{name} fa0, fa1, fa2, fa3, {rm}", [("fa1", a), ("fa2", b), ("fa3", c)],
                   f"{name} {a:#x} {b:#x} {c:#x} {rm}")
    p.use(f"fsqrt.{prec}", f"fclass.{prec}")
    for a in vals:
        for rm in RMS:
            _fp_op(p, f"fsqrt.{prec} fa0, fa1, {rm}", [("fa1", a)], f"fsqrt.{prec} {a:#x} {rm}")
        _fp_op(p, f"fclass.{prec} a0, fa1", [("fa1", a)], f"fclass.{prec} {a:#x}", "a0")
    conversions(p, prec, vals)
    return p


def conversions(p: Prog, prec: str, vals: List[int]) -> None:
    for to in ("w", "wu", "l", "lu"):
        f2i, i2f = f"fcvt.{to}.{prec}", f"fcvt.{prec}.{to}"
        p.use(f2i, i2f)
        for a in vals:
            for rm in RMS:
                _fp_op(p, f"{f2i} a0, fa1, {rm}", [("fa1", a)], f"{f2i} {a:#x} {rm}", "a0")
        exact = prec == "d" and to in ("w", "wu")  # no rounding mode in the assembly syntax
        for v in INT_VALUES:
            for rm in ([""] if exact else [", rne", ", rtz", ", rup"]):
                _fp_op(p, f"{i2f} fa0, a1{rm}", [("a1", v)], f"{i2f} {v:#x}{rm}")
    other = "d" if prec == "s" else "s"
    cvt = f"fcvt.{other}.{prec}"
    p.use(cvt)
    for a in vals:
        for rm in (RMS if other == "s" else RMS[:1]):
            _fp_op(p, f"{cvt} fa0, fa1, {rm}" if other == "s" else f"{cvt} fa0, fa1",
                   [("fa1", a)], f"{cvt} {a:#x} {rm}")
    mvx, mvf = ("fmv.x.w", "fmv.w.x") if prec == "s" else ("fmv.x.d", "fmv.d.x")
    p.use(mvx, mvf)
    for a in vals[:10] + INT_VALUES[:6]:
        _fp_op(p, f"{mvx} a0, fa1", [("fa1", a)], f"{mvx} {a:#x}", "a0")
        _fp_op(p, f"{mvf} fa0, a1", [("a1", a)], f"{mvf} {a:#x}")


def _fp_op(p: Prog, insn: str, operands: Iterable[Tuple[str, int]], label: str, dst: str = "fa0") -> None:
    for reg, v in operands:
        p.load(reg, v, fp=reg.startswith("f"))
    p.emit(insn)
    if dst.startswith("f"):
        p.fresult(dst, label)
    else:
        p.result(dst, label)
    p.flags(label)


COMPRESSED = [
    ("c.addi4spn", "c.addi4spn a2, sp, 1020", "a2"), ("c.li", "c.li a2, -17", "a2"),
    ("c.lui", "c.lui a2, 0xfffe1", "a2"), ("c.addi16sp", "c.addi16sp sp, -512\nmv a2, sp\naddi sp, sp, 512", "a2"),
    ("c.nop", "c.nop", "a2"),
]
C_RD_RS = [("c.addi", "c.addi a2, -32"), ("c.addiw", "c.addiw a2, 31"), ("c.srli", "c.srli a2, 63"),
           ("c.srai", "c.srai a2, 33"), ("c.andi", "c.andi a2, -3"), ("c.sub", "c.sub a2, a3"),
           ("c.xor", "c.xor a2, a3"), ("c.or", "c.or a2, a3"), ("c.and", "c.and a2, a3"),
           ("c.subw", "c.subw a2, a3"), ("c.addw", "c.addw a2, a3"), ("c.slli", "c.slli a2, 45"),
           ("c.mv", "c.mv a2, a3"), ("c.add", "c.add a2, a3")]
C_MEM = [("c.ld", "c.ld a2, 8(a4)"), ("c.lw", "c.lw a2, 12(a4)"), ("c.sd", "c.sd a3, 16(a4)\nld a2, 16(a4)"),
         ("c.sw", "c.sw a3, 28(a4)\nld a2, 24(a4)"), ("c.ldsp", "c.ldsp a2, 8(sp)"),
         ("c.lwsp", "c.lwsp a2, 12(sp)"), ("c.sdsp", "c.sdsp a3, 32(sp)\nld a2, 32(sp)"),
         ("c.swsp", "c.swsp a3, 44(sp)\nld a2, 40(sp)")]
C_FMEM = [("c.fld", "c.fld fa2, 8(a4)"), ("c.fsd", "c.fsd fa3, 48(a4)\nfld fa2, 48(a4)"),
          ("c.fldsp", "c.fldsp fa2, 16(sp)"), ("c.fsdsp", "c.fsdsp fa3, 56(sp)\nfld fa2, 56(sp)")]


def compressed() -> Prog:
    p = Prog()
    p.emit(".option rvc", "mv a4, sp")
    for i, v in enumerate(INT_VALUES[:8]):
        p.load("a1", v)
        p.emit(f"sd a1, {8 * i}(sp)")
    for name, code, dst in COMPRESSED:
        p.use(name)
        p.load("a2", 0x5555)
        p.emit(*code.split("\n"))
        p.result(dst, name)
    for name, code in C_RD_RS + C_MEM:
        p.use(name)
        for a, b in [(x, y) for x in INT_VALUES[:9] for y in INT_VALUES[3:7]]:
            p.load("a2", a)
            p.load("a3", b)
            p.emit(*code.split("\n"))
            p.result("a2", f"{name} {a:#x} {b:#x}")
    for name, code in C_FMEM:
        p.use(name)
        p.load("fa3", D_VALUES[4], fp=True)
        p.emit(*code.split("\n"))
        p.fresult("fa2", name)
    jumps(p)
    return p


def jumps(p: Prog) -> None:
    p.use("c.j", "c.jr", "c.jalr", "c.beqz", "c.bnez", "c.ebreak")
    lab = p.label()
    p.emit("li a2, 1", f"c.j {lab}", "li a2, 2", f"{lab}:")
    p.result("a2", "c.j")
    lab = p.label()
    p.emit("li a2, 1", f"la a3, {lab}", "c.jr a3", "li a2, 2", f"{lab}:")
    p.result("a2", "c.jr")
    lab = p.label()
    p.emit(f"la a3, {lab}", "c.jalr a3", f"{lab}:", "mv a2, ra")
    p.result("a2", "c.jalr link")
    for v in (0, 1, M64):
        for op in ("c.beqz", "c.bnez"):
            lab = p.label()
            p.load("a3", v)
            p.emit("li a2, 1", f"{op} a3, {lab}", "li a2, 0", f"{lab}:")
            p.result("a2", f"{op} {v:#x}")
    # c.ebreak is covered by the privileged tests (it traps); named here for the list
    p.emit("j 1f", "c.ebreak", "1:")


PROGRAMS = {"integer": integer, "memory": memory, "float_s": lambda: floating("s"),
            "float_d": lambda: floating("d"), "compressed": compressed}


def covered() -> Set[str]:
    """Every instruction some probe program executes (c.ebreak: see test_priv)."""
    out: Set[str] = set()
    for make in PROGRAMS.values():
        out |= make().covered
    return out
