"""RV64A: LR/SC and AMOs, through the hart's helpers (they are rare and may trap)."""

from trapscope.machine.isa.table import insn

E = "rv64a"
M64 = 0xFFFFFFFFFFFFFFFF

for _w, _size in (("w", 4), ("d", 8)):
    insn(f"lr.{_w}", f"RD = lr(RS1, {_size}, PC, C)", extension=E)
    insn(f"sc.{_w}", f"RD = sc(RS1, RS2, {_size}, PC, C)", extension=E)
    for _op in ("swap", "add", "xor", "and", "or", "min", "max", "minu", "maxu"):
        insn(f"amo{_op}.{_w}", f"RD = amo(RS1, RS2, {_size}, AMO_{_op.upper()}, PC, C)", extension=E)


def _s(v: int, size: int) -> int:
    bits = 8 * size
    return v - (1 << bits) if v >> (bits - 1) else v


# The AMO operations on memory-width unsigned values: f(old, operand, size) -> new.
AMO_OPS = {
    "AMO_SWAP": lambda old, v, size: v,
    "AMO_ADD": lambda old, v, size: old + v,
    "AMO_XOR": lambda old, v, size: old ^ v,
    "AMO_AND": lambda old, v, size: old & v,
    "AMO_OR": lambda old, v, size: old | v,
    "AMO_MIN": lambda old, v, size: old if _s(old, size) <= _s(v, size) else v,
    "AMO_MAX": lambda old, v, size: old if _s(old, size) >= _s(v, size) else v,
    "AMO_MINU": lambda old, v, size: min(old, v),
    "AMO_MAXU": lambda old, v, size: max(old, v),
}

RUNTIME = dict(AMO_OPS)
