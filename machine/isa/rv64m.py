"""RV64M: multiply and divide (division edge cases per the spec's table)."""

from trapscope.machine.isa.table import insn

E = "rv64m"

insn("mul", "RD = (RS1 * RS2) & M64", extension=E)
insn("mulh", "RD = ((signed(RS1) * signed(RS2)) >> 64) & M64", extension=E)
insn("mulhsu", "RD = ((signed(RS1) * RS2) >> 64) & M64", extension=E)
insn("mulhu", "RD = (RS1 * RS2) >> 64", extension=E)
insn("div", "RD = div64(RS1, RS2)", extension=E)
insn("divu", "RD = RS1 // RS2 if RS2 else M64", extension=E)
insn("rem", "RD = rem64(RS1, RS2)", extension=E)
insn("remu", "RD = RS1 % RS2 if RS2 else RS1", extension=E)
insn("mulw", "RD = sx32(RS1 * RS2)", extension=E)
insn("divw", "RD = div32(RS1, RS2)", extension=E)
insn("divuw", "RD = sx32((RS1 & 0xFFFFFFFF) // (RS2 & 0xFFFFFFFF)) if RS2 & 0xFFFFFFFF else M64", extension=E)
insn("remw", "RD = rem32(RS1, RS2)", extension=E)
insn("remuw", "RD = sx32((RS1 & 0xFFFFFFFF) % (RS2 & 0xFFFFFFFF)) if RS2 & 0xFFFFFFFF else sx32(RS1)", extension=E)

M64 = 0xFFFFFFFFFFFFFFFF


def _tdiv(a: int, b: int) -> int:
    """Signed division rounding toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def div64(a: int, b: int) -> int:
    """DIV on unsigned 64-bit register values."""
    if b == 0:
        return M64
    sa = a - (1 << 64) if a >> 63 else a
    sb = b - (1 << 64) if b >> 63 else b
    return _tdiv(sa, sb) & M64  # -2^63 / -1 wraps to -2^63, as the spec says


def rem64(a: int, b: int) -> int:
    """REM on unsigned 64-bit register values."""
    if b == 0:
        return a
    sa = a - (1 << 64) if a >> 63 else a
    sb = b - (1 << 64) if b >> 63 else b
    return (sa - sb * _tdiv(sa, sb)) & M64


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def div32(a: int, b: int) -> int:
    """DIVW: 32-bit signed division, result sign-extended."""
    sa, sb = _s32(a), _s32(b)
    if sb == 0:
        return M64
    return _s32(_tdiv(sa, sb)) & M64


def rem32(a: int, b: int) -> int:
    """REMW: 32-bit signed remainder, result sign-extended."""
    sa, sb = _s32(a), _s32(b)
    if sb == 0:
        return sa & M64
    return _s32(sa - sb * _tdiv(sa, sb)) & M64


RUNTIME = {"div64": div64, "rem64": rem64, "div32": div32, "rem32": rem32}
