"""What the FPU tests feed to both sides: the operation table and hand-picked operands.

Each operation has a signature: its operand kinds (``s``/``d`` a float of
that format, ``i`` a 64-bit integer register, ``x`` a raw 64-bit f
register) and whether it takes a rounding mode. `expected` calls the
trapscope function the way the machine's templates do; its answer is
compared with the oracle's ``(result, fflags)`` for the same case.
"""

from __future__ import annotations

import struct
from typing import Callable, Dict, List, NamedTuple, Sequence, Tuple

from trapscope.machine import fpu

ROUNDING_MODES = (fpu.RNE, fpu.RTZ, fpu.RDN, fpu.RUP, fpu.RMM)


class Op(NamedTuple):
    """One operation: its operand kinds and whether it takes rm."""

    operands: str
    rm: bool


def _family(f: str) -> Dict[str, Op]:
    return {
        **{f"{n}_{f}": Op(f + f, True) for n in ("add", "sub", "mul", "div")},
        f"sqrt_{f}": Op(f, True),
        **{f"{n}_{f}": Op(f * 3, True) for n in ("fmadd", "fmsub", "fnmsub", "fnmadd")},
        **{f"{n}_{f}": Op(f + f, False) for n in ("min", "max", "eq", "lt", "le")},
        f"classify_{f}": Op(f, False),
        **{f"cvt_{n}_{f}": Op(f, True) for n in ("w", "wu", "l", "lu")},
        **{f"cvt_{f}_{n}": Op("i", True) for n in ("w", "wu", "l", "lu")},
    }


OPS: Dict[str, Op] = {
    **_family("s"),
    **_family("d"),
    "cvt_s_d": Op("d", True),
    "cvt_d_s": Op("s", True),
    "box_s": Op("s", False),
    "unbox_s": Op("x", False),
}

Case = Tuple[str, int, Tuple[int, ...]]


def expected(name: str, rm: int, operands: Sequence[int]) -> Tuple[int, int]:
    """trapscope's ``(result, fflags)`` for one case, shaped like the oracle's answer."""
    if name == "box_s":
        return fpu.box_s(operands[0]), 0
    if name == "unbox_s":  # the oracle passes the register through fsgnj.s
        return fpu.box_s(fpu.unbox_s(operands[0])), 0
    fn: Callable = getattr(fpu, name)
    if name.startswith("classify"):
        return fn(*operands), 0
    if OPS[name].rm:
        return fn(*operands, rm)
    return fn(*operands)


# --- operand values ------------------------------------------------------------------

class Fmt(NamedTuple):
    """Field widths of a binary format, for building operands."""

    fbits: int
    ebits: int

    @property
    def sign(self) -> int:
        return 1 << (self.fbits + self.ebits)

    @property
    def bias(self) -> int:
        return (1 << (self.ebits - 1)) - 1

    @property
    def inf(self) -> int:
        return ((1 << self.ebits) - 1) << self.fbits

    def pattern(self, biased_exp: int, frac: int, sign: int = 0) -> int:
        """Bits from fields."""
        return (sign * self.sign) | (biased_exp << self.fbits) | frac

    def power(self, exp: int) -> int:
        """2**exp, which must be a normal number."""
        return self.pattern(exp + self.bias, 0)


S = Fmt(23, 8)
D = Fmt(52, 11)
FMTS = {"s": S, "d": D}


def float_bits(fmt: Fmt, x: float) -> int:
    """The pattern of a Python float that ``fmt`` represents exactly."""
    if fmt is D:
        return struct.unpack("<Q", struct.pack("<d", x))[0]
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    assert struct.unpack("<f", struct.pack("<I", bits))[0] == x or x != x, x
    return bits


def specials(fmt: Fmt) -> List[int]:
    """Positive edge values of a format: zeros, subnormals, normal bounds,
    values whose sums/products/quotients land on rounding ties, overflow and
    underflow boundaries, infinity and NaNs (the NaNs carry payloads)."""
    p = fmt.fbits + 1
    one = fmt.power(0)
    max_biased = (1 << fmt.ebits) - 2
    emax = fmt.bias
    emin = 1 - fmt.bias
    return [
        0, 1, 2, 3, (1 << fmt.fbits) - 1, 1 << (fmt.fbits - 1),   # zero, subnormals
        fmt.power(emin), fmt.power(emin) + 1, fmt.pattern(1, (1 << fmt.fbits) - 1),
        fmt.power(emin + 1),
        one, one + 1, one + 2, one - 1,                        # 1, 1+ulp, 1+2ulp, 1-ulp/2
        fmt.power(-1), fmt.power(1), fmt.power(1) + 1,
        fmt.pattern(fmt.bias, 1 << (fmt.fbits - 1)),           # 1.5
        fmt.pattern(fmt.bias + 1, 1 << (fmt.fbits - 1)),       # 3
        fmt.power(-p), fmt.power(-p) + 1, fmt.power(-p) - 1,    # half an ulp of 1 and around
        fmt.pattern(fmt.bias - p, 1 << (fmt.fbits - 1)),       # 1.5 * 2**-p
        fmt.pattern(fmt.bias, 1 << (fmt.fbits - p // 2)),      # 1 + 2**-(p//2): its square ties
        fmt.power(p), fmt.power(p) + 1,                         # 2**p: next ulp is 2
        fmt.pattern(max_biased, (1 << fmt.fbits) - 1),          # largest finite
        fmt.pattern(max_biased, (1 << fmt.fbits) - 2),
        fmt.power(emax), fmt.power(emax - p),                   # half an ulp of the largest
        fmt.power(emax - p) - 1,
        fmt.inf,
        fmt.inf | (1 << (fmt.fbits - 1)),                       # canonical qNaN
        fmt.inf | (1 << (fmt.fbits - 1)) | 0x55,                # qNaN with payload
        fmt.inf | 1,                                            # sNaN
        fmt.inf | ((1 << (fmt.fbits - 1)) - 1),                 # sNaN, largest payload
    ]


def signed(fmt: Fmt, values: Sequence[int]) -> List[int]:
    """Each value with both signs."""
    return [v | s for v in values for s in (0, fmt.sign)]


def fma_specials(fmt: Fmt) -> List[int]:
    """A smaller edge set for three-operand operations."""
    p = fmt.fbits + 1
    one = fmt.power(0)
    return signed(fmt, [
        0, 1, fmt.power(1 - fmt.bias), one, one + 1, one - 1, fmt.power(-p),
        fmt.pattern((1 << fmt.ebits) - 2, (1 << fmt.fbits) - 1),
        fmt.inf, fmt.inf | (1 << (fmt.fbits - 1)), fmt.inf | 1,
    ])


def int_bound_floats(fmt: Fmt) -> List[int]:
    """Floats around the integer conversion bounds, halves, and near-integers."""
    values = []
    for e in (31, 32, 63, 64):
        b = fmt.power(e)
        values += [b, b - 1, b + 1, b - 2]
    for x in (0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 3.5, 2147483647.0, 2147483647.5,
              2147483646.5, 2147483648.5, 4294967295.0, 4294967295.5, 4294967294.5,
              1e10, 0.49999997, 0.5000001):
        if fmt is D or float(struct.unpack("<f", struct.pack("<f", x))[0]) == x:
            values.append(float_bits(fmt, x))
    return signed(fmt, values)


def int_operands() -> List[int]:
    """64-bit integer register values: small, around powers of two and the
    format precisions (where conversions to float round), and the bounds."""
    values = {0, 1, 2, 3, 7, 255}
    for e in (23, 24, 25, 31, 32, 52, 53, 54, 62, 63, 64):
        for d in (-3, -2, -1, 0, 1, 2, 3):
            values.add(((1 << e) + d) % (1 << 64))
    for bits, lo in ((24, 0), (53, 0), (24, 0x7f), (53, 0x3ff)):
        for shift in (1, 5, 8, 9, 11):
            base = ((1 << bits) - 1) << shift
            values.update({base, base | lo, base | (1 << (shift - 1)), base + (1 << (shift - 1))})
    values.update({(x << 32) | y for x in (0, 0xFFFF_FFFF, 0x8000_0000) for y in (0, 1, 0x8000_0000,
                                                                                  0xFFFF_FFFF)})
    return sorted(v % (1 << 64) for v in values | {(-v) % (1 << 64) for v in values})


def cross_single_boundaries() -> List[int]:
    """binary64 values around binary32 ties, bounds and the underflow threshold."""
    out = []
    for s in specials(S)[:-4]:   # finite binary32 values (and infinity)
        x = struct.unpack("<f", struct.pack("<I", s))[0]
        d = float_bits(D, x)
        half = 1 << 28           # half a binary32 ulp, in binary64 fraction units
        out += [d, d + half, d + half - 1, d + half + 1, d - half]
    out += [D.power(-150), D.power(-150) + 1, D.power(-150) - 1, D.power(-149),
            D.power(-127), D.power(-126) - 1, D.power(128), D.power(128) - 1]
    return signed(D, [v for v in out if v >= 0 and v < D.inf] +
                  [D.inf, D.inf | 1, D.inf | (1 << 51), D.inf | (1 << 51) | 0x1234])


def exact_friendly(fmt: Fmt) -> List[int]:
    """Positive small odd integers times powers of two, whose sums, differences,
    products, quotients and square roots are often exact, including near the
    ends of the normal range."""
    emin = 1 - fmt.bias
    out = []
    for k in (1, 3, 5, 7, 9, 15, 25, 49, 255):
        frac = (k << fmt.fbits >> (k.bit_length() - 1)) & ((1 << fmt.fbits) - 1)
        for e in (0, 1, -3, emin, emin + 3, fmt.bias - 4):
            out.append(fmt.pattern(e + fmt.bias, frac))
    return out


def parse_case(line: str) -> Case:
    """A case from its oracle line (``NAME RM A B C``, hex)."""
    name, rm, *operands = line.split()
    arity = len(OPS[name].operands)
    return name, int(rm, 16), tuple(int(x, 16) for x in operands[:arity])
