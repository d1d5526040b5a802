"""Fast paths on Python floats, taken only where their result is provably right.

Python floats are binary64 with round-to-nearest-even, so for RNE a float
operation gives the correctly rounded binary64 result whenever it is finite
and not tiny; binary32 results computed in binary64 and rounded again are
right too, because 53 >= 2*24 + 2 makes double rounding innocuous for
+, -, *, / and sqrt. Flags come from an exactness check (TwoSum for sums,
integer mantissa products otherwise). Each function returns ``(bits,
fflags)``, or None when the operands or result leave the safe range
(NaNs, infinities, zero divisors, overflow, results near or below the
smallest normal); the caller then takes the exact integer path.
"""

from __future__ import annotations

import struct
from math import sqrt as _sqrt
from typing import Optional, Tuple

Result = Optional[Tuple[int, int]]

_pack_q = struct.Struct("<Q").pack
_unpack_q = struct.Struct("<Q").unpack
_pack_d = struct.Struct("<d").pack
_unpack_d = struct.Struct("<d").unpack
_pack_i = struct.Struct("<I").pack
_unpack_i = struct.Struct("<I").unpack
_pack_f = struct.Struct("<f").pack
_unpack_f = struct.Struct("<f").unpack

# Results below these magnitudes take the exact path (tininess, subnormals).
_TINY_D = 2.0 ** -1021
_TINY_S = 2.0 ** -125
_HUGE_D = 1.7976931348623157e308       # largest binary64
_HUGE_S = 3.4028234663852886e38        # largest binary32
_FRAC_D = (1 << 52) - 1
_HIDDEN_D = 1 << 52


def _mant_d(bits: int) -> int:
    """The significand of a normal binary64 pattern, hidden bit included."""
    return (bits & _FRAC_D) | _HIDDEN_D


def _exp_d(bits: int) -> int:
    return (bits >> 52) & 0x7FF


def _scaled_equal(m: int, shift: int, n: int) -> bool:
    """Whether m * 2**shift == n."""
    return m << shift == n if shift >= 0 else m == n << -shift


def add_d(x: float, y: float) -> Result:
    """x + y in binary64, RNE (pass -y for a difference)."""
    s = x + y
    if s - s != 0.0:  # inf or NaN
        return None
    t = s - x
    err = (x - (s - t)) + (y - t)  # TwoSum: the exact rounding error of s
    if err - err != 0.0:  # an intermediate overflowed (operands near the top)
        return None
    return _unpack_q(_pack_d(s))[0], (1 if err else 0)


def mul_d(a: int, b: int) -> Result:
    """a * b in binary64, RNE."""
    if not (0 < _exp_d(a) < 0x7FF and 0 < _exp_d(b) < 0x7FF):
        return None
    p = _unpack_d(_pack_q(a))[0] * _unpack_d(_pack_q(b))[0]
    if not _TINY_D <= abs(p) <= _HUGE_D:
        return None
    prod = _mant_d(a) * _mant_d(b)
    inexact = prod & ((1 << (prod.bit_length() - 53)) - 1)
    return _unpack_q(_pack_d(p))[0], (1 if inexact else 0)


def div_d(a: int, b: int) -> Result:
    """a / b in binary64, RNE."""
    ea = _exp_d(a)
    eb = _exp_d(b)
    if not (0 < ea < 0x7FF and 0 < eb < 0x7FF):
        return None
    q = _unpack_d(_pack_q(a))[0] / _unpack_d(_pack_q(b))[0]
    if not _TINY_D <= abs(q) <= _HUGE_D:
        return None
    r = _unpack_q(_pack_d(q))[0]
    # Exact iff q * b == a: mq*mb * 2**shift == ma, all three normal.
    prod = _mant_d(r) * _mant_d(b)
    shift = _exp_d(r) + eb - ea - 1075
    return r, (0 if _scaled_equal(prod, shift, _mant_d(a)) else 1)


def sqrt_d(a: int) -> Result:
    """The square root of a positive normal binary64, RNE."""
    ea = _exp_d(a)
    if a >> 63 or not 0 < ea < 0x7FF:
        return None
    r = _unpack_q(_pack_d(_sqrt(_unpack_d(_pack_q(a))[0])))[0]
    # Exact iff r*r == a: mr**2 * 2**shift == ma.
    sq = _mant_d(r) ** 2
    shift = 2 * _exp_d(r) - ea - 1075
    return r, (0 if _scaled_equal(sq, shift, _mant_d(a)) else 1)


def single(bits: int) -> float:
    """The value of a binary32 pattern as a Python float (exact)."""
    return _unpack_f(_pack_i(bits))[0]


def _round_s(d: float, exact: bool) -> Result:
    """Round a binary64 value (exact or not) to binary32, RNE, if it is in the safe range."""
    if not _TINY_S <= abs(d) <= _HUGE_S:
        return None
    packed = _pack_f(d)
    inexact = not exact or _unpack_f(packed)[0] != d
    return _unpack_i(packed)[0], (1 if inexact else 0)


def add_s(x: float, y: float) -> Result:
    """x + y for binary32 values held in floats, RNE."""
    s = x + y
    if s - s != 0.0:
        return None
    t = s - x
    return _round_s(s, not (x - (s - t)) + (y - t))  # binary32 sums never reach the top


def mul_s(x: float, y: float) -> Result:
    """x * y for binary32 values held in floats, RNE (the binary64 product is exact)."""
    return _round_s(x * y, True)


def div_s(x: float, y: float) -> Result:
    """x / y for binary32 values held in floats, RNE."""
    if not y or y - y != 0.0 or x - x != 0.0:
        return None
    res = _round_s(x / y, True)
    if res is None or res[1]:
        return res
    # The quotient is a binary32 value; exact iff times y it gives x (exactly, in binary64).
    return res[0], (0 if single(res[0]) * y == x else 1)


def sqrt_s(x: float) -> Result:
    """The square root of a binary32 value held in a float, RNE."""
    if not x > 0.0 or x - x != 0.0:
        return None
    res = _round_s(_sqrt(x), True)
    if res is None or res[1]:
        return res
    r = single(res[0])
    return res[0], (0 if r * r == x else 1)


def to_float(bits: int) -> float:
    """The value of a binary64 pattern as a Python float."""
    return _unpack_d(_pack_q(bits))[0]
