"""Block translation: instruction templates instantiated into Python source.

A region of guest code becomes one Python function `_b(ic, lim) ->
(next_pc, retired)`, compiled once and run in the hart's globals (see
`Hart._init_globals`). A region is a basic block (up to a control-flow or
system instruction, the page end or a length cap), or a loop: the blocks
of one page that lead back to the entry block (a self-loop or a
multi-block loop), which run inside the function while the budget lasts.

- Integer registers the region touches live in locals `x1..x31` (signed
  64-bit values, see machine/word.py), loaded at entry and written back at
  every exit, a trap's included: the except clause writes back and
  re-raises, so a fault mid-region leaves state as if the earlier
  instructions retired and the faulting one did not.
- Loads and stores go through the hart's per-kind TLBs (`TL`, `TS`: virtual
  page number -> RAM offset minus page base) and memoryview casts of RAM,
  with an alignment check (an aligned access never crosses a page); a
  miss, a misaligned access or MMIO takes the hart's slow path, which gets
  the pc and the instruction count so it can raise a precise trap.
- The function never runs past `lim` instructions: a loop counts down its
  budget, and a block longer than what is left runs one instruction
  instead (`step1`), so timer deadlines and quantum ends are exact.

The same generator gives the single-step functions (one instruction, no
budget check); `trace_lines` gives the disassembly-free trace.
"""

from __future__ import annotations

import ast
import platform
import re
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Set, Tuple

from trapscope.machine.word import s64

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.isa.table import Decoded, InsnDef

M64 = 0xFFFFFFFFFFFFFFFF
MAX_BLOCK = 64  # instructions per basic block

# Names the generated code finds in the hart's globals (see Hart._init_globals).
HELPERS = (
    "h X F RAM MB MH Mh MI Mi MQ Mq TL TS BlockExit ld_slow st_slow step1 raise_illegal wrap64 "
    "csr_rw csr_rs csr_rc lr sc amo mret sret wfi sfence_vma fence_i ecall ebreak frm_rm"
).split()

# Macros usable in templates, expanded at import (argument: _0).
MACROS: Dict[str, str] = {
    "sx32": "((_0) & 0xFFFFFFFF ^ 0x80000000) - 0x80000000",  # low 32 bits, sign-extended
    "u64": "(_0) & 0xFFFFFFFFFFFFFFFF",  # as unsigned (a bigint on PyPy: cold paths only)
    "s64": "((_0) & 0xFFFFFFFFFFFFFFFF ^ 0x8000000000000000) - 0x8000000000000000",
    "ukey": "(_0) ^ -0x8000000000000000",  # orders signed values as their unsigned selves
}
# Statement macros, `NAME = macro(expr)` as a whole statement: a range check that
# PyPy and CPython both do fast, and the rare fix-up. w64 wraps into the signed
# 64-bit range (w64hi/w64lo when only one side can overflow); w32 sign-extends
# the low 32 bits (W instructions).
STATEMENTS: Dict[str, str] = {
    "w64": "{t} = {e}\nif not -0x8000000000000000 <= {t} <= 0x7FFFFFFFFFFFFFFF: {t} = wrap64({t})",
    "w64hi": "{t} = {e}\nif {t} > 0x7FFFFFFFFFFFFFFF: {t} = wrap64({t})",
    "w64lo": "{t} = {e}\nif {t} < -0x8000000000000000: {t} = wrap64({t})",
    "w32": "{t} = {e}\nif not -0x80000000 <= {t} <= 0x7FFFFFFF: "
           "{t} = ({t} & 0xFFFFFFFF ^ 0x80000000) - 0x80000000",
}
_CONST = re.compile(r"const64\(([-+0-9a-fx() ]+)\)")
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


def _lower(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Call) \
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in STATEMENTS:
        return STATEMENTS[stmt.value.func.id].format(t=ast.unparse(stmt.targets[0]),
                                                     e=ast.unparse(stmt.value.args[0]))
    text = ast.unparse(stmt)
    if re.search(r"\bw(64|64hi|64lo|32)\(", text):
        raise ValueError(f"{text!r}: w64/w32 must be a whole statement `X = w64(...)`")
    return text


def _prepare(template: str) -> str:
    """Template -> a str.format pattern with {PLACEHOLDER} fields."""
    if "{" in template or "}" in template:
        raise ValueError(f"braces are not allowed in templates: {template!r}")
    tree = ast.parse("\n".join(part.strip() for part in template.split(";")))
    tree = ast.fix_missing_locations(_Inline().visit(tree))
    text = "\n".join(_lower(stmt) for stmt in tree.body)
    return _PH_RE.sub(r"{\1}", text)


def _prepare_expr(expr: str) -> str:
    return _PH_RE.sub(r"{\1}", ast.unparse(_Inline().visit(ast.parse(expr, mode="eval"))))


def _fold(text: str) -> str:
    """Evaluate `const64(...)` over literals at translation time."""
    return _CONST.sub(lambda m: _lit(s64(eval(m.group(1), {"__builtins__": {}}))), text)


_PATTERNS: Dict[Tuple[str, int], str] = {}
_CONDITIONS: Dict[str, object] = {}


def _condition(cond: str):
    """A special template's condition as a function of (rd, rs1, rs2, imm)."""
    fn = _CONDITIONS.get(cond)
    if fn is None:
        fn = _CONDITIONS[cond] = eval(f"lambda rd, rs1, rs2, imm: {cond}", {"__builtins__": {}})
    return fn


def _variant(d: InsnDef, ops: Optional[Dict[str, int]]) -> int:
    """Which of an instruction's templates applies to these operands (0 = the general one)."""
    if ops is None or not d.special:
        return 0
    args = (ops.get("rd", 0), ops.get("rs1", 0), ops.get("rs2", 0), ops.get("imm", 0))
    for i, (cond, _) in enumerate(d.special, 1):
        if _condition(cond)(*args):  # type: ignore[operator]
            return i
    return 0


def pattern(d: InsnDef, ops: Optional[Dict[str, int]] = None) -> str:
    """The format pattern of an instruction's template for these operands (cached)."""
    v = _variant(d, ops)
    p = _PATTERNS.get((d.name, v))
    if p is None:
        template = d.special[v - 1][1] if v else (d.template or "pass")
        p = _PATTERNS[(d.name, v)] = _prepare(template)
    return p


def check_template(d: InsnDef) -> None:
    """Compile a template with sample operands, so a typo fails at import."""
    from trapscope.machine.isa.table import Decoded

    ops = {"rd": 5, "rs1": 6, "rs2": 7, "rs3": 8, "imm": -4, "csr": 0x300, "zimm": 3, "rm": 0}
    fake = Decoded(d, ops, 0, 4)
    src = "\n".join(_insn_lines(fake, 0x80000000, 0, _Ctx(False)))
    for _, template in d.special:
        src += "\n" + _prepare(template).format(**_fields(fake, 0x80000000, 0, _Ctx(False)))
    if d.branch:
        src += "\n" + _cond(fake, 0x80000000)
    compile("def _f(ic, lim):\n" + _indent(src + "\npass", 1), f"<template {d.name}>", "exec")


def _indent(text: str, level: int) -> str:
    pad = "    " * level
    return "\n".join(pad + line if line else line for line in text.split("\n"))


class _Ctx:
    """Per-block translation state."""

    def __init__(self, looping: bool) -> None:
        self.looping = looping  # inside a region loop: counts come from _left
        self.fp_checked = False
        self.fp_dirtied = False

    def count(self, k: int) -> str:
        """Source for the instruction count at the k-th instruction of the block."""
        if self.looping:
            return f"lim - _left + {k}"
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
        rm_src = f"frm_rm({_lit(dec.word)}, {_lit(s64(pc))}, {c})"
    else:
        rm_src = str(rm)
    raw_rs1 = (dec.word >> 15) & 31 if dec.length == 4 else rs1
    return {
        "RD": _reg(rd) if rd else "_", "RS1": _reg(rs1), "RS2": _reg(rs2),
        "FD": f"F[{rd}]", "FS1": f"F[{rs1}]", "FS2": f"F[{rs2}]", "FS3": f"F[{rs3}]",
        "IMM": _lit(ops.get("imm", 0)), "PC": _lit(s64(pc)), "NPC": _lit(s64(pc + dec.length)),
        "CSR": _lit(ops.get("csr", 0)), "ZIMM": _lit(ops.get("zimm", 0)), "RM": rm_src,
        "MEM": "_v", "STORE": "_s", "TARGET": "_t", "FFLAGS": "h.fflags", "C": c,
        "RD_NZ": str(bool(rd)), "RS1_NZ": str(bool(raw_rs1)), "M64": "0xFFFFFFFFFFFFFFFF",
        "WORD": _lit(dec.word),
    }


# RAM access by (size, signed): loads into integer registers sign- or zero-extend
# into the signed representation; raw 64-bit patterns (FP) are unsigned. CPython
# indexes memoryview casts of RAM fastest, PyPy struct's unpack_from/pack_into
# (about 12 times faster there than its memoryview casts).
PYPY = platform.python_implementation() == "PyPy"
_VIEWS = {1: ("RAM", "MB"), 2: ("MH", "Mh"), 4: ("MI", "Mi"), 8: ("MQ", "Mq")}
_SHIFT = {1: "", 2: " >> 1", 4: " >> 2", 8: " >> 3"}
_FORMATS = {(1, True): "b", (2, False): "H", (2, True): "h", (4, False): "I", (4, True): "i",
            (8, False): "Q", (8, True): "q"}


def _read(size: int, signed: bool, off: str) -> str:
    """An expression reading RAM at offset `off`."""
    if size == 1 and not signed:
        return f"RAM[{off}]"
    if PYPY:
        return f"L{_FORMATS[(size, signed)]}(RAM, {off})[0]"
    return f"{_VIEWS[size][1 if signed else 0]}[({off}){_SHIFT[size]}]"


def _write(size: int, signed: bool, off: str, value: str) -> str:
    """A statement writing `value` (already in range) to RAM at offset `off`."""
    if size == 1:
        return f"RAM[{off}] = {value}"
    if PYPY:
        return f"S{_FORMATS[(size, signed)]}(RAM, {off}, {value})"
    return f"{_VIEWS[size][1 if signed else 0]}[({off}){_SHIFT[size]}] = {value}"


def _addr(f: Dict[str, str]) -> Tuple[List[str], str]:
    """(lines computing the address, the name holding it)."""
    # No wrap: an address past the signed range has no TLB entry; the slow path wraps it.
    if f["IMM"] == "0" and f["RS1"] != "0":
        return [], f["RS1"]
    return [f"_a = {f['RS1']} + {f['IMM']}"], "_a"


def _access(size: int, a: str, fast: str, slow: str) -> List[str]:
    """The TLB fast path with its slow-path fallbacks (misaligned, miss)."""
    try_lines = ["try:", f"    {fast}", "except KeyError:", f"    {slow}"]
    if size == 1:
        return try_lines
    return [f"if {a} & {size - 1}:", f"    {slow}", "else:"] + ["    " + ln for ln in try_lines]


def _load_lines(d: InsnDef, f: Dict[str, str], dest: str) -> List[str]:
    size, signed = d.load  # type: ignore[misc]
    signed = signed or (size == 8 and not d.fp)  # ld into a (signed) integer register
    lines, a = _addr(f)
    fast = f"{dest} = {_read(size, signed, f'TL[{a} >> 12] + {a}')}"
    slow = f"{dest} = ld_slow({a}, {size}, {signed}, {f['PC']}, {f['C']})"
    return lines + _access(size, a, fast, slow)


def _store_lines(d: InsnDef, f: Dict[str, str], value: str) -> List[str]:
    size: int = d.store  # type: ignore[assignment]
    signed = size == 8 and not d.fp  # FP patterns are unsigned, registers signed
    masked = value if size == 8 else f"{value} & {hex((1 << (8 * size)) - 1)}"
    lines, a = _addr(f)
    fast = _write(size, signed, f"TS[{a} >> 12] + {a}", masked)
    slow = f"st_slow({a}, {size}, {value}, {f['PC']}, {f['C']})"
    return lines + _access(size, a, fast, slow)


def _insn_lines(dec: Decoded, pc: int, k: int, ctx: _Ctx) -> List[str]:
    """Source lines of one instruction (without its control transfer)."""
    d = dec.insn
    f = _fields(dec, pc, k, ctx)
    lines: List[str] = []
    if d.fp and not ctx.fp_checked:
        ctx.fp_checked = True
        lines += ["if not h.mstatus & 0x6000:", f"    raise_illegal({f['WORD']}, {f['PC']}, {f['C']})"]
    if d.rm and dec.ops.get("rm", 0) in (5, 6):
        return lines + [f"raise_illegal({f['WORD']}, {f['PC']}, {f['C']})"]
    body = _fold(pattern(d, dec.ops).format(**f))
    if d.load:
        direct = body == f"{f['RD']} = _v"  # the common `RD = MEM`: load straight into RD
        lines += _load_lines(d, f, f["RD"] if direct else "_v")
        if direct:
            body = ""
    if d.store:
        m = re.fullmatch(r"_s = (\S+)", body)  # `STORE = RS2`: store the register itself
        if m:
            lines += _store_lines(d, f, m.group(1))
        else:
            lines += body.split("\n") + _store_lines(d, f, "_s")
    elif body and body != "pass":
        lines += body.split("\n")
    if d.fp_dirty and not ctx.fp_dirtied:
        ctx.fp_dirtied = True
        lines.append("h.mstatus |= 0x6000")
    return lines


def _touched(dec: Decoded) -> Tuple[Set[int], Set[int]]:
    """(integer registers read, integer registers written) by one instruction."""
    p = pattern(dec.insn, dec.ops) + (dec.insn.branch or "").replace("RS1", "{RS1}").replace("RS2", "{RS2}")
    reads, writes = set(), set()
    for key, ph in (("rs1", "{RS1}"), ("rs2", "{RS2}")):
        if ph in p and dec.ops.get(key):
            reads.add(dec.ops[key])
    if "{RD}" in p and dec.ops.get("rd"):
        writes.add(dec.ops["rd"])
    if (dec.insn.load or dec.insn.store) and dec.ops.get("rs1"):
        reads.add(dec.ops["rs1"])
    return reads, writes


Insn = Tuple[int, Optional["Decoded"], int]  # (pc, decoded or None if illegal, raw word)


def successors(block: Sequence[Insn]) -> Tuple[str, Optional[int], Optional[int]]:
    """(kind, static target, fall-through) of a basic block's end.

    kind is "branch", "jump" (static), "dynamic" (jalr, xRET, traps),
    "end" (a system instruction: leaves a region, so that interrupt
    checks do not depend on how code was grouped), "fall" (the block was
    cut: page end, length cap) or "illegal".
    """
    pc, dec, _ = block[-1]
    if dec is None:
        return "illegal", None, None
    d = dec.insn
    npc = s64(pc + dec.length)
    if d.branch:
        return "branch", s64(pc + dec.ops["imm"]), npc
    if d.jump == "static":
        return "jump", s64(pc + dec.ops["imm"]), None
    if d.jump == "dynamic":
        return "dynamic", None, None
    if d.ends:
        return "end", None, npc
    return "fall", None, npc


def _cond(dec: Decoded, pc: int) -> str:
    return _prepare_expr(dec.insn.branch or "True").format(**_fields(dec, pc, 0, _Ctx(False)))


def _block_body(block: Sequence[Insn], ctx: _Ctx, sync: str = "") -> Tuple[List[str], Set[int], Set[int]]:
    """Lines of a block's instructions; `sync` (a writeback) goes before a trapping one."""
    reads: Set[int] = set()
    writes: Set[int] = set()
    body: List[str] = []
    for k, (pc, dec, word) in enumerate(block):
        if dec is None:
            body.append(f"raise_illegal({_lit(word)}, {_lit(s64(pc))}, {ctx.count(k)})")
            break
        r, w = _touched(dec)
        reads |= r
        writes |= w
        if dec.insn.traps and sync:
            body.append(sync)
        body += _insn_lines(dec, pc, k, ctx)
    return body, reads, writes


def _traps(block: Sequence[Insn]) -> bool:
    """Whether the block ends with an instruction that always traps (ECALL, EBREAK)."""
    dec = block[-1][1]
    return dec is not None and dec.insn.traps


def _written(blocks: Sequence[Sequence[Insn]]) -> Set[int]:
    out: Set[int] = set()
    for block in blocks:
        for _, dec, _ in block:
            if dec is not None:
                out |= _touched(dec)[1]
    return out


def build_source(blocks: Sequence[Sequence[Insn]], single: bool = False) -> str:
    """Python source of a region function `_b(ic, lim)`.

    `blocks[0]` is the entry block; further blocks form a loop with it (see
    module docstring). `single` makes a one-instruction function without a
    budget check (single-stepping).
    """
    if len(blocks) > 1:
        return _region_source(blocks)
    block = blocks[0]
    kind, target, fall = successors(block)
    start = s64(block[0][0])
    if not single and kind in ("branch", "jump") and target == start:
        return _self_loop_source(block, kind, fall)
    return _plain_source(block, kind, target, fall, single)


def _prologue(regs: Set[int]) -> List[str]:
    return ["    " + "; ".join(f"x{r} = X[{r}]" for r in sorted(regs))] if regs else []


def _writeback(writes: Set[int]) -> str:
    return "; ".join(f"X[{r}] = x{r}" for r in sorted(writes))


def _epilogue(body: List[str], writes: Set[int], ret: str, level: int = 1,
              synced: bool = False) -> List[str]:
    wb = _writeback(writes)
    out = ["    try:", _indent("\n".join(body or ["pass"]), level + 1), "    except BlockExit:",
           f"        {wb or 'pass'}", "        raise"]
    if wb and not synced:
        out.append(f"    {wb}")
    out.append(f"    return {ret}")
    return out


def _plain_source(block: Sequence[Insn], kind: str, target: Optional[int], fall: Optional[int],
                  single: bool) -> str:
    n = len(block)
    start = s64(block[0][0])
    traps = _traps(block)
    body, reads, writes = _block_body(block, _Ctx(False), _writeback(_written([block])))
    last_pc, last, _ = block[-1]
    if traps:
        # the helper took the trap itself (registers were written back before it),
        # so the block returns the handler's pc and the ECALL/EBREAK does not retire
        ret = f"(_t, {n - 1})"
    elif kind == "branch":
        assert last is not None
        body.append(f"_pc = {_lit(target)} if {_cond(last, last_pc)} else {_lit(fall)}")  # type: ignore[arg-type]
        ret = f"(_pc, {n})"
    elif kind == "jump":
        ret = f"({_lit(target)}, {n})"  # type: ignore[arg-type]
    elif kind == "dynamic":
        ret = f"(_t, {n})"
    elif kind in ("fall", "end"):
        ret = f"({_lit(fall)}, {n})"  # type: ignore[arg-type]
    else:
        ret = f"({_lit(s64(last_pc))}, {n})"
    out = ["def _b(ic, lim):"]
    if not single:
        out += [f"    if ic + {n} > lim:", f"        return step1({_lit(start)}, ic)"]
    out += _prologue(reads | writes) + _epilogue(body, writes, ret, synced=traps)
    return "\n".join(out) + "\n"


def _self_loop_source(block: Sequence[Insn], kind: str, fall: Optional[int]) -> str:
    """A block that branches back to itself: a while loop counting down its budget."""
    n = len(block)
    start = s64(block[0][0])
    body, reads, writes = _block_body(block, _Ctx(True))
    last_pc, last, _ = block[-1]
    body.append(f"_left -= {n}")
    if kind == "branch":
        assert last is not None
        body += [f"if {_cond(last, last_pc)}:", f"    if _left >= {n}:", "        continue",
                 f"    _pc = {_lit(start)}", "else:", f"    _pc = {_lit(fall)}", "break"]  # type: ignore[arg-type]
    else:
        body += [f"if _left >= {n}:", "    continue", f"_pc = {_lit(start)}", "break"]
    out = ["def _b(ic, lim):", "    _left = lim - ic", f"    if _left < {n}:",
           f"        return step1({_lit(start)}, ic)"]
    out += _prologue(reads | writes)
    loop = ["while True:"] + ["    " + ln for ln in "\n".join(body).split("\n")]
    out += _epilogue(loop, writes, "(_pc, lim - ic - _left)")
    return "\n".join(out) + "\n"


def _region_source(blocks: Sequence[Sequence[Insn]]) -> str:
    """Several blocks that loop back to the entry: a while loop dispatching on _pc."""
    starts = {s64(b[0][0]) for b in blocks}
    entry = s64(blocks[0][0][0])
    parts: List[str] = []
    reads: Set[int] = set()
    writes: Set[int] = set()
    sync = _writeback(_written(blocks))
    for block in blocks:
        n = len(block)
        start = s64(block[0][0])
        body, r, w = _block_body(block, _Ctx(True), sync)
        reads |= r
        writes |= w
        if _traps(block):  # the trap was taken (registers written back): leave at once
            body += [f"_left -= {n - 1}", "return (_t, lim - ic - _left)"]
        else:
            body.append(f"_left -= {n}")
            body += _region_exit(block, starts)
        parts += [f"if _pc == {_lit(start)}:", f"    if _left < {n}:", "        break"]
        parts += ["    " + ln for ln in "\n".join(body).split("\n")]
    out = ["def _b(ic, lim):", "    _left = lim - ic", f"    if _left < {len(blocks[0])}:",
           f"        return step1({_lit(entry)}, ic)"]
    out += _prologue(reads | writes) + [f"    _pc = {_lit(entry)}"]
    loop = ["while True:"] + ["    " + ln for ln in "\n".join(parts).split("\n")]
    out += _epilogue(loop, writes, "(_pc, lim - ic - _left)")
    return "\n".join(out) + "\n"


def _region_exit(block: Sequence[Insn], starts: Set[int]) -> List[str]:
    """Set _pc to the block's successor, leaving the loop when it is outside the region."""
    kind, target, fall = successors(block)
    last_pc, last, _ = block[-1]

    def goto(pc: Optional[int]) -> List[str]:
        return [f"_pc = {_lit(pc)}"] + ([] if pc in starts else ["break"])  # type: ignore[arg-type]
    if kind == "branch":
        assert last is not None
        return [f"if {_cond(last, last_pc)}:"] + ["    " + x for x in goto(target)] + \
            ["else:"] + ["    " + x for x in goto(fall)]
    if kind == "jump":
        return goto(target)
    if kind == "fall":
        return goto(fall)
    if kind == "end":
        return [f"_pc = {_lit(fall)}", "break"]
    if kind == "dynamic":
        return ["_pc = _t", "break"]
    return [f"_pc = {_lit(s64(last_pc))}", "break"]


def ends_block(dec: Optional[Decoded]) -> bool:
    """Whether translation must stop after this instruction."""
    if dec is None:
        return True
    d = dec.insn
    return bool(d.branch or d.jump or d.ends)


def trace_lines(insns: Sequence[Insn]) -> List[str]:
    """A disassembly-free trace of a block: pc, raw bits, mnemonic and operands."""
    out = []
    for pc, dec, word in insns:
        pcu = pc & M64
        if dec is None:
            out.append(f"{pcu:#018x}: {word:08x}  <illegal>")
            continue
        ops = " ".join(f"{k}={v}" for k, v in sorted(dec.ops.items()))
        width = 4 if dec.length == 2 else 8
        out.append(f"{pcu:#018x}: {dec.word:0{width}x}  {dec.name} {ops}")
    return out


class Block:
    """A translated region: its source and compiled function code."""

    __slots__ = ("pc", "n", "source", "code")

    def __init__(self, pc: int, n: int, source: str) -> None:
        self.pc = pc
        self.n = n  # instructions
        self.source = source
        self.code = compile(source, f"<block {pc & M64:#x}>", "exec")


# -- the interpreter: one generic function per instruction kind ------------------------
# Cold code runs through these (no compile per block); a block that keeps running
# is compiled (see codecache.build). They are made from the same templates, with
# operands as arguments and the registers read and written in X directly.
INTERP_ARGS = "ic, pc, npc, target, rd, rs1, rs2, rs3, imm, csr, zimm, rm, word"


def _interp_fields(d: InsnDef) -> Dict[str, str]:
    return {
        "RD": "_d", "RS1": "X[rs1]", "RS2": "X[rs2]",
        "FD": "F[rd]", "FS1": "F[rs1]", "FS2": "F[rs2]", "FS3": "F[rs3]",
        "IMM": "imm", "PC": "pc", "NPC": "npc", "CSR": "csr", "ZIMM": "zimm",
        "RM": "(frm_rm(word, pc, ic) if rm == 7 else rm)" if d.rm else "rm",
        "MEM": "_v", "STORE": "_s", "TARGET": "_t", "FFLAGS": "h.fflags", "C": "ic",
        "RD_NZ": "(rd != 0)", "RS1_NZ": "(word >> 15 & 31 != 0)", "M64": "0xFFFFFFFFFFFFFFFF",
        "WORD": "word",
    }


def interp_source(d: InsnDef) -> str:
    """Source of `_i(ic, pc, npc, target, rd, ...) -> next pc` running one instruction of kind d."""
    f = _interp_fields(d)
    body: List[str] = []
    if d.fp:
        body += ["if not h.mstatus & 0x6000:", "    raise_illegal(word, pc, ic)"]
    if d.rm:
        body += ["if rm == 5 or rm == 6:", "    raise_illegal(word, pc, ic)"]
    if d.load:
        size, signed = d.load
        signed = signed or (size == 8 and not d.fp)
        body += ["_a = X[rs1] + imm"] + _access(
            size, "_a", f"_v = {_read(size, signed, 'TL[_a >> 12] + _a')}",
            f"_v = ld_slow(_a, {size}, {signed}, pc, ic)")
    text = pattern(d).format(**f).replace("const64(", "s64(")
    if text != "pass":
        body += text.split("\n")
    if d.store:
        size = d.store
        masked = "_s" if size == 8 else f"_s & {hex((1 << (8 * size)) - 1)}"
        body += ["_a = X[rs1] + imm"] + _access(
            size, "_a", _write(size, size == 8 and not d.fp, "TS[_a >> 12] + _a", masked),
            f"st_slow(_a, {size}, _s, pc, ic)")
    if "{RD}" in pattern(d):
        body += ["if rd:", "    X[rd] = _d"]
    if d.fp_dirty:
        body.append("h.mstatus |= 0x6000")
    if d.branch:
        cond = _prepare_expr(d.branch).format(**f)
        body.append(f"return target if {cond} else npc")
    elif d.jump == "static":
        body.append("return target")
    elif d.jump == "dynamic":
        body.append("return _t")
    else:
        body.append("return npc")
    return f"def _i({INTERP_ARGS}):\n" + _indent("\n".join(body), 1) + "\n"


def interp_code(d: InsnDef):
    """The compiled code object of an instruction kind's interpreter function."""
    import types

    module = compile(interp_source(d), f"<interp {d.name}>", "exec")
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


def interp_args(pc: int, dec: Decoded) -> Tuple[int, ...]:
    """The arguments (after ic) of an instruction's interpreter function."""
    ops = dec.ops
    _, target, _ = successors([(pc, dec, dec.word)])
    return (s64(pc), s64(pc + dec.length), target or 0, ops.get("rd", 0), ops.get("rs1", 0),
            ops.get("rs2", 0), ops.get("rs3", 0), ops.get("imm", 0), ops.get("csr", 0),
            ops.get("zimm", 0), ops.get("rm", 0), dec.word)
