"""Exact rounding of ``(-1)**sign * m * 2**e`` to a binary format or to an integer.

Callers whose exact value has more bits than they can hold (division,
square root) pass a mantissa with a *sticky* lowest bit: at least two bits
beyond the format's precision, the last one set when anything nonzero was
dropped. Such a value never sits on a rounding tie, so it rounds exactly as
the true value does.
"""

from __future__ import annotations

from typing import Tuple

from .fmt import NX, OF, RDN, RMM, RNE, RUP, UF, Format


def round_shift(m: int, shift: int, sign: int, rm: int) -> Tuple[int, bool]:
    """``m / 2**shift`` (``shift > 0``) rounded to an integer in mode ``rm``, and whether it was inexact.

    ``sign`` is the sign of the value ``m`` is the magnitude of; the directed
    modes need it.
    """
    q = m >> shift
    rem = m & ((1 << shift) - 1)
    if not rem:
        return q, False
    if rm == RNE:
        half = 1 << (shift - 1)
        if rem > half or (rem == half and q & 1):
            q += 1
    elif rm == RMM:
        if rem >> (shift - 1):
            q += 1
    elif rm == RUP:
        if not sign:
            q += 1
    elif rm == RDN:
        if sign:
            q += 1
    return q, True


def overflow(fmt: Format, sign: int, rm: int) -> Tuple[int, int]:
    """The result of an overflow: infinity or the largest finite value, by mode and sign."""
    to_inf = rm == RNE or rm == RMM or (rm == RUP and not sign) or (rm == RDN and sign)
    mag = fmt.inf if to_inf else fmt.max_finite
    return (sign << fmt.sign_shift) | mag, OF | NX


def _tiny_after_rounding(fmt: Format, m: int, e: int, q: int, sign: int, rm: int) -> bool:
    """Whether a value below the normal range stays below it when rounded to ``p`` bits
    with an unbounded exponent (RISC-V detects tininess after rounding)."""
    if q <= e or q + fmt.p - 1 != fmt.emin - 1:
        return True
    mant, _ = round_shift(m, q - e, sign, rm)
    return not mant >> fmt.p


def round_pack(fmt: Format, sign: int, m: int, e: int, rm: int) -> Tuple[int, int]:
    """Round ``(-1)**sign * m * 2**e`` (``m > 0``) to ``fmt``: ``(bits, fflags)``."""
    q = e + m.bit_length() - fmt.p
    tiny = False
    if q < fmt.qmin:
        tiny = _tiny_after_rounding(fmt, m, e, q, sign, rm)
        q = fmt.qmin
    if q > e:
        mant, inexact = round_shift(m, q - e, sign, rm)
    else:
        mant, inexact = m << (e - q), False
    # A carry out of the top bit, or out of the subnormal range, lands in the
    # exponent field by this addition.
    mag = ((q - fmt.qmin) << fmt.fbits) + mant
    if mag >= fmt.inf:
        return overflow(fmt, sign, rm)
    flags = 0
    if inexact:
        flags = NX | UF if tiny else NX
    return (sign << fmt.sign_shift) | mag, flags
