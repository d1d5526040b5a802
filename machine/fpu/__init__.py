"""IEEE 754 binary32/binary64 arithmetic with RISC-V F/D semantics, in pure Python.

Operands and results are raw bit patterns (ints): 32-bit for the ``_s``
functions, 64-bit for the ``_d`` ones; integer operands and results are
64-bit register values. ``rm`` is a static rounding mode (RNE, RTZ, RDN,
RUP, RMM = 0..4; the caller resolves ``dyn`` and rejects reserved values).
Every operation except the classify functions returns ``(result, fflags)``
with the flag bits NX, UF, OF, DZ, NV below. NaN results are the canonical
NaNs; tininess is detected after rounding. `box_s`/`unbox_s` move binary32
patterns in and out of the 64-bit f registers.
"""

from .binary32 import (
    add_s,
    classify_s,
    cvt_l_s,
    cvt_lu_s,
    cvt_s_l,
    cvt_s_lu,
    cvt_s_w,
    cvt_s_wu,
    cvt_w_s,
    cvt_wu_s,
    div_s,
    eq_s,
    fmadd_s,
    fmsub_s,
    fnmadd_s,
    fnmsub_s,
    le_s,
    lt_s,
    max_s,
    min_s,
    mul_s,
    sqrt_s,
    sub_s,
)
from .binary64 import (
    add_d,
    classify_d,
    cvt_d_l,
    cvt_d_lu,
    cvt_d_s,
    cvt_d_w,
    cvt_d_wu,
    cvt_l_d,
    cvt_lu_d,
    cvt_s_d,
    cvt_w_d,
    cvt_wu_d,
    div_d,
    eq_d,
    fmadd_d,
    fmsub_d,
    fnmadd_d,
    fnmsub_d,
    le_d,
    lt_d,
    max_d,
    min_d,
    mul_d,
    sqrt_d,
    sub_d,
)
from .fmt import DZ, NV, NX, OF, RDN, RMM, RNE, RTZ, RUP, UF
from .nanbox import box_s, unbox_s

CANONICAL_NAN_S = 0x7FC0_0000
CANONICAL_NAN_D = 0x7FF8_0000_0000_0000

__all__ = [
    "RNE", "RTZ", "RDN", "RUP", "RMM", "NX", "UF", "OF", "DZ", "NV",
    "CANONICAL_NAN_S", "CANONICAL_NAN_D", "box_s", "unbox_s",
    "add_s", "sub_s", "mul_s", "div_s", "sqrt_s",
    "fmadd_s", "fmsub_s", "fnmsub_s", "fnmadd_s",
    "min_s", "max_s", "eq_s", "lt_s", "le_s", "classify_s",
    "cvt_w_s", "cvt_wu_s", "cvt_l_s", "cvt_lu_s",
    "cvt_s_w", "cvt_s_wu", "cvt_s_l", "cvt_s_lu",
    "add_d", "sub_d", "mul_d", "div_d", "sqrt_d",
    "fmadd_d", "fmsub_d", "fnmsub_d", "fnmadd_d",
    "min_d", "max_d", "eq_d", "lt_d", "le_d", "classify_d",
    "cvt_w_d", "cvt_wu_d", "cvt_l_d", "cvt_lu_d",
    "cvt_d_w", "cvt_d_wu", "cvt_d_l", "cvt_d_lu",
    "cvt_s_d", "cvt_d_s",
]
