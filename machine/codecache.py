"""Translated code: building blocks for a hart, caching them, dropping stale ones.

Blocks are compiled once per content: the cache key is (virtual pc, the
instruction bytes, single-step or not), so every hart and every
re-translation of unchanged code reuses the code object; a hart makes its
own function from it over its own globals.

A hart keeps blocks in a dict per fetch context (virtual pc -> function).
The machine-wide `CodeCache` remembers which physical bytes each block came
from; a store to those bytes (by any hart's slow path, or `Bus.write_bytes`)
removes the overlapping blocks from every hart. Pages that hold translated
code never enter a store TLB, so such stores always reach the slow path.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Callable, Dict, List, Set, Tuple

from trapscope.machine import mmu, translate
from trapscope.machine import trap as T
from trapscope.machine.bus import Bus
from trapscope.machine.isa import decode_word
from trapscope.machine.word import s64

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.hart import Hart

CACHE_LIMIT = 200_000

# (hart, its block dict, virtual pc, first physical byte, end physical byte, function)
Entry = Tuple["Hart", dict, int, int, int, Callable]


class CodeCache:
    """Machine-wide: compiled blocks by content, and which bytes each came from."""

    def __init__(self) -> None:
        self.compiled: Dict[Tuple[int, bytes, bool], Tuple[types.CodeType, int]] = {}
        self.pages: Dict[int, List[Entry]] = {}
        # Physical pages the page walkers have read PTEs from, and a generation
        # counter bumped by every write to one: translations cached by a hart
        # stay valid across SFENCE.VMA and satp writes until it moves.
        self.pt_pages: Set[int] = set()
        self.pt_gen = 0
        self.harts: List[Hart] = []
        self._buses: List[Bus] = []

    def attach(self, hart: Hart) -> None:
        """Track a hart (and listen to its bus's external writes)."""
        self.harts.append(hart)
        if all(b is not hart.bus for b in self._buses):
            self._buses.append(hart.bus)
            hart.bus.on_memory_write(self.invalidate)

    def code_for(self, key: Tuple[int, bytes, bool],
                 blocks: List[List[translate.Insn]]) -> Tuple[types.CodeType, int]:
        """The compiled function code for a region (compiling it on first use)."""
        hit = self.compiled.get(key)
        if hit is None:
            if len(self.compiled) >= CACHE_LIMIT:
                self.compiled.clear()
            block = translate.Block(key[0], len(blocks[0]),
                                    translate.build_source(blocks, single=key[2]))
            func = next(c for c in block.code.co_consts if isinstance(c, types.CodeType))
            hit = self.compiled[key] = (func, block.n)
        return hit

    def register(self, entry: Entry) -> None:
        """Remember that a hart's block was built from [entry[3], entry[4])."""
        page = entry[3] >> 12
        lst = self.pages.get(page)
        if lst is None:
            lst = self.pages[page] = []
            for h in self.harts:
                h.drop_store_page(page)
        elif len(lst) > 512:
            lst[:] = [e for e in lst if e[1].get(e[2]) is e[5]]
        lst.append(entry)

    def note_pt_page(self, ppn: int) -> None:
        """A page walk read a PTE in this physical page: its stores take the slow path."""
        if ppn not in self.pt_pages:
            self.pt_pages.add(ppn)
            for h in self.harts:
                h.drop_store_page(ppn)

    def invalidate(self, pa: int, size: int) -> None:
        """Bytes [pa, pa + size) changed: drop every block built from them
        (and count a page-table write)."""
        end = pa + size
        if self.pt_pages and any(p in self.pt_pages for p in range(pa >> 12, ((end - 1) >> 12) + 1)):
            self.pt_gen += 1
        for page in range(pa >> 12, ((end - 1) >> 12) + 1):
            lst = self.pages.get(page)
            if not lst:
                continue
            keep = []
            for e in lst:
                if e[3] < end and pa < e[4]:
                    if e[1].get(e[2]) is e[5]:
                        del e[1][e[2]]
                else:
                    keep.append(e)
            if keep:
                self.pages[page] = keep
            else:
                del self.pages[page]


def _page_bytes(hart: Hart, vpc: int, ppc: int, ic: int) -> Tuple[bytes, int]:
    """The bytes of the physical page holding `ppc` (RAM or ROM), and ppc's offset in them."""
    mem = hart.bus.memory_at(ppc)
    if mem is None:
        raise T.Trap(T.INSN_ACCESS_FAULT, vpc, vpc, ic)
    page = max(ppc & ~0xFFF, mem.base)
    end = min((ppc & ~0xFFF) + 0x1000, mem.base + mem.size)
    return bytes(mem.data[page - mem.base:end - mem.base]), ppc - page


def decode_block(vpc: int, buf: bytes, off: int, single: bool) -> Tuple[List[translate.Insn], int]:
    """Decode one basic block at buf[off:]; returns (instructions, bytes used).

    Stops after a control-flow/system instruction, at the end of `buf`, or
    before a 32-bit instruction that would cross it (bytes used is then 0
    when it is the first: the caller fetches across the page).
    """
    insns: List[translate.Insn] = []
    start = off
    limit = 1 if single else translate.MAX_BLOCK
    while len(insns) < limit and off + 2 <= len(buf):
        word = buf[off] | buf[off + 1] << 8
        length = 2
        if word & 3 == 3:
            if off + 4 > len(buf):
                break
            word |= (buf[off + 2] | buf[off + 3] << 8) << 16
            length = 4
        dec = decode_word(word)
        insns.append((s64(vpc + off - start), dec, word))
        off += length
        if translate.ends_block(dec):
            break
    return insns, off - start


MAX_REGION_BLOCKS = 12


def _loop_region(vpc: int, buf: bytes, off: int, entry: List[translate.Insn]) -> List[List[translate.Insn]]:
    """The blocks of this page that lead back to the entry block (entry first), if any."""
    page_va = vpc - off
    blocks: Dict[int, List[translate.Insn]] = {s64(vpc): entry}
    edges: Dict[int, List[int]] = {}
    todo = [s64(vpc)]
    while todo:
        pc = todo.pop()
        _, target, fall = translate.successors(blocks[pc])
        edges[pc] = [t for t in (target, fall) if t is not None and 0 <= t - page_va < len(buf)]
        for t in edges[pc]:
            if t not in blocks and len(blocks) < MAX_REGION_BLOCKS:
                insns, used = decode_block(t, buf, t - page_va, False)
                if used:
                    blocks[t] = insns
                    todo.append(t)
    # keep the blocks from which the entry can be reached again
    back = {s64(vpc)}
    changed = True
    while changed:
        changed = False
        for pc, succ in edges.items():
            if pc not in back and any(t in back for t in succ if t in blocks):
                back.add(pc)
                changed = True
    loop = sorted(pc for pc in back if pc in edges)
    if len(loop) < 2:
        return [entry]
    return [entry] + [blocks[pc] for pc in loop if pc != s64(vpc)]


def build(hart: Hart, vpc: int, ic: int, single: bool, cache: bool = True) -> Tuple[Callable, int]:
    """A function for the code at `vpc` in the hart's current fetch context.

    Returns (function, instructions of the entry block); the function is
    entered in the hart's block dict (unless it spans two pages: that is
    rebuilt every time). Raises a precise Trap for a fetch fault at `vpc`.
    """
    vpc = s64(vpc)
    ppc = hart.translate(vpc, mmu.FETCH, vpc, ic)
    buf, off = _page_bytes(hart, vpc, ppc, ic)
    entry, used = decode_block(vpc, buf, off, single)
    spans = used == 0
    if spans:
        buf = _fetch_across(hart, vpc, buf[off:], ic)
        off = 0
        entry, used = decode_block(vpc, buf, 0, True)
        single = True
    blocks = [entry] if single or spans else _loop_region(vpc, buf, off, entry)
    lo = min(b[0][0] for b in blocks) - vpc + off
    hi = max(b[-1][0] for b in blocks) - vpc + off + 4
    key = (vpc, buf[lo:min(hi, len(buf))] + bytes([len(blocks)]), single)
    code, n = hart.code.code_for(key, blocks)
    fn = types.FunctionType(code, hart.g)
    if cache and not spans:
        d = hart.singles if single else hart.blocks
        d[vpc] = fn
        base = ppc - off
        hart.code.register((hart, d, vpc, base + lo, base + min(hi, len(buf)), fn))
    return fn, n


def _fetch_across(hart: Hart, vpc: int, low: bytes, ic: int) -> bytes:
    nxt = vpc + len(low)
    ppc2 = hart.translate(nxt, mmu.FETCH, vpc, ic)
    mem = hart.bus.memory_at(ppc2)
    if mem is None:
        raise T.Trap(T.INSN_ACCESS_FAULT, nxt, vpc, ic)
    off = ppc2 - mem.base
    return low + bytes(mem.data[off:off + 2])
