"""INSNS: one entry per instruction, filled by one registration each.

An extension module registers an instruction with `insn(name, template,
...)`. The template is its semantics in a small fixed vocabulary (see
`translate.py` for how it is instantiated):

    RD = ...        write the destination integer register (dropped for x0)
    RS1 RS2         source integer registers (unsigned 64-bit)
    FD = ...        write the destination float register (raw 64-bit pattern)
    FS1 FS2 FS3     source float registers (raw 64-bit patterns)
    IMM             the sign-extended immediate (or shift amount, CSR uimm)
    PC NPC          this instruction's address and the next one's
    CSR ZIMM RM     CSR number, 5-bit CSR immediate, rounding mode (resolved)
    MEM             the value a load read (see `load=`)
    FFLAGS          the accrued FP exception flags
    M64             0xFFFF_FFFF_FFFF_FFFF
    sx8 sx16 sx32   sign-extend to an unsigned 64-bit value
    s64             read an unsigned 64-bit value as signed
    ...             plus the runtime helpers named in `translate.HELPERS`

Control flow is declared, not written: `branch=` gives the condition of a
conditional branch to PC + IMM, `jump="static"` is a jump to PC + IMM,
`jump="dynamic"` a jump to the value the template assigns to `TARGET`, and
`special=` gives cheaper equivalent templates for particular operands
(`mv`, `li`, `sext.w`, ...), tried in order before the general one.

`ends=True` marks instructions after which the block must end (the
template's helper has set the next pc or privilege); `traps=True` one that
always takes a trap (ECALL, EBREAK): the registers are written back before
its helper runs (firmware hooks read them) and it does not retire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

from trapscope.machine.isa.encoding import ENCODINGS, Encoding


@dataclass
class InsnDef:
    """The single definition of one instruction."""

    name: str
    enc: Encoding
    template: str = ""
    branch: str | None = None  # condition for a branch to PC + IMM
    jump: str | None = None  # "static" (PC + IMM) or "dynamic" (TARGET)
    ends: bool = False  # ends the block (system instructions)
    traps: bool = False  # always traps: registers are written back first, it does not retire
    # cheaper templates for some operands: ((condition over rd/rs1/rs2/imm, template), ...)
    special: Tuple[Tuple[str, str], ...] = ()
    load: Tuple[int, bool] | None = None  # (size, signed)
    store: int | None = None  # size; the template gives the value as STORE = ...
    fp: bool = False  # needs mstatus.FS != Off
    fp_dirty: bool = False  # writes FP state (marks mstatus.FS Dirty)
    rm: bool = False  # has a rounding-mode field
    expand: Callable[[Dict[str, int]], Tuple[str, Dict[str, int]] | None] | None = None
    base: str | None = None  # for compressed instructions: the base instruction
    extension: str = ""

    @property
    def compressed(self) -> bool:
        return self.enc.length == 2


INSNS: Dict[str, InsnDef] = {}
INTERP: Dict[str, object] = {}  # name -> code object of its interpreter function (translate.py)
_BUCKETS16: Dict[int, List[InsnDef]] = {}
_BUCKETS32: Dict[int, List[InsnDef]] = {}


def insn(name: str, template: str = "", *, extension: str = "", **kw) -> InsnDef:
    """Register the semantics of one instruction (its encoding comes from `ENCODINGS`)."""
    if name in INSNS:
        raise ValueError(f"{name} registered twice")
    if name not in ENCODINGS:
        raise ValueError(f"{name} has no encoding")
    d = InsnDef(name, ENCODINGS[name], template, extension=extension, **kw)
    INSNS[name] = d
    return d


def compressed(name: str, base: str,
               expand: Callable[[Dict[str, int]], Dict[str, int] | None]) -> InsnDef:
    """Register a compressed instruction as an expansion to its base instruction.

    `expand(operands)` gives the base instruction's operands, or None when
    the encoding is reserved (then it decodes as an illegal instruction).
    """
    def _exp(ops: Dict[str, int]) -> Tuple[str, Dict[str, int]] | None:
        out = expand(ops)
        return None if out is None else (base, out)
    return insn(name, expand=_exp, base=base, extension="c")


class Decoded:
    """One decoded instruction: its definition, operands, raw bits and length.

    For a compressed instruction `insn` is the base instruction it expands to
    and `cname` its own name.
    """

    __slots__ = ("insn", "ops", "word", "length", "cname")

    def __init__(self, insn: InsnDef, ops: Dict[str, int], word: int, length: int,
                 cname: str | None = None) -> None:
        self.insn = insn
        self.ops = ops
        self.word = word
        self.length = length
        self.cname = cname

    @property
    def name(self) -> str:
        """The mnemonic as written (the compressed name for RVC)."""
        return self.cname or self.insn.name

    def __repr__(self) -> str:
        return f"Decoded({self.name} {self.ops} word={self.word:#x})"


def _match(buckets: Dict[int, List[InsnDef]], key: int, word: int) -> InsnDef | None:
    for d in buckets.get(key, ()):
        if word & d.enc.mask == d.enc.match:
            return d
    return None


_DECODED: Dict[int, Decoded | None] = {}


def decode_word(word: int) -> Decoded | None:
    """Decode one instruction (the low 16 bits decide its length); None if illegal.

    Results are cached by word (callers must not change them).
    """
    try:
        return _DECODED[word]
    except KeyError:
        pass
    if len(_DECODED) > 1 << 16:
        _DECODED.clear()
    dec = _DECODED[word] = _decode(word)
    return dec


def _decode(word: int) -> Decoded | None:
    if word & 3 != 3:
        w = word & 0xFFFF
        d = _match(_BUCKETS16, ((w >> 13) << 2) | (w & 3), w)
        if d is None or d.expand is None:
            return None
        res = d.expand(d.enc.operands(w))
        if res is None:
            return None
        base, ops = res
        return Decoded(INSNS[base], ops, w, 2, d.name)
    w = word & 0xFFFFFFFF
    d = _match(_BUCKETS32, (w >> 2) & 0x1F, w)
    if d is None:
        return None
    return Decoded(d, d.enc.operands(w), w, 4)


def decode(data: bytes) -> Decoded | None:
    """Decode the instruction at the start of `data` (2 or 4 bytes)."""
    return decode_word(int.from_bytes(data[:4].ljust(4, b"\0"), "little"))


def _bucket_key(d: InsnDef) -> List[int]:
    """All bucket keys an encoding can fall in (buckets on opcode bits)."""
    if d.compressed:
        # key = funct3 (bits 15..13) and quadrant (bits 1..0)
        keys = []
        for f3 in range(8):
            for q in range(3):
                k_word = (f3 << 13) | q
                k_mask = 0xE003
                if (k_word ^ d.enc.match) & d.enc.mask & k_mask == 0:
                    keys.append((f3 << 2) | q)
        return keys
    return [(d.enc.match >> 2) & 0x1F]


def finish() -> None:
    """Check every encoding has semantics, compile the templates, build the decoder."""
    from trapscope.machine import translate

    missing = sorted(set(ENCODINGS) - set(INSNS))
    if missing:
        raise ValueError(f"instructions without semantics: {', '.join(missing)}")
    _BUCKETS16.clear()
    _BUCKETS32.clear()
    # More specific encodings (more mask bits) are tried first.
    for d in sorted(INSNS.values(), key=lambda d: -bin(d.enc.mask).count("1")):
        buckets = _BUCKETS16 if d.compressed else _BUCKETS32
        for key in _bucket_key(d):
            buckets.setdefault(key, []).append(d)
        if not d.compressed:
            translate.check_template(d)
            INTERP[d.name] = translate.interp_code(d)
