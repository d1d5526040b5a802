"""RV64M: multiply and divide (division edge cases per the spec's table).

Registers are signed 64-bit values, so MULH is a plain product shifted;
the unsigned forms go through u64 (cold enough to use big integers).
"""

from trapscope.machine.isa.table import insn

E = "rv64m"

insn("mul", "RD = w64(RS1 * RS2)", extension=E)
insn("mulh", "RD = RS1 * RS2 >> 64", extension=E)
insn("mulhsu", "RD = RS1 * u64(RS2) >> 64", extension=E)
insn("mulhu", "RD = s64(u64(RS1) * u64(RS2) >> 64)", extension=E)
insn("div", "RD = div64(RS1, RS2)", extension=E)
insn("divu", "RD = divu64(RS1, RS2)", extension=E)
insn("rem", "RD = rem64(RS1, RS2)", extension=E)
insn("remu", "RD = remu64(RS1, RS2)", extension=E)
insn("mulw", "RD = sx32(RS1 * RS2)", extension=E)
insn("divw", "RD = div32(RS1, RS2)", extension=E)
insn("divuw", "RD = sx32((RS1 & 0xFFFFFFFF) // (RS2 & 0xFFFFFFFF)) if RS2 & 0xFFFFFFFF else -1", extension=E)
insn("remw", "RD = rem32(RS1, RS2)", extension=E)
insn("remuw", "RD = sx32((RS1 & 0xFFFFFFFF) % (RS2 & 0xFFFFFFFF)) if RS2 & 0xFFFFFFFF else sx32(RS1)", extension=E)

MIN64 = -(1 << 63)
M64 = (1 << 64) - 1


def _tdiv(a: int, b: int) -> int:
    """Signed division rounding toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _s64(v: int) -> int:
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def div64(a: int, b: int) -> int:
    """DIV: -1 for a zero divisor; -2**63 / -1 overflows to -2**63."""
    if b == 0:
        return -1
    if a == MIN64 and b == -1:
        return MIN64
    return _tdiv(a, b)


def rem64(a: int, b: int) -> int:
    """REM: the dividend for a zero divisor; 0 for -2**63 % -1."""
    if b == 0:
        return a
    if a == MIN64 and b == -1:
        return 0
    return a - b * _tdiv(a, b)


def divu64(a: int, b: int) -> int:
    """DIVU on the unsigned values of the registers."""
    if b == 0:
        return -1
    return _s64((a & M64) // (b & M64))


def remu64(a: int, b: int) -> int:
    """REMU on the unsigned values of the registers."""
    if b == 0:
        return a
    return _s64((a & M64) % (b & M64))


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def div32(a: int, b: int) -> int:
    """DIVW: 32-bit signed division, result sign-extended."""
    sa, sb = _s32(a), _s32(b)
    if sb == 0:
        return -1
    return _s32(_tdiv(sa, sb))


def rem32(a: int, b: int) -> int:
    """REMW: 32-bit signed remainder, result sign-extended."""
    sa, sb = _s32(a), _s32(b)
    if sb == 0:
        return sa
    return _s32(sa - sb * _tdiv(sa, sb))


RUNTIME = {"div64": div64, "rem64": rem64, "divu64": divu64, "remu64": remu64,
           "div32": div32, "rem32": rem32}
