"""The binary64 (D extension) operations of the FPU API.

Operands and results are raw 64-bit patterns; every operation but
`classify_d` returns ``(result, fflags)``.
"""

from __future__ import annotations

from typing import Tuple

from . import arith, compare, convert, fast
from .fmt import RNE, D, S

Result = Tuple[int, int]


def add_d(a: int, b: int, rm: int) -> Result:
    """fadd.d: a + b."""
    if rm == RNE:
        res = fast.add_d(fast.to_float(a), fast.to_float(b))
        if res is not None:
            return res
    return arith.add(D, a, b, rm)


def sub_d(a: int, b: int, rm: int) -> Result:
    """fsub.d: a - b."""
    if rm == RNE:
        res = fast.add_d(fast.to_float(a), -fast.to_float(b))
        if res is not None:
            return res
    return arith.add(D, a, b ^ D.sign_bit, rm)


def mul_d(a: int, b: int, rm: int) -> Result:
    """fmul.d: a * b."""
    if rm == RNE:
        res = fast.mul_d(a, b)
        if res is not None:
            return res
    return arith.mul(D, a, b, rm)


def div_d(a: int, b: int, rm: int) -> Result:
    """fdiv.d: a / b."""
    if rm == RNE:
        res = fast.div_d(a, b)
        if res is not None:
            return res
    return arith.div(D, a, b, rm)


def sqrt_d(a: int, rm: int) -> Result:
    """fsqrt.d."""
    if rm == RNE:
        res = fast.sqrt_d(a)
        if res is not None:
            return res
    return arith.sqrt(D, a, rm)


def fmadd_d(a: int, b: int, c: int, rm: int) -> Result:
    """fmadd.d: a*b + c, rounded once."""
    return arith.fma(D, a, b, c, rm)


def fmsub_d(a: int, b: int, c: int, rm: int) -> Result:
    """fmsub.d: a*b - c, rounded once."""
    return arith.fma(D, a, b, c ^ D.sign_bit, rm)


def fnmsub_d(a: int, b: int, c: int, rm: int) -> Result:
    """fnmsub.d: -(a*b) + c, rounded once."""
    return arith.fma(D, a ^ D.sign_bit, b, c, rm)


def fnmadd_d(a: int, b: int, c: int, rm: int) -> Result:
    """fnmadd.d: -(a*b) - c, rounded once."""
    return arith.fma(D, a ^ D.sign_bit, b, c ^ D.sign_bit, rm)


def min_d(a: int, b: int) -> Result:
    """fmin.d (minimumNumber)."""
    return compare.min_(D, a, b)


def max_d(a: int, b: int) -> Result:
    """fmax.d (maximumNumber)."""
    return compare.max_(D, a, b)


def eq_d(a: int, b: int) -> Result:
    """feq.d: (1 if a == b else 0, fflags); quiet."""
    return compare.eq(D, a, b)


def lt_d(a: int, b: int) -> Result:
    """flt.d: (1 if a < b else 0, fflags); signalling."""
    return compare.lt(D, a, b)


def le_d(a: int, b: int) -> Result:
    """fle.d: (1 if a <= b else 0, fflags); signalling."""
    return compare.le(D, a, b)


def classify_d(a: int) -> int:
    """fclass.d: the 10-bit class mask (an int, not a tuple)."""
    return compare.classify(D, a)


def cvt_w_d(a: int, rm: int) -> Result:
    """fcvt.w.d: to int32, saturating, sign-extended to 64 bits."""
    return convert.to_w(D, a, rm)


def cvt_wu_d(a: int, rm: int) -> Result:
    """fcvt.wu.d: to uint32, saturating, sign-extended to 64 bits."""
    return convert.to_wu(D, a, rm)


def cvt_l_d(a: int, rm: int) -> Result:
    """fcvt.l.d: to int64, saturating, as a 64-bit register value."""
    return convert.to_l(D, a, rm)


def cvt_lu_d(a: int, rm: int) -> Result:
    """fcvt.lu.d: to uint64, saturating."""
    return convert.to_lu(D, a, rm)


def cvt_d_w(x: int, rm: int) -> Result:
    """fcvt.d.w: from the low 32 bits of x, signed (exact)."""
    return convert.from_w(D, x, rm)


def cvt_d_wu(x: int, rm: int) -> Result:
    """fcvt.d.wu: from the low 32 bits of x, unsigned (exact)."""
    return convert.from_wu(D, x, rm)


def cvt_d_l(x: int, rm: int) -> Result:
    """fcvt.d.l: from x as a signed 64-bit integer."""
    return convert.from_l(D, x, rm)


def cvt_d_lu(x: int, rm: int) -> Result:
    """fcvt.d.lu: from x as an unsigned 64-bit integer."""
    return convert.from_lu(D, x, rm)


def cvt_s_d(a: int, rm: int) -> Result:
    """fcvt.s.d: binary64 to binary32 (a 32-bit pattern)."""
    return convert.between(D, S, a, rm)


def cvt_d_s(a: int, rm: int) -> Result:
    """fcvt.d.s: a binary32 pattern to binary64 (exact)."""
    return convert.between(S, D, a, rm)
