"""NaN-boxing of binary32 values in the 64-bit f registers."""

from __future__ import annotations

from .fmt import S

_BOX = 0xFFFF_FFFF_0000_0000


def box_s(bits32: int) -> int:
    """The 64-bit register value holding a binary32 pattern (upper 32 bits all ones)."""
    return _BOX | bits32


def unbox_s(reg64: int) -> int:
    """The binary32 pattern in a register: its low 32 bits when properly boxed,
    otherwise the canonical binary32 NaN."""
    if reg64 >> 32 == 0xFFFF_FFFF:
        return reg64 & 0xFFFF_FFFF
    return S.canonical_nan
