"""Comparisons, fmin/fmax and fclass on raw bit patterns (RISC-V semantics)."""

from __future__ import annotations

from typing import Tuple

from .fmt import FINITE, INF, NV, SNAN, ZERO, Format

Result = Tuple[int, int]

# fclass bits.
NEG_INF = 1 << 0
NEG_NORMAL = 1 << 1
NEG_SUBNORMAL = 1 << 2
NEG_ZERO = 1 << 3
POS_ZERO = 1 << 4
POS_SUBNORMAL = 1 << 5
POS_NORMAL = 1 << 6
POS_INF = 1 << 7
SIGNALING_NAN = 1 << 8
QUIET_NAN = 1 << 9


def _order_key(fmt: Format, bits: int) -> int:
    """An integer ordered as the (non-NaN) values are, with -0 below +0."""
    if bits >> fmt.sign_shift:
        return -(bits & fmt.mag_mask) - 1
    return bits


def _snan_flags(fmt: Format, a: int, b: int) -> int:
    return NV if fmt.is_snan(a) or fmt.is_snan(b) else 0


def eq(fmt: Format, a: int, b: int) -> Result:
    """feq: a == b, quiet (NV only for signalling NaNs); +0 equals -0."""
    if fmt.is_nan(a) or fmt.is_nan(b):
        return 0, _snan_flags(fmt, a, b)
    if a == b or not (a | b) & fmt.mag_mask:
        return 1, 0
    return 0, 0


def lt(fmt: Format, a: int, b: int) -> Result:
    """flt: a < b, signalling (NV for any NaN)."""
    if fmt.is_nan(a) or fmt.is_nan(b):
        return 0, NV
    if not (a | b) & fmt.mag_mask:
        return 0, 0
    return int(_order_key(fmt, a) < _order_key(fmt, b)), 0


def le(fmt: Format, a: int, b: int) -> Result:
    """fle: a <= b, signalling (NV for any NaN)."""
    if fmt.is_nan(a) or fmt.is_nan(b):
        return 0, NV
    if not (a | b) & fmt.mag_mask:
        return 1, 0
    return int(_order_key(fmt, a) <= _order_key(fmt, b)), 0


def _min_max(fmt: Format, a: int, b: int, want_max: bool) -> Result:
    a_nan = fmt.is_nan(a)
    b_nan = fmt.is_nan(b)
    if a_nan or b_nan:
        flags = _snan_flags(fmt, a, b)
        if a_nan and b_nan:
            return fmt.canonical_nan, flags
        return (b if a_nan else a), flags
    a_first = _order_key(fmt, a) < _order_key(fmt, b)
    return (b if a_first == want_max else a), 0


def min_(fmt: Format, a: int, b: int) -> Result:
    """fmin (IEEE 754-2019 minimumNumber): one NaN gives the other operand,
    two give the canonical NaN, -0 < +0, signalling NaNs raise NV."""
    return _min_max(fmt, a, b, False)


def max_(fmt: Format, a: int, b: int) -> Result:
    """fmax (IEEE 754-2019 maximumNumber), the mirror of `min_`."""
    return _min_max(fmt, a, b, True)


def classify(fmt: Format, a: int) -> int:
    """The 10-bit fclass mask of a."""
    kind = fmt.kind(a)
    neg = a >> fmt.sign_shift
    if kind == FINITE:
        if a & (fmt.exp_mask << fmt.fbits):
            return NEG_NORMAL if neg else POS_NORMAL
        return NEG_SUBNORMAL if neg else POS_SUBNORMAL
    if kind == ZERO:
        return NEG_ZERO if neg else POS_ZERO
    if kind == INF:
        return NEG_INF if neg else POS_INF
    return SIGNALING_NAN if kind == SNAN else QUIET_NAN
