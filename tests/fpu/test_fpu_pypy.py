"""The FPU under PyPy 3.9 (the machine's fast interpreter) agrees with real RISC-V too.

The float fast paths lean on the interpreter's float and struct behaviour,
so the edge cases of every operation run in .venv-pypy and are compared with
the oracle's answers.
"""

from __future__ import annotations

import subprocess
from typing import List, Tuple

from fpu_cases import (
    FMTS,
    OPS,
    ROUNDING_MODES,
    Case,
    exact_friendly,
    fma_specials,
    int_bound_floats,
    int_operands,
    signed,
    specials,
)
from fpu_oracle import HERE, ROOT, Oracle

PYPY = ROOT / ".venv-pypy" / "bin" / "python"


def _edge_cases() -> List[Case]:
    cases: List[Case] = []
    for name, op in OPS.items():
        modes = ROUNDING_MODES if op.rm else (0,)
        kinds = op.operands
        if kinds == "i":
            values = int_operands()
        elif kinds == "x":
            values = [0xFFFF_FFFF_0000_0000 | s for s in signed(FMTS["s"], specials(FMTS["s"]))]
        elif len(kinds) == 3:
            values = fma_specials(FMTS[kinds[0]])[::3]
        else:
            fmt = FMTS[kinds[0]]
            values = signed(fmt, specials(fmt))[::2] + signed(fmt, exact_friendly(fmt)[::9])
            if len(kinds) == 1:
                values += int_bound_floats(fmt)
        cases += [(name, rm, _operands(values, len(kinds), i))
                  for rm in modes for i in range(len(values) ** len(kinds))]
    return cases


def _operands(values: List[int], arity: int, i: int) -> Tuple[int, ...]:
    """The i-th tuple of the cross product of ``values`` with itself ``arity`` times."""
    out = []
    for _ in range(arity):
        i, k = divmod(i, len(values))
        out.append(values[k])
    return tuple(out)


def test_pypy_agrees_with_oracle(oracle: Oracle) -> None:
    assert PYPY.exists(), f"{PYPY} is missing: run tools/dev setup (it needs Debian's pypy3)"
    cases = _edge_cases()
    text = "".join(f"{n} {rm:x} " + " ".join(f"{x:x}" for x in ops) + "\n"
                   for n, rm, ops in cases)
    run = subprocess.run([str(PYPY), str(HERE / "fpu_pypy_worker.py")], input=text,
                         capture_output=True, text=True, cwd=HERE, check=True)
    header, *lines = run.stdout.splitlines()
    assert header.startswith("PyPy 3.9"), header
    got = [tuple(int(x, 16) for x in line.split()) for line in lines]
    want = oracle.run(cases)
    assert len(got) == len(cases)
    bad = [f"{c}: oracle {w}, pypy {g}" for c, w, g in zip(cases, want, got) if w != g]
    assert not bad, f"{len(bad)} of {len(cases)} disagree under PyPy:\n" + "\n".join(bad[:25])
