"""Every FPU function against real RISC-V instructions on hand-picked edge operands.

Binary operations take every pair of signed edge values in every rounding
mode, so the cross products hit zeros of both signs, subnormals, the normal
bounds, ties in every mode, overflow and underflow thresholds, infinities
and quiet and signalling NaNs.
"""

from __future__ import annotations

from itertools import product
from typing import List

import pytest
from fpu_cases import (
    FMTS,
    OPS,
    ROUNDING_MODES,
    Case,
    D,
    S,
    cross_single_boundaries,
    exact_friendly,
    expected,
    fma_specials,
    int_bound_floats,
    int_operands,
    signed,
    specials,
)
from fpu_oracle import Oracle, assert_agree


def _cases(name: str, values: List[int]) -> List[Case]:
    op = OPS[name]
    modes = ROUNDING_MODES if op.rm else (0,)
    return [(name, rm, args) for rm in modes
            for args in product(values, repeat=len(op.operands))]


def _names(f: str, arity: int, rm: bool) -> List[str]:
    return [n for n, op in OPS.items()
            if op.operands == f * arity and op.rm == rm]


@pytest.mark.parametrize("f", ["s", "d"])
def test_two_operand_arithmetic(oracle: Oracle, f: str) -> None:
    values = signed(FMTS[f], specials(FMTS[f]))
    cases = [c for n in _names(f, 2, True) for c in _cases(n, values)]
    assert_agree(oracle, cases, expected)


@pytest.mark.parametrize("f", ["s", "d"])
def test_exact_results(oracle: Oracle, f: str) -> None:
    """Operands whose results are often exact: the fast paths' exactness checks."""
    values = exact_friendly(FMTS[f])
    names = _names(f, 2, True) + [f"sqrt_{f}"]
    assert_agree(oracle, [c for n in names for c in _cases(n, values)], expected)


@pytest.mark.parametrize("f", ["s", "d"])
def test_compare_min_max(oracle: Oracle, f: str) -> None:
    values = signed(FMTS[f], specials(FMTS[f]))
    cases = [c for n in _names(f, 2, False) for c in _cases(n, values)]
    assert_agree(oracle, cases, expected)


@pytest.mark.parametrize("f", ["s", "d"])
def test_fused_multiply_add(oracle: Oracle, f: str) -> None:
    values = fma_specials(FMTS[f])
    cases = [c for n in _names(f, 3, True) for c in _cases(n, values)]
    assert_agree(oracle, cases, expected)


@pytest.mark.parametrize("f", ["s", "d"])
def test_one_operand(oracle: Oracle, f: str) -> None:
    fmt = FMTS[f]
    values = signed(fmt, specials(fmt)) + int_bound_floats(fmt)
    names = [f"sqrt_{f}", f"classify_{f}"] + [f"cvt_{n}_{f}" for n in ("w", "wu", "l", "lu")]
    cases = [c for n in names for c in _cases(n, values)]
    assert_agree(oracle, cases, expected)


@pytest.mark.parametrize("f", ["s", "d"])
def test_from_integer(oracle: Oracle, f: str) -> None:
    cases = [c for n in ("w", "wu", "l", "lu") for c in _cases(f"cvt_{f}_{n}", int_operands())]
    assert_agree(oracle, cases, expected)


def test_between_formats(oracle: Oracle) -> None:
    cases = _cases("cvt_s_d", cross_single_boundaries() + signed(D, specials(D)))
    cases += _cases("cvt_d_s", signed(S, specials(S)))
    assert_agree(oracle, cases, expected)


def test_nan_boxing(oracle: Oracle) -> None:
    singles = signed(S, specials(S))
    registers = [0xFFFF_FFFF_0000_0000 | s for s in singles]
    registers += [s | (upper << 32) for s in singles[:8]
                  for upper in (0, 0xFFFF_FFFE, 0x7FFF_FFFF, 0x1)]
    cases = _cases("box_s", singles) + _cases("unbox_s", registers)
    assert_agree(oracle, cases, expected)
