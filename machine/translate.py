"""Block translation: instruction templates instantiated into Python source.

A basic block (up to a control-flow or system instruction, a page end or a
length cap) becomes one Python function `_b(ic, lim) -> (next_pc, retired)`,
compiled once and executed in the hart's globals (see `Hart.globals`):

- the integer registers the block touches live in locals `x1..x31`, loaded
  at entry and written back at every exit, including a trap's (the except
  clause writes back and re-raises, so a fault mid-block leaves state as if
  the earlier instructions retired and the faulting one did not);
- loads and stores go through the hart's per-kind TLBs (`TL`, `TS`: virtual
  page number -> RAM offset minus page base) and memoryview casts of RAM,
  with an alignment check (an aligned access never crosses a page); a miss,
  a misaligned access or MMIO takes the hart's slow path, which gets the pc
  and the instruction count so it can raise a precise trap;
- a block that branches back to its own start becomes a `while` loop with an
  instruction budget, so the hart never runs past `lim` (timer deadlines and
  quantum ends stay exact);
- a block longer than the remaining budget runs one instruction instead
  (`step1`), so a slice ends at exactly `lim`.

The same source generator gives the single-step functions (one instruction,
no budget check) and the trace text (`trace_lines`).
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Dict, List, Sequence, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.isa.table import Decoded, InsnDef

M64 = 0xFFFFFFFFFFFFFFFF
PAGE = 4096
MAX_BLOCK = 64  # instructions per block

# Names the generated code finds in the hart's globals (see Hart.globals).
HELPERS = (
    "h X F RAM MB MH Mh MI Mi MQ TL TS BlockExit ld_slow st_slow step1 raise_illegal "
    "csr_rw csr_rs csr_rc lr sc amo mret sret wfi sfence_vma fence_i ecall ebreak frm_rm"
).split()

# Macros usable in templates, expanded at import (argument: _0).
MACROS: Dict[str, str] = {
    "sx8": "(((_0) & 0xFF ^ 0x80) - 0x80) & 0xFFFFFFFFFFFFFFFF",
    "sx16": "(((_0) & 0xFFFF ^ 0x8000) - 0x8000) & 0xFFFFFFFFFFFFFFFF",
    "sx32": "(((_0) & 0xFFFFFFFF ^ 0x80000000) - 0x80000000) & 0xFFFFFFFFFFFFFFFF",
    "signed": "((_0) ^ 0x8000000000000000) - 0x8000000000000000",
    "signed32": "((_0) & 0xFFFFFFFF ^ 0x80000000) - 0x80000000",
    "skey": "(_0) ^ 0x8000000000000000",
}
PLACEHOLDERS = ("RD", "RS1", "RS2", "FD", "FS1", "FS2", "FS3", "IMM", "PC", "NPC", "CSR",
                "ZIMM", "RM", "MEM", "STORE", "TARGET", "FFLAGS", "C", "RD_NZ", "RS1_NZ",
                "M64", "WORD")
_PH_RE = re.compile(r"\b(" + "|".join(sorted(PLACEHOLDERS, key=len, reverse=True)) + r")\b")


class _Inline(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in MACROS:
            (arg,) = node.args
            expansion = ast.parse(MACROS[node.func.id], mode="eval").body
            return _Subst(arg).visit(expansion)
        return node


class _Subst(ast.NodeTransformer):
    def __init__(self, arg: ast.AST) -> None:
        self.arg = arg

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.arg if node.id == "_0" else node


def _prepare(template: str) -> str:
    """Template -> a str.format pattern with {PLACEHOLDER} fields."""
    if "{" in template or "}" in template:
        raise ValueError(f"braces are not allowed in templates: {template!r}")
    tree = ast.parse("\n".join(part.strip() for part in template.split(";")))
    tree = ast.fix_missing_locations(_Inline().visit(tree))
    return _PH_RE.sub(r"{\1}", ast.unparse(tree))


_PATTERNS: Dict[str, str] = {}


def pattern(d: InsnDef) -> str:
    """The format pattern of an instruction's template (cached)."""
    p = _PATTERNS.get(d.name)
    if p is None:
        p = _PATTERNS[d.name] = _prepare(d.template or "pass")
    return p


def check_template(d: InsnDef) -> None:
    """Compile a template with sample operands, so a typo fails at import."""
    from trapscope.machine.isa.table import Decoded

    ops = {"rd": 5, "rs1": 6, "rs2": 7, "rs3": 8, "imm": -4, "csr": 0x300, "zimm": 3, "rm": 0}
    fake = Decoded(d, ops, 0, 4)
    src = "\n".join(_insn_lines(fake, 0x80000000, 0, _Ctx(1, False)))
    compile("def _f(ic, lim):\n" + _indent(src, 1), f"<template {d.name}>", "exec")


def _indent(text: str, level: int) -> str:
    pad = "    " * level
    return "\n".join(pad + line if line else line for line in text.split("\n"))


class _Ctx:
    """Per-block translation state."""

    def __init__(self, n: int, loop: bool) -> None:
        self.n = n
        self.loop = loop
        self.fp_checked = False
        self.fp_dirtied = False

    def count(self, k: int) -> str:
        """Source for the instruction count at the k-th instruction."""
        if self.loop:
            return f"ic + (_it0 - _it) * {self.n} + {k}"
        return f"ic + {k}" if k else "ic"


def _reg(n: int) -> str:
    return f"x{n}" if n else "0"


def _lit(v: int) -> str:
    return f"({v})" if v < 0 else (hex(v) if v > 9 else str(v))


def _fields(dec: Decoded, pc: int, k: int, ctx: _Ctx) -> Dict[str, str]:
    ops = dec.ops
    rd, rs1, rs2, rs3 = ops.get("rd", 0), ops.get("rs1", 0), ops.get("rs2", 0), ops.get("rs3", 0)
    c = ctx.count(k)
    rm = ops.get("rm", 0)
    if dec.insn.rm and rm == 7:
        rm_src = f"frm_rm({_lit(dec.word)}, {_lit(pc)}, {c})"
    else:
        rm_src = str(rm)
    raw_rs1 = (dec.word >> 15) & 31 if dec.length == 4 else rs1
    return {
        "RD": _reg(rd) if rd else "_", "RS1": _reg(rs1), "RS2": _reg(rs2),
        "FD": f"F[{rd}]", "FS1": f"F[{rs1}]", "FS2": f"F[{rs2}]", "FS3": f"F[{rs3}]",
        "IMM": _lit(ops.get("imm", 0)), "PC": _lit(pc), "NPC": _lit((pc + dec.length) & M64),
        "CSR": _lit(ops.get("csr", 0)), "ZIMM": _lit(ops.get("zimm", 0)), "RM": rm_src,
        "MEM": "_v", "STORE": "_s", "TARGET": "_t", "FFLAGS": "h.fflags", "C": c,
        "RD_NZ": str(bool(rd)), "RS1_NZ": str(bool(raw_rs1)), "M64": "0xFFFFFFFFFFFFFFFF",
        "WORD": _lit(dec.word),
    }


_VIEWS = {1: ("RAM", "MB"), 2: ("MH", "Mh"), 4: ("MI", "Mi"), 8: ("MQ", "MQ")}
_SHIFT = {1: "", 2: " >> 1", 4: " >> 2", 8: " >> 3"}


def _addr(f: Dict[str, str]) -> str:
    if f["IMM"] == "0":
        return f"_a = {f['RS1']}"
    return f"_a = ({f['RS1']} + {f['IMM']}) & 0xFFFFFFFFFFFFFFFF"


def _load_lines(d: InsnDef, f: Dict[str, str]) -> List[str]:
    size, signed = d.load  # type: ignore[misc]
    view = _VIEWS[size][1 if signed else 0]
    fast = f"{view}[(TL[_a >> 12] + _a){_SHIFT[size]}]"
    if signed:
        fast += " & 0xFFFFFFFFFFFFFFFF"
    slow = f"_v = ld_slow(_a, {size}, {signed}, {f['PC']}, {f['C']})"
    lines = [_addr(f)]
    try_lines = ["try:", f"    _v = {fast}", "except KeyError:", f"    {slow}"]
    if size == 1:
        lines += try_lines
    else:
        lines += [f"if _a & {size - 1}:", f"    {slow}", "else:"] + ["    " + ln for ln in try_lines]
    return lines


def _store_lines(d: InsnDef, f: Dict[str, str]) -> List[str]:
    size = d.store
    view = _VIEWS[size][0]  # type: ignore[index]
    mask = (1 << (8 * size)) - 1  # type: ignore[operator]
    value = "_s" if size == 8 else f"_s & {hex(mask)}"
    slow = f"st_slow(_a, {size}, _s, {f['PC']}, {f['C']})"
    lines = [_addr(f)]
    try_lines = ["try:", f"    {view}[(TS[_a >> 12] + _a){_SHIFT[size]}] = {value}",
                 "except KeyError:", f"    {slow}"]
    if size == 1:
        lines += try_lines
    else:
        lines += [f"if _a & {size - 1}:", f"    {slow}", "else:"] + ["    " + ln for ln in try_lines]
    return lines


def _insn_lines(dec: Decoded, pc: int, k: int, ctx: _Ctx) -> List[str]:
    """Source lines of one instruction (without its control transfer)."""
    d = dec.insn
    f = _fields(dec, pc, k, ctx)
    lines: List[str] = []
    if d.fp and not ctx.fp_checked:
        ctx.fp_checked = True
        lines += ["if not h.mstatus & 0x6000:",
                  f"    raise_illegal({f['WORD']}, {f['PC']}, {f['C']})"]
    if d.rm and dec.ops.get("rm", 0) in (5, 6):
        return lines + [f"raise_illegal({f['WORD']}, {f['PC']}, {f['C']})"]
    if d.load:
        lines += _load_lines(d, f)
    body = pattern(d).format(**f)
    if d.store:
        lines += [ln for ln in body.split("\n")]
        lines += _store_lines(d, f)
    else:
        lines += body.split("\n")
    if d.fp_dirty and not ctx.fp_dirtied:
        ctx.fp_dirtied = True
        lines.append("h.mstatus |= 0x6000")
    return lines


def _touched(dec: Decoded) -> Tuple[set, set]:
    """(integer registers read, integer registers written) by one instruction."""
    p = pattern(dec.insn) + (dec.insn.branch or "").replace("RS1", "{RS1}").replace("RS2", "{RS2}")
    reads, writes = set(), set()
    for key, ph in (("rs1", "{RS1}"), ("rs2", "{RS2}")):
        if ph in p and dec.ops.get(key):
            reads.add(dec.ops[key])
    if "{RD}" in p and dec.ops.get("rd"):
        writes.add(dec.ops["rd"])
    if (dec.insn.load or dec.insn.store) and dec.ops.get("rs1"):
        reads.add(dec.ops["rs1"])
    return reads, writes


class Block:
    """A translated block: its source and what the hart needs to run it."""

    __slots__ = ("pc", "length", "n", "source", "code", "pcs")

    def __init__(self, pc: int, length: int, n: int, source: str, pcs: Tuple[int, ...]) -> None:
        self.pc = pc
        self.length = length  # bytes of guest code covered
        self.n = n  # instructions
        self.source = source
        self.code = compile(source, f"<block {pc:#x}>", "exec")
        self.pcs = pcs


def _exit_info(last: Decoded, pc: int, start: int, single: bool) -> Tuple[str, int | None]:
    """(kind, static target) of a block's last instruction."""
    d = last.insn
    npc = (pc + last.length) & M64
    if d.branch:
        return "branch", (pc + last.ops["imm"]) & M64
    if d.jump == "static":
        return "jump", (pc + last.ops["imm"]) & M64
    if d.jump == "dynamic":
        return "dynamic", None
    return "fall", npc


def build_source(insns: Sequence[Tuple[int, Decoded | None, int]], single: bool = False) -> str:
    """Python source of a block function `_b(ic, lim)`.

    `insns` is [(pc, decoded, raw word)]; a None decoded is an illegal
    instruction, which ends the block with its trap.
    """
    start = insns[0][0]
    n = len(insns)
    last_pc, last, _ = insns[-1]
    kind, target = ("illegal", None) if last is None else _exit_info(last, last_pc, start, single)
    loop = (not single) and kind in ("branch", "jump") and target == start
    ctx = _Ctx(n, loop)
    reads: set = set()
    writes: set = set()
    body: List[str] = []
    for k, (pc, dec, word) in enumerate(insns):
        if dec is None:
            body.append(f"raise_illegal({_lit(word)}, {_lit(pc)}, {ctx.count(k)})")
            break
        r, w = _touched(dec)
        reads |= r
        writes |= w
        body += _insn_lines(dec, pc, k, ctx)
    regs = sorted(reads | writes)
    wb = "; ".join(f"X[{r}] = x{r}" for r in sorted(writes))
    out = ["def _b(ic, lim):"]
    if not single:
        out.append(f"    if ic + {n} > lim:")
        out.append(f"        return step1({_lit(start)}, ic)")
    if regs:
        out.append("    " + "; ".join(f"x{r} = X[{r}]" for r in regs))
    exit_lines, ret = _exit_lines(kind, target, last, last_pc, n, loop)
    if loop:
        out.append(f"    _it0 = _it = (lim - ic) // {n}")
        out.append("    try:")
        out.append("        while True:")
        out.append(_indent("\n".join(body), 3))
        out.append("            _it -= 1")
        out += ["            " + ln for ln in exit_lines]
    else:
        out.append("    try:")
        out.append(_indent("\n".join(body + exit_lines), 2))
    out.append("    except BlockExit:")
    out.append(f"        {wb or 'pass'}")
    out.append("        raise")
    if wb:
        out.append(f"    {wb}")
    out.append(f"    return {ret}")
    return "\n".join(out) + "\n"


def _exit_lines(kind: str, target: int | None, last: Decoded | None, pc: int, n: int,
                loop: bool) -> Tuple[List[str], str]:
    """Lines computing the next pc into `_pc` (inside the try) and the return expression."""
    if kind == "illegal":
        return [], f"({_lit(pc)}, {n})"
    assert last is not None
    npc = (pc + last.length) & M64
    retired = f"(_it0 - _it) * {n}" if loop else str(n)
    if kind == "branch":
        cond = last.insn.branch
        f = _fields(last, pc, n - 1, _Ctx(n, loop))
        cond_src = _PH_RE.sub(r"{\1}", ast.unparse(_Inline().visit(ast.parse(cond, mode="eval")))).format(**f)
        if loop:
            return ([f"if {cond_src}:", "    if _it:", "        continue",
                     f"    _pc = {_lit(target)}", "else:", f"    _pc = {_lit(npc)}", "break"],
                    f"(_pc, {retired})")
        return [f"_pc = {_lit(target)} if {cond_src} else {_lit(npc)}"], f"(_pc, {retired})"
    if kind == "jump":
        if loop:
            return ["if _it:", "    continue", "break"], f"({_lit(target)}, {retired})"
        return [], f"({_lit(target)}, {retired})"
    if kind == "dynamic":
        return [], f"(_t, {retired})"
    return [], f"({_lit(npc)}, {retired})"


def ends_block(dec: Decoded | None) -> bool:
    """Whether translation must stop after this instruction."""
    if dec is None:
        return True
    d = dec.insn
    return bool(d.branch or d.jump or d.ends)


def trace_lines(insns: Sequence[Tuple[int, Decoded | None, int]]) -> List[str]:
    """A disassembly-free trace of a block: pc, raw bits, mnemonic and operands."""
    out = []
    for pc, dec, word in insns:
        if dec is None:
            out.append(f"{pc:#018x}: {word:08x}  <illegal>")
            continue
        ops = " ".join(f"{k}={v}" for k, v in sorted(dec.ops.items()))
        width = 4 if dec.length == 2 else 8
        out.append(f"{pc:#018x}: {dec.word:0{width}x}  {dec.name} {ops}")
    return out
