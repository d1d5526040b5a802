"""Conversions between the formats and to and from 32/64-bit integers (RISC-V semantics).

Float-to-integer conversions saturate: NaN gives the largest value, an
infinity or any value out of range after rounding gives the nearest bound,
and both raise NV alone (never NX). Results are 64-bit register values:
32-bit results are sign-extended, ``fcvt.wu`` included.
"""

from __future__ import annotations

from typing import Tuple

from .fmt import FINITE, INF, NV, NX, ZERO, Format
from .rounding import round_pack, round_shift

Result = Tuple[int, int]

MASK32 = (1 << 32) - 1
MASK64 = (1 << 64) - 1


def sext32(x: int) -> int:
    """The 64-bit register value of a 32-bit result (sign-extended)."""
    x &= MASK32
    return x | 0xFFFF_FFFF_0000_0000 if x >> 31 else x


def _to_int(fmt: Format, a: int, rm: int, lo: int, hi: int) -> Result:
    """a rounded to an integer in [lo, hi], saturating; the result as a Python int."""
    kind = fmt.kind(a)
    if kind == FINITE:
        sign, m, e = fmt.decode(a)
        if e >= 0:
            v, inexact = m << e, False
        else:
            v, inexact = round_shift(m, -e, sign, rm)
        if sign:
            v = -v
        if v > hi:
            return hi, NV
        if v < lo:
            return lo, NV
        return v, (NX if inexact else 0)
    if kind == ZERO:
        return 0, 0
    if kind == INF and a >> fmt.sign_shift:
        return lo, NV
    return hi, NV


def to_w(fmt: Format, a: int, rm: int) -> Result:
    """fcvt.w.{s,d}: to a signed 32-bit integer, sign-extended to 64 bits."""
    v, flags = _to_int(fmt, a, rm, -(1 << 31), (1 << 31) - 1)
    return v & MASK64, flags


def to_wu(fmt: Format, a: int, rm: int) -> Result:
    """fcvt.wu.{s,d}: to an unsigned 32-bit integer, sign-extended to 64 bits."""
    v, flags = _to_int(fmt, a, rm, 0, MASK32)
    return sext32(v), flags


def to_l(fmt: Format, a: int, rm: int) -> Result:
    """fcvt.l.{s,d}: to a signed 64-bit integer."""
    v, flags = _to_int(fmt, a, rm, -(1 << 63), (1 << 63) - 1)
    return v & MASK64, flags


def to_lu(fmt: Format, a: int, rm: int) -> Result:
    """fcvt.lu.{s,d}: to an unsigned 64-bit integer."""
    return _to_int(fmt, a, rm, 0, MASK64)


def from_int(fmt: Format, v: int, rm: int) -> Result:
    """A Python int rounded to ``fmt``; zero gives +0."""
    if v > 0:
        return round_pack(fmt, 0, v, 0, rm)
    if v < 0:
        return round_pack(fmt, 1, -v, 0, rm)
    return 0, 0


def from_w(fmt: Format, x: int, rm: int) -> Result:
    """fcvt.{s,d}.w: the low 32 bits of x as a signed integer."""
    x &= MASK32
    return from_int(fmt, x - (1 << 32) if x >> 31 else x, rm)


def from_wu(fmt: Format, x: int, rm: int) -> Result:
    """fcvt.{s,d}.wu: the low 32 bits of x as an unsigned integer."""
    return from_int(fmt, x & MASK32, rm)


def from_l(fmt: Format, x: int, rm: int) -> Result:
    """fcvt.{s,d}.l: x as a signed 64-bit integer."""
    x &= MASK64
    return from_int(fmt, x - (1 << 64) if x >> 63 else x, rm)


def from_lu(fmt: Format, x: int, rm: int) -> Result:
    """fcvt.{s,d}.lu: x as an unsigned 64-bit integer."""
    return from_int(fmt, x & MASK64, rm)


def between(src: Format, dst: Format, a: int, rm: int) -> Result:
    """fcvt.s.d / fcvt.d.s: a from ``src`` to ``dst``, NaNs made canonical."""
    kind = src.kind(a)
    sign = a >> src.sign_shift
    if kind == FINITE:
        _, m, e = src.decode(a)
        return round_pack(dst, sign, m, e, rm)
    if kind > INF:
        return dst.canonical_nan, (NV if src.is_snan(a) else 0)
    mag = dst.inf if kind == INF else 0
    return (sign << dst.sign_shift) | mag, 0
