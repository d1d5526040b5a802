"""The binary32 (F extension) operations of the FPU API.

Operands and results are raw 32-bit patterns; every operation but
`classify_s` returns ``(result, fflags)``.
"""

from __future__ import annotations

from typing import Tuple

from . import arith, compare, convert, fast
from .fast import single
from .fmt import RNE, S

Result = Tuple[int, int]


def add_s(a: int, b: int, rm: int) -> Result:
    """fadd.s: a + b."""
    if rm == RNE:
        res = fast.add_s(single(a), single(b))
        if res is not None:
            return res
    return arith.add(S, a, b, rm)


def sub_s(a: int, b: int, rm: int) -> Result:
    """fsub.s: a - b."""
    if rm == RNE:
        res = fast.add_s(single(a), -single(b))
        if res is not None:
            return res
    return arith.add(S, a, b ^ S.sign_bit, rm)


def mul_s(a: int, b: int, rm: int) -> Result:
    """fmul.s: a * b."""
    if rm == RNE:
        res = fast.mul_s(single(a), single(b))
        if res is not None:
            return res
    return arith.mul(S, a, b, rm)


def div_s(a: int, b: int, rm: int) -> Result:
    """fdiv.s: a / b."""
    if rm == RNE:
        res = fast.div_s(single(a), single(b))
        if res is not None:
            return res
    return arith.div(S, a, b, rm)


def sqrt_s(a: int, rm: int) -> Result:
    """fsqrt.s."""
    if rm == RNE:
        res = fast.sqrt_s(single(a))
        if res is not None:
            return res
    return arith.sqrt(S, a, rm)


def fmadd_s(a: int, b: int, c: int, rm: int) -> Result:
    """fmadd.s: a*b + c, rounded once."""
    return arith.fma(S, a, b, c, rm)


def fmsub_s(a: int, b: int, c: int, rm: int) -> Result:
    """fmsub.s: a*b - c, rounded once."""
    return arith.fma(S, a, b, c ^ S.sign_bit, rm)


def fnmsub_s(a: int, b: int, c: int, rm: int) -> Result:
    """fnmsub.s: -(a*b) + c, rounded once."""
    return arith.fma(S, a ^ S.sign_bit, b, c, rm)


def fnmadd_s(a: int, b: int, c: int, rm: int) -> Result:
    """fnmadd.s: -(a*b) - c, rounded once."""
    return arith.fma(S, a ^ S.sign_bit, b, c ^ S.sign_bit, rm)


def min_s(a: int, b: int) -> Result:
    """fmin.s (minimumNumber)."""
    return compare.min_(S, a, b)


def max_s(a: int, b: int) -> Result:
    """fmax.s (maximumNumber)."""
    return compare.max_(S, a, b)


def eq_s(a: int, b: int) -> Result:
    """feq.s: (1 if a == b else 0, fflags); quiet."""
    return compare.eq(S, a, b)


def lt_s(a: int, b: int) -> Result:
    """flt.s: (1 if a < b else 0, fflags); signalling."""
    return compare.lt(S, a, b)


def le_s(a: int, b: int) -> Result:
    """fle.s: (1 if a <= b else 0, fflags); signalling."""
    return compare.le(S, a, b)


def classify_s(a: int) -> int:
    """fclass.s: the 10-bit class mask (an int, not a tuple)."""
    return compare.classify(S, a)


def cvt_w_s(a: int, rm: int) -> Result:
    """fcvt.w.s: to int32, saturating, sign-extended to 64 bits."""
    return convert.to_w(S, a, rm)


def cvt_wu_s(a: int, rm: int) -> Result:
    """fcvt.wu.s: to uint32, saturating, sign-extended to 64 bits."""
    return convert.to_wu(S, a, rm)


def cvt_l_s(a: int, rm: int) -> Result:
    """fcvt.l.s: to int64, saturating, as a 64-bit register value."""
    return convert.to_l(S, a, rm)


def cvt_lu_s(a: int, rm: int) -> Result:
    """fcvt.lu.s: to uint64, saturating."""
    return convert.to_lu(S, a, rm)


def cvt_s_w(x: int, rm: int) -> Result:
    """fcvt.s.w: from the low 32 bits of x, signed."""
    return convert.from_w(S, x, rm)


def cvt_s_wu(x: int, rm: int) -> Result:
    """fcvt.s.wu: from the low 32 bits of x, unsigned."""
    return convert.from_wu(S, x, rm)


def cvt_s_l(x: int, rm: int) -> Result:
    """fcvt.s.l: from x as a signed 64-bit integer."""
    return convert.from_l(S, x, rm)


def cvt_s_lu(x: int, rm: int) -> Result:
    """fcvt.s.lu: from x as an unsigned 64-bit integer."""
    return convert.from_lu(S, x, rm)
