"""Every encoding in machine/isa, checked against the real cross assembler.

Each instruction of the table is assembled by riscv64-linux-gnu-as (32-bit
ones with `.option norvc`, compressed ones by their `c.` mnemonic); the
bytes must decode to exactly that instruction with the operands written,
and a compressed instruction must expand to what its base instruction,
assembled separately, decodes to.
"""

from __future__ import annotations

import subprocess
from typing import Dict, List, Tuple

import pytest
from elftools.elf.elffile import ELFFile
from trapscope.machine.isa import INSNS, decode_word
from trapscope.machine.isa.encoding import ENCODINGS

from tests.machine.build import OUT

A0, A1, A2, A3 = 10, 11, 12, 13
FA = "fa0, fa1, fa2, fa3"


def _asm32(name: str) -> Tuple[str, Dict[str, int]]:
    """(assembly operands, expected operand values) of a 32-bit instruction."""
    f = set(ENCODINGS[name].fields)
    fp_dst = name.startswith("f") and not any(name.startswith(p) for p in (
        "fcvt.w", "fcvt.l", "fmv.x", "feq", "flt", "fle", "fclass", "fence", "fsw", "fsd"))
    fp_src = name.startswith("f") and not any(name.startswith(p) for p in (
        "fcvt.s.w", "fcvt.s.l", "fcvt.d.w", "fcvt.d.l", "fmv.w.x", "fmv.d.x", "fence", "flw", "fld"))
    rd = "fa0" if fp_dst else "a0"
    r1 = "fa1" if fp_src else "a1"
    r2 = "fa2" if fp_src else "a2"
    exact = name in ("fcvt.d.s", "fcvt.d.w", "fcvt.d.wu")  # gas takes no rounding mode
    rm = ", rtz" if "rm" in f and not exact else ""
    if name in ("ecall", "ebreak", "mret", "sret", "wfi"):
        return "", {}
    if name == "fence":
        return "rw, w", {"rd": 0, "rs1": 0, "pred": 3, "succ": 1}
    if name == "fence.i":
        return "", {"rd": 0, "rs1": 0}
    if name == "sfence.vma":
        return "a1, a2", {"rs1": A1, "rs2": A2}
    if name.startswith("csrr"):
        src = "5" if name.endswith("i") else "a1"
        exp = {"rd": A0, "csr": 0x340}
        exp.update({"zimm": 5} if name.endswith("i") else {"rs1": A1})
        return f"a0, mscratch, {src}", exp
    if name.startswith("lr."):
        return "a0, (a1)", {"rd": A0, "rs1": A1}
    if name.startswith(("sc.", "amo")):
        return "a0, a2, (a1)", {"rd": A0, "rs1": A1, "rs2": A2}
    if name in ("lui", "auipc"):
        return "a0, 0x12345", {"rd": A0, "imm": 0x12345000}
    if name == "jal":
        return "ra, .+2052", {"rd": 1, "imm": 2052}
    if name == "jalr":
        return "ra, -8(a1)", {"rd": 1, "rs1": A1, "imm": -8}
    if "bimm12hi" in f:
        return "a0, a1, .-4094", {"rs1": A0, "rs2": A1, "imm": -4094}
    if "imm12hi" in f:
        src = "fa2" if name.startswith("f") else "a2"
        return f"{src}, -2040(a1)", {"rs1": A1, "rs2": A2, "imm": -2040}
    if "shamtd" in f or "shamtw" in f:
        return "a0, a1, 29", {"rd": A0, "rs1": A1, "imm": 29}
    if "imm12" in f:
        if ENCODINGS[name].match & 0x7F in (0x03, 0x07):  # loads
            return f"{rd}, -2047(a1)", {"rd": A0, "rs1": A1, "imm": -2047}
        return "a0, a1, -2047", {"rd": A0, "rs1": A1, "imm": -2047}
    if "rs3" in f:
        return FA + rm, {"rd": A0, "rs1": A1, "rs2": A2, "rs3": A3, "rm": 1}
    if "rs2" in f:
        return f"{rd}, {r1}, {r2}" + rm, {"rd": A0, "rs1": A1, "rs2": A2}
    return f"{rd}, {r1}" + rm, {"rd": A0, "rs1": A1}


# compressed mnemonic -> (operands, the equivalent base instruction)
COMPRESSED: Dict[str, Tuple[str, str]] = {
    "c.addi4spn": ("a0, sp, 1020", "addi a0, sp, 1020"),
    "c.fld": ("fa0, 248(a1)", "fld fa0, 248(a1)"),
    "c.lw": ("a0, 124(a1)", "lw a0, 124(a1)"),
    "c.ld": ("a0, 248(a1)", "ld a0, 248(a1)"),
    "c.fsd": ("fa2, 248(a1)", "fsd fa2, 248(a1)"),
    "c.sw": ("a2, 124(a1)", "sw a2, 124(a1)"),
    "c.sd": ("a2, 248(a1)", "sd a2, 248(a1)"),
    "c.nop": ("", "addi x0, x0, 0"),
    "c.addi": ("a0, -32", "addi a0, a0, -32"),
    "c.addiw": ("a0, 31", "addiw a0, a0, 31"),
    "c.li": ("a0, -17", "addi a0, x0, -17"),
    "c.addi16sp": ("sp, -512", "addi sp, sp, -512"),
    "c.lui": ("a0, 0xfffe1", "lui a0, 0xfffe1"),
    "c.srli": ("a0, 63", "srli a0, a0, 63"),
    "c.srai": ("a0, 33", "srai a0, a0, 33"),
    "c.andi": ("a0, -3", "andi a0, a0, -3"),
    "c.sub": ("a0, a2", "sub a0, a0, a2"),
    "c.xor": ("a0, a2", "xor a0, a0, a2"),
    "c.or": ("a0, a2", "or a0, a0, a2"),
    "c.and": ("a0, a2", "and a0, a0, a2"),
    "c.subw": ("a0, a2", "subw a0, a0, a2"),
    "c.addw": ("a0, a2", "addw a0, a0, a2"),
    "c.j": (".-2048", "jal x0, .-2048"),
    "c.beqz": ("a0, .-256", "beq a0, x0, .-256"),
    "c.bnez": ("a0, .+254", "bne a0, x0, .+254"),
    "c.slli": ("a0, 45", "slli a0, a0, 45"),
    "c.fldsp": ("fa0, 504(sp)", "fld fa0, 504(sp)"),
    "c.lwsp": ("a0, 252(sp)", "lw a0, 252(sp)"),
    "c.ldsp": ("a0, 504(sp)", "ld a0, 504(sp)"),
    "c.jr": ("a1", "jalr x0, 0(a1)"),
    "c.mv": ("a0, a2", "add a0, x0, a2"),
    "c.ebreak": ("", "ebreak"),
    "c.jalr": ("a1", "jalr ra, 0(a1)"),
    "c.add": ("a0, a2", "add a0, a0, a2"),
    "c.fsdsp": ("fa2, 504(sp)", "fsd fa2, 504(sp)"),
    "c.swsp": ("a2, 252(sp)", "sw a2, 252(sp)"),
    "c.sdsp": ("a2, 504(sp)", "sd a2, 504(sp)"),
}


def _assemble(lines: List[str]) -> Dict[str, int]:
    """Assemble `label: insn` lines; returns label -> raw word (32 bits, little-endian)."""
    d = OUT / "encoding"
    d.mkdir(parents=True, exist_ok=True)
    src = d / "all.s"
    src.write_text("\n".join([".text", ".option norelax"] + lines) + "\n")
    obj = d / "all.o"
    subprocess.run(["riscv64-linux-gnu-as", "-march=rv64gc", "-o", str(obj), str(src)],
                   check=True, capture_output=True, text=True)
    with open(obj, "rb") as fh:
        elf = ELFFile(fh)
        text = elf.get_section_by_name(".text").data()
        syms = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
    return {name: int.from_bytes(text[off:off + 4].ljust(4, b"\0"), "little")
            for name, off in syms.items() if name.startswith("L_")}


@pytest.fixture(scope="module")
def words() -> Dict[str, int]:
    lines = [".option norvc"]
    for i, name in enumerate(n for n in ENCODINGS if not n.startswith("c.")):
        lines.append(f"L_{i}: {name} {_asm32(name)[0]}")
    lines.append(".option rvc")
    for i, (name, (ops, base)) in enumerate(COMPRESSED.items()):
        lines.append(f"L_c{i}: {name} {ops}")
        lines.append(".option norvc")
        lines.append(f"L_b{i}: {base}")
        lines.append(".option rvc")
    return _assemble(lines)


def test_every_32bit_instruction_decodes_to_itself(words):
    names = [n for n in ENCODINGS if not n.startswith("c.")]
    for i, name in enumerate(names):
        dec = decode_word(words[f"L_{i}"])
        assert dec is not None, name
        assert dec.name == name, (name, hex(words[f"L_{i}"]))
        expected = _asm32(name)[1]
        got = {k: dec.ops[k] for k in expected}
        assert got == expected, name


def test_every_compressed_instruction_expands_to_its_base(words):
    assert set(COMPRESSED) == {n for n in ENCODINGS if n.startswith("c.")}
    for i, name in enumerate(COMPRESSED):
        cword = words[f"L_c{i}"] & 0xFFFF
        assert cword & 3 != 3, name
        dec = decode_word(cword)
        base = decode_word(words[f"L_b{i}"])
        assert dec is not None and base is not None, name
        assert dec.name == name and dec.length == 2
        assert dec.insn.name == base.insn.name, name
        for k, v in dec.ops.items():
            assert base.ops.get(k, 0) == v, (name, k)


@pytest.mark.parametrize("word", [
    0x0000,  # all zeros (c.addi4spn with zero immediate)
    0x6101,  # c.addi16sp sp, 0 (reserved)
    0x6501,  # c.lui a0, 0 (reserved)
    0x2001,  # c.addiw x0 (reserved)
    0x4002,  # c.lwsp x0 (reserved)
    0x6002,  # c.ldsp x0 (reserved)
    0x8002,  # c.jr x0 (reserved)
    0xFFFFFFFF,
    0x0000007F,  # a longer-than-32-bit encoding
    0x30200073 | (1 << 7),  # mret with rd != 0
])
def test_reserved_encodings_are_illegal(word):
    assert decode_word(word) is None


def test_table_is_complete():
    assert set(INSNS) == set(ENCODINGS)
    assert len(INSNS) == 197
    exts = {d.extension for d in INSNS.values()}
    assert exts == {"rv64i", "rv64m", "rv64a", "rv64fd", "rvc", "c", "zicsr", "zifencei", "priv"} - {"rvc"}


def test_trace_lines_name_every_instruction_of_a_block():
    from trapscope.machine import translate
    from trapscope.machine.codecache import decode_block

    code = bytes.fromhex("13050500") + (0x4505).to_bytes(2, "little") + bytes.fromhex("63840500")
    insns, used = decode_block(0x80000000, code, 0, False)
    assert used == len(code)
    lines = translate.trace_lines(insns)
    assert lines[0].startswith("0x0000000080000000: 00050513  addi")
    assert "c.li" in lines[1] and "imm=1" in lines[1] and "rd=10" in lines[1]
    assert "beq" in lines[2]
    assert translate.trace_lines([(0x80000010, None, 0xFFFFFFFF)]) == [
        "0x0000000080000010: ffffffff  <illegal>"]
