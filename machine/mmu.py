"""Sv39 address translation (privileged spec 4.3-4.4), with hardware A/D updates.

A PTE:  63..54 reserved (must be 0: no Svpbmt/Svnapot) | 53..10 PPN |
        9..8 RSW | D A G U X W R V  (bits 7..0).

`walk` does one translation for an access kind at an effective privilege
and returns the physical address, or raises `Fault` naming the page-fault
or access-fault cause; the hart turns it into a precise trap. With
`update=False` (the debugger's view) no PTE is written and permissions are
not checked: only whether a mapping exists.
"""

from __future__ import annotations

from typing import Callable

from trapscope.machine import trap as T
from trapscope.machine.bus import BusError

FETCH, LOAD, STORE = 0, 1, 2
PAGE_FAULT = {FETCH: T.INSN_PAGE_FAULT, LOAD: T.LOAD_PAGE_FAULT, STORE: T.STORE_PAGE_FAULT}
ACCESS_FAULT = {FETCH: T.INSN_ACCESS_FAULT, LOAD: T.LOAD_ACCESS_FAULT, STORE: T.STORE_ACCESS_FAULT}

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D = (1 << i for i in range(8))
PTE_RESERVED = ((1 << 10) - 1) << 54
LEVELS = 3


class Fault(Exception):
    """A translation failed with this exception cause."""

    def __init__(self, cause: int) -> None:
        super().__init__(cause)
        self.cause = cause


def canonical(va: int) -> bool:
    """Whether bits 63..39 of a 64-bit address all equal bit 38."""
    top = va >> 38
    return top == 0 or top == (1 << 26) - 1


def walk(read_pte: Callable[[int], int], write_pte: Callable[[int, int], None] | None,
         satp: int, va: int, access: int, priv: int, sum_: bool, mxr: bool) -> int:
    """Translate `va` under an Sv39 `satp`; return the physical address or raise Fault.

    `read_pte(paddr)` reads a PTE (BusError -> access fault); `write_pte` is
    None for a side-effect-free walk (which also skips permission checks).
    """
    if not canonical(va):
        raise Fault(PAGE_FAULT[access])
    base = (satp & ((1 << 44) - 1)) << 12
    for level in range(LEVELS - 1, -1, -1):
        pte_addr = base + ((va >> (12 + 9 * level)) & 0x1FF) * 8
        try:
            pte = read_pte(pte_addr)
        except BusError:
            raise Fault(ACCESS_FAULT[access]) from None
        if not pte & PTE_V or (pte & (PTE_R | PTE_W)) == PTE_W or pte & PTE_RESERVED:
            raise Fault(PAGE_FAULT[access])
        ppn = (pte >> 10) & ((1 << 44) - 1)
        if not pte & (PTE_R | PTE_X):
            if level == 0:
                raise Fault(PAGE_FAULT[access])
            base = ppn << 12
            continue
        span = 9 * level
        if ppn & ((1 << span) - 1):
            raise Fault(PAGE_FAULT[access])  # misaligned superpage
        if write_pte is not None:
            _check(pte, access, priv, sum_, mxr)
            want = PTE_A | (PTE_D if access == STORE else 0)
            if pte & want != want:
                try:
                    write_pte(pte_addr, pte | want)
                except BusError:
                    raise Fault(ACCESS_FAULT[access]) from None
        offset_mask = (1 << (12 + span)) - 1
        return ((ppn << 12) & ~offset_mask) | (va & offset_mask)
    raise AssertionError("unreachable")


def _check(pte: int, access: int, priv: int, sum_: bool, mxr: bool) -> None:
    if pte & PTE_U:
        if priv == T.PRV_S and (access == FETCH or not sum_):
            raise Fault(PAGE_FAULT[access])
    elif priv == T.PRV_U:
        raise Fault(PAGE_FAULT[access])
    if access == FETCH:
        ok = pte & PTE_X
    elif access == LOAD:
        ok = pte & PTE_R or (mxr and pte & PTE_X)
    else:
        ok = pte & PTE_W
    if not ok:
        raise Fault(PAGE_FAULT[access])
