"""Every FPU function against real RISC-V instructions on hypothesis-generated operands.

Each example is a batch of a few hundred cases that one round trip to the
oracle answers; a failing batch shrinks toward the case that disagrees, and
the failure lists every disagreeing case of the batch.
"""

from __future__ import annotations

from typing import Callable, Dict, List

import pytest
from fpu_cases import OPS, Case, expected
from fpu_oracle import Oracle, assert_agree
from fpu_strategies import cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 40
BATCH = (200, 400)


def _names(f: str, operands: str, rm: bool) -> List[str]:
    return [n for n, op in OPS.items() if op.operands == operands.replace("f", f) and op.rm == rm]


GROUPS: Dict[str, Callable[[str], List[str]]] = {
    "arith": lambda f: _names(f, "ff", True) + [f"sqrt_{f}"],
    "fma": lambda f: _names(f, "fff", True),
    "compare": lambda f: _names(f, "ff", False) + [f"classify_{f}"],
    "to_int": lambda f: [f"cvt_{n}_{f}" for n in ("w", "wu", "l", "lu")],
    "from_int": lambda f: _names(f, "i", True),
    "between": lambda f: ["cvt_s_d"] if f == "d" else ["cvt_d_s"],
}


@pytest.mark.parametrize("f", ["s", "d"])
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_random_operands(oracle: Oracle, group: str, f: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(batch=st.lists(cases(GROUPS[group](f)), min_size=BATCH[0], max_size=BATCH[1]))
    def check(batch: List[Case]) -> None:
        assert_agree(oracle, batch, expected)

    check()
