"""Exact IEEE 754 arithmetic on raw bit patterns, for any rounding mode.

Each operation first settles NaNs, infinities and zeros as the RISC-V F/D
chapter and IEEE 754-2008 say, then computes the exact result (or, for
division and square root, enough bits plus a sticky bit) in integers and
rounds it once with `round_pack`.
"""

from __future__ import annotations

from math import isqrt
from typing import Tuple

from .fmt import DZ, FINITE, INF, NV, RDN, ZERO, Format
from .rounding import round_pack

Result = Tuple[int, int]


def _nan_result(fmt: Format, *operands: int) -> Result:
    """The canonical NaN, with NV when any operand is a signalling NaN."""
    flags = NV if any(fmt.is_snan(x) for x in operands) else 0
    return fmt.canonical_nan, flags


def _signed_zero(fmt: Format, sign: int) -> int:
    return sign << fmt.sign_shift


def _exact_sum(fmt: Format, sa: int, ma: int, ea: int, sb: int, mb: int, eb: int,
               rm: int) -> Result:
    """Round the exact sum of two nonzero finite values."""
    if ea < eb:
        total = (-mb if sb else mb) << (eb - ea)
        total += -ma if sa else ma
        e = ea
    else:
        total = (-ma if sa else ma) << (ea - eb)
        total += -mb if sb else mb
        e = eb
    if not total:
        return _signed_zero(fmt, rm == RDN), 0
    if total < 0:
        return round_pack(fmt, 1, -total, e, rm)
    return round_pack(fmt, 0, total, e, rm)


def add(fmt: Format, a: int, b: int, rm: int) -> Result:
    """a + b."""
    ka = fmt.kind(a)
    kb = fmt.kind(b)
    if ka == FINITE and kb == FINITE:
        sa, ma, ea = fmt.decode(a)
        sb, mb, eb = fmt.decode(b)
        return _exact_sum(fmt, sa, ma, ea, sb, mb, eb, rm)
    if ka > INF or kb > INF:
        return _nan_result(fmt, a, b)
    sa = a >> fmt.sign_shift
    sb = b >> fmt.sign_shift
    if ka == INF:
        if kb == INF and sa != sb:
            return fmt.canonical_nan, NV
        return a, 0
    if kb == INF:
        return b, 0
    if ka == ZERO and kb == ZERO:
        sign = sa | sb if rm == RDN else sa & sb
        return _signed_zero(fmt, sign), 0
    return (b if ka == ZERO else a), 0


def sub(fmt: Format, a: int, b: int, rm: int) -> Result:
    """a - b."""
    return add(fmt, a, b ^ fmt.sign_bit, rm)


def mul(fmt: Format, a: int, b: int, rm: int) -> Result:
    """a * b."""
    ka = fmt.kind(a)
    kb = fmt.kind(b)
    sign = (a ^ b) >> fmt.sign_shift
    if ka == FINITE and kb == FINITE:
        _, ma, ea = fmt.decode(a)
        _, mb, eb = fmt.decode(b)
        return round_pack(fmt, sign, ma * mb, ea + eb, rm)
    if ka > INF or kb > INF:
        return _nan_result(fmt, a, b)
    if ka == INF or kb == INF:
        if ka == ZERO or kb == ZERO:
            return fmt.canonical_nan, NV
        return _signed_zero(fmt, sign) | fmt.inf, 0
    return _signed_zero(fmt, sign), 0


def div(fmt: Format, a: int, b: int, rm: int) -> Result:
    """a / b."""
    ka = fmt.kind(a)
    kb = fmt.kind(b)
    sign = (a ^ b) >> fmt.sign_shift
    if ka == FINITE and kb == FINITE:
        _, ma, ea = fmt.decode(a)
        _, mb, eb = fmt.decode(b)
        # Enough quotient bits for p, a rounding bit and a guard, then sticky.
        k = max(0, fmt.p + 2 + mb.bit_length() - ma.bit_length())
        quo, rem = divmod(ma << k, mb)
        return round_pack(fmt, sign, (quo << 1) | (rem != 0), ea - eb - k - 1, rm)
    if ka > INF or kb > INF:
        return _nan_result(fmt, a, b)
    if ka == kb:  # 0/0 or inf/inf
        return fmt.canonical_nan, NV
    if ka == INF or kb == ZERO:
        return _signed_zero(fmt, sign) | fmt.inf, (DZ if ka == FINITE else 0)
    return _signed_zero(fmt, sign), 0


def sqrt(fmt: Format, a: int, rm: int) -> Result:
    """The square root of a."""
    ka = fmt.kind(a)
    if ka == ZERO:
        return a, 0
    if ka > INF:
        return _nan_result(fmt, a)
    if a >> fmt.sign_shift:
        return fmt.canonical_nan, NV
    if ka == INF:
        return a, 0
    _, m, e = fmt.decode(a)
    if e & 1:
        m <<= 1
        e -= 1
    k = max(0, fmt.p + 3 - (m.bit_length() >> 1))
    m <<= 2 * k
    root = isqrt(m)
    sticky = m != root * root
    return round_pack(fmt, 0, (root << 1) | sticky, ((e >> 1) - k) - 1, rm)


def fma(fmt: Format, a: int, b: int, c: int, rm: int) -> Result:
    """a * b + c with a single rounding (the other three fused forms flip signs first)."""
    ka = fmt.kind(a)
    kb = fmt.kind(b)
    kc = fmt.kind(c)
    if ka == FINITE and kb == FINITE and kc == FINITE:
        sp = (a ^ b) >> fmt.sign_shift
        _, ma, ea = fmt.decode(a)
        _, mb, eb = fmt.decode(b)
        sc, mc, ec = fmt.decode(c)
        return _exact_sum(fmt, sp, ma * mb, ea + eb, sc, mc, ec, rm)
    return _fma_special(fmt, a, b, c, ka, kb, kc, rm)


def _fma_special(fmt: Format, a: int, b: int, c: int, ka: int, kb: int, kc: int,
                 rm: int) -> Result:
    """fma when some operand is a zero, an infinity or a NaN."""
    invalid_product = (ka == INF and kb == ZERO) or (ka == ZERO and kb == INF)
    if ka > INF or kb > INF or kc > INF:
        nan, flags = _nan_result(fmt, a, b, c)
        return nan, (NV if invalid_product else flags)
    if invalid_product:
        return fmt.canonical_nan, NV
    sp = (a ^ b) >> fmt.sign_shift
    sc = c >> fmt.sign_shift
    if ka == INF or kb == INF:
        if kc == INF and sc != sp:
            return fmt.canonical_nan, NV
        return _signed_zero(fmt, sp) | fmt.inf, 0
    if kc == INF:
        return c, 0
    if ka == ZERO or kb == ZERO:
        if kc == ZERO:
            sign = sp | sc if rm == RDN else sp & sc
            return _signed_zero(fmt, sign), 0
        return c, 0
    # The product is finite and nonzero and c is a zero.
    _, ma, ea = fmt.decode(a)
    _, mb, eb = fmt.decode(b)
    return round_pack(fmt, sp, ma * mb, ea + eb, rm)

