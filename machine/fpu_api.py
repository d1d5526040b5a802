"""The names F/D templates call, taken from `machine/fpu` (IEEE operations on bit patterns)."""

from __future__ import annotations

from typing import Any, Dict

from trapscope.machine import fpu

_OPS = ("add", "sub", "mul", "div", "sqrt", "fmadd", "fmsub", "fnmsub", "fnmadd", "min", "max",
        "eq", "lt", "le", "classify", "cvt_w", "cvt_wu", "cvt_l", "cvt_lu")
_TO = ("cvt_{p}_w", "cvt_{p}_wu", "cvt_{p}_l", "cvt_{p}_lu")

FPU_NAMES: Dict[str, Any] = {}
for _p in ("s", "d"):
    for _op in _OPS:
        FPU_NAMES[f"{_op}_{_p}"] = getattr(fpu, f"{_op}_{_p}")
    for _t in _TO:
        FPU_NAMES[_t.format(p=_p)] = getattr(fpu, _t.format(p=_p))
for _name in ("cvt_s_d", "cvt_d_s", "box_s", "unbox_s"):
    FPU_NAMES[_name] = getattr(fpu, _name)
