"""Binary interchange formats, rounding modes, exception flags and operand decoding.

Everything in the FPU works on raw bit patterns (Python ints). A finite
nonzero operand decodes to ``(sign, m, e)`` meaning ``(-1)**sign * m * 2**e``
with ``m`` a positive integer; the other classes are told apart first.
"""

from __future__ import annotations

# Rounding modes, as the frm field and the instruction rm field encode them.
RNE = 0  # to nearest, ties to even
RTZ = 1  # toward zero
RDN = 2  # down, toward -infinity
RUP = 3  # up, toward +infinity
RMM = 4  # to nearest, ties away from zero (to max magnitude)

# fflags bits.
NX = 1  # inexact
UF = 2  # underflow
OF = 4  # overflow
DZ = 8  # divide by zero
NV = 16  # invalid operation

# Operand classes returned by `Format.kind`; the NaN classes compare greater
# than INF, so `kind > INF` means "is a NaN".
ZERO = 0
FINITE = 1  # normal or subnormal, nonzero
INF = 2
QNAN = 3
SNAN = 4


class Format:
    """One IEEE 754 binary format: field widths and the constants derived from them.

    ``p`` is the precision (fraction bits + 1); a finite value's unit in the
    last place is ``2**q`` with ``qmin <= q <= qmax``.
    """

    __slots__ = ("name", "ebits", "fbits", "p", "bias", "emin", "emax", "qmin", "qmax",
                 "sign_shift", "sign_bit", "frac_mask", "exp_mask", "mag_mask", "inf",
                 "max_finite", "min_normal", "canonical_nan", "quiet_bit")

    def __init__(self, name: str, ebits: int, fbits: int) -> None:
        self.name = name
        self.ebits = ebits
        self.fbits = fbits
        self.p = fbits + 1
        self.bias = (1 << (ebits - 1)) - 1
        self.emin = 1 - self.bias
        self.emax = self.bias
        self.qmin = self.emin - fbits
        self.qmax = self.emax - fbits
        self.sign_shift = ebits + fbits
        self.sign_bit = 1 << self.sign_shift
        self.frac_mask = (1 << fbits) - 1
        self.exp_mask = (1 << ebits) - 1
        self.mag_mask = self.sign_bit - 1
        self.inf = self.exp_mask << fbits
        self.max_finite = self.inf - 1
        self.min_normal = 1 << fbits
        self.quiet_bit = 1 << (fbits - 1)
        self.canonical_nan = self.inf | self.quiet_bit

    def kind(self, bits: int) -> int:
        """The class of a bit pattern: ZERO, FINITE, INF, QNAN or SNAN."""
        mag = bits & self.mag_mask
        if mag < self.inf:
            return FINITE if mag else ZERO
        if mag == self.inf:
            return INF
        return QNAN if mag & self.quiet_bit else SNAN

    def decode(self, bits: int) -> tuple:
        """``(sign, m, e)`` of a finite nonzero pattern: the value is ``(-1)**sign * m * 2**e``."""
        biased = (bits >> self.fbits) & self.exp_mask
        m = bits & self.frac_mask
        if biased:
            return bits >> self.sign_shift, m | self.min_normal, biased - 1 + self.qmin
        return bits >> self.sign_shift, m, self.qmin

    def is_nan(self, bits: int) -> bool:
        """True for any NaN, quiet or signalling."""
        return bits & self.mag_mask > self.inf

    def is_snan(self, bits: int) -> bool:
        """True for a signalling NaN."""
        return bits & self.mag_mask > self.inf and not bits & self.quiet_bit


S = Format("binary32", 8, 23)
D = Format("binary64", 11, 52)
