"""64-bit words in the two representations the core uses.

Integer registers and pcs are held *signed* inside the engine (Python ints
in [-2**63, 2**63)): PyPy then keeps every value in a machine word (an
unsigned value >= 2**63 would be a bigint), and CPython handles small
negative numbers as fast as small positive ones. CSRs, physical addresses,
float registers and everything the contract exposes (`Hart.x`, `Hart.pc`,
the debug interface) are unsigned.
"""

M64 = 0xFFFFFFFFFFFFFFFF
MIN64 = -0x8000000000000000
MAX64 = 0x7FFFFFFFFFFFFFFF


def s64(v: int) -> int:
    """Any int, taken modulo 2**64, as a signed 64-bit value."""
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def u64(v: int) -> int:
    """Any int, taken modulo 2**64, as an unsigned 64-bit value."""
    return v & M64
