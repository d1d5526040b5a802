"""Hypothesis strategies for FPU cases, biased toward where IEEE arithmetic is hard:
special values, exponents at the subnormal/overflow/integer-bound edges, operands
whose exponents are close (so additions round and cancel), FMA addends near
minus the product, and fractions with few or trailing bits (ties).

Hypothesis costs tens of microseconds a draw here, so a case is two draws:
the operation and rounding mode, and one wide integer whose bits `build_case`
turns into the operands (zero bits give the simplest ones: +0 and friends,
which is where shrinking heads).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from fpu_cases import FMTS, OPS, ROUNDING_MODES, Case, Fmt, signed, specials
from hypothesis import strategies as st
from trapscope.machine import fpu

M64 = (1 << 64) - 1
ENTROPY = st.integers(0, (1 << 256) - 1)


def _edge_exponents(fmt: Fmt) -> List[int]:
    p = fmt.fbits + 1
    top = (1 << fmt.ebits) - 2
    return sorted({0, 1, 2, p, p + 1, top, top - 1, top - p, fmt.bias, fmt.bias - 1, fmt.bias + 1,
                   fmt.bias - p, fmt.bias + p, fmt.bias + 31, fmt.bias + 32, fmt.bias + 63,
                   fmt.bias + 64} & set(range(top + 1)))


class _Parts:
    """What one format's operands are built from."""

    def __init__(self, fmt: Fmt) -> None:
        top = (1 << fmt.fbits) - 1
        self.fmt = fmt
        self.width = fmt.fbits + fmt.ebits + 1
        self.specials = signed(fmt, specials(fmt))
        self.edge_exps = _edge_exponents(fmt)
        self.edge_fracs = [0, 1, 2, top, top - 1, 1 << (fmt.fbits - 1), (1 << (fmt.fbits - 1)) + 1]


PARTS: Dict[str, _Parts] = {f: _Parts(fmt) for f, fmt in FMTS.items()}


def _frac(parts: _Parts, u: int) -> int:
    """A fraction chosen by the bits of ``u``: any, an edge value, a run of ones
    or a few bits at some position (the last two make ties and near-ties)."""
    fbits = parts.fmt.fbits
    top = (1 << fbits) - 1
    kind, u = u & 3, u >> 2
    if kind == 0:
        return u & top
    if kind == 1:
        return parts.edge_fracs[u % len(parts.edge_fracs)]
    shift = (u >> 3) % (fbits + 1)
    if kind == 2:
        return (((1 << (1 + (u & 3))) - 1) << shift) & top
    return ((u & 7) << shift) & top


def _exponent(parts: _Parts, u: int) -> int:
    """A biased exponent chosen by the bits of ``u``: an edge one or any."""
    top = (1 << parts.fmt.ebits) - 2
    if u & 1:
        return parts.edge_exps[(u >> 1) % len(parts.edge_exps)]
    return (u >> 1) % (top + 1)


def _near_exponent(parts: _Parts, u: int, other: int) -> int:
    """A biased exponent within p+2 of ``other``'s."""
    fmt = parts.fmt
    top = (1 << fmt.ebits) - 2
    spread = fmt.fbits + 3
    exp = (other >> fmt.fbits) & ((1 << fmt.ebits) - 1)
    return min(top, max(0, exp + u % (2 * spread + 1) - spread))


def make_float(f: str, u: int, near: int = -1) -> int:
    """A pattern of format ``f`` from 64 bits ``u``: an edge value, random bits, or
    a structured value (with ``near`` >= 0, one whose exponent is close to it)."""
    parts = PARTS[f]
    kind, u = u & 3, u >> 2
    if kind == 0 and near < 0:
        return parts.specials[u % len(parts.specials)]
    if kind == 1 and near < 0:
        return u & ((1 << parts.width) - 1)
    low = u & 0xFFFF_FFFF
    exp = _exponent(parts, low) if near < 0 else _near_exponent(parts, low, near)
    return parts.fmt.pattern(exp, _frac(parts, u >> 33), (u >> 32) & 1)


def _pair(f: str, u: int) -> Tuple[int, int]:
    a = make_float(f, u & M64)
    return a, make_float(f, (u >> 65) & M64, near=a if u >> 64 & 1 else -1)


def _triple(f: str, u: int) -> Tuple[int, int, int]:
    a, b = _pair(f, u)
    if not u >> 130 & 1:
        return a, b, make_float(f, (u >> 131) & M64)
    # an addend close to -(a*b), so the sum cancels or sits near a tie
    product, _ = getattr(fpu, f"mul_{f}")(a, b, fpu.RTZ)
    width = PARTS[f].width
    c = (product + ((u >> 131) & 7) - 3) % (1 << width)
    return a, b, c ^ (((u >> 134) & 1) << (width - 1))


def make_integer(u: int) -> int:
    """A 64-bit register value of any length, often with a run of ones where
    conversion to a float rounds; negated a quarter of the time."""
    n, kind, u = u % 65, (u >> 7) & 3, u >> 9
    if kind < 2:
        x = u & ((1 << n) - 1)
    else:
        x = ((((1 << n) - 1) << (u % 41)) | ((u >> 48) & 0xFF)) & M64
    return (-x) & M64 if kind == 3 else x


def _double_near_single_range(u: int) -> int:
    """A binary64 value whose exponent is inside or just beyond binary32's range,
    often with its low 29 fraction bits at or around a binary32 tie."""
    fmt = FMTS["d"]
    exp = fmt.bias - 155 + u % 290
    frac = _frac(PARTS["d"], u >> 9)
    tie = (1 << 28) + ((u >> 62) & 3) - 1
    if u >> 61 & 1:
        frac = (frac & ~((1 << 29) - 1)) | tie
    return fmt.pattern(exp, frac, (u >> 8) & 1)


def build_case(name: str, rm: int, u: int) -> Case:
    """A case for ``name`` whose operands come from the bits of ``u`` (>= 256 bits)."""
    kinds = OPS[name].operands
    if name == "cvt_s_d" and u >> 255:
        return name, rm, (_double_near_single_range(u),)
    if kinds == "i":
        return name, rm, (make_integer(u),)
    f = kinds[0]
    if len(kinds) == 3:
        return name, rm, _triple(f, u)
    if len(kinds) == 2:
        return name, rm, _pair(f, u)
    return name, rm, (make_float(f, u & M64),)


def cases(names: List[str]) -> st.SearchStrategy[Case]:
    """Cases for the operations ``names`` in every rounding mode they take."""
    shapes = [(n, rm) for n in names for rm in (ROUNDING_MODES if OPS[n].rm else (0,))]
    return st.tuples(st.sampled_from(shapes), ENTROPY).map(lambda t: build_case(*t[0], t[1]))
