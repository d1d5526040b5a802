"""Translated code: building blocks for a hart, caching them, dropping stale ones.

A block first runs interpreted (one generic function per instruction);
after `HOT` starts, it is compiled with the loop region around it. Regions
are compiled once per content: the cache key is (entry virtual pc, virtual
address of the region's first byte, the region's bytes, number of blocks),
so every hart and every re-translation of unchanged code reuses the code
object; a hart makes its own function from it over its own globals.

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
HOT = 8  # by default a block is compiled when it starts this many times

# (hart, its block dict, virtual pc, first physical byte, end physical byte, function)
Entry = Tuple["Hart", dict, int, int, int, Callable]


class CodeCache:
    """Machine-wide: compiled blocks by content, and which bytes each came from."""

    def __init__(self) -> None:
        self.compiled: Dict[tuple, Tuple[types.CodeType, int]] = {}
        self.pages: Dict[int, List[Entry]] = {}
        self._prune_at: Dict[int, int] = {}
        # Physical pages some hart's cached translations were read from (page
        # tables), with how many harts depend on each. The first write to one
        # flushes the address spaces that used it (earlier than SFENCE.VMA needs:
        # always allowed), which releases the page; SFENCE.VMA and satp writes
        # then have nothing to flush.
        self.pt_refs: Dict[int, int] = {}
        # a block is compiled when it starts this many times (0: at once; tests
        # set 0 or a huge number to check the compiled and the interpreted tier)
        self.hot = HOT
        # Compiled regions by (virtual pc, physical pc, single-step), so a hart
        # whose caches were flushed finds them again without decoding.
        # (and the interpreter's steps of cold blocks, under keys ending in "i")
        self.phys: Dict[tuple, tuple] = {}
        self._phys_pages: Dict[int, List[Tuple[tuple, int, int]]] = {}
        self.harts: List[Hart] = []
        self._buses: List[Bus] = []

    def close(self) -> None:
        """Forget every block, region, hart and bus (the machine is done)."""
        for d in (self.compiled, self.pages, self._prune_at, self.pt_refs, self.phys,
                  self._phys_pages):
            d.clear()
        self.harts.clear()
        self._buses.clear()

    def attach(self, hart: Hart) -> None:
        """Track a hart (and listen to its bus's external writes)."""
        self.harts.append(hart)
        if all(b is not hart.bus for b in self._buses):
            self._buses.append(hart.bus)
            hart.bus.on_memory_write(self.invalidate)

    def code_for(self, key: tuple, blocks: List[List[translate.Insn]]) -> Tuple[types.CodeType, int]:
        """The compiled function code for a region (compiling it on first use).

        `key` is (entry pc, address of the first byte covered, the bytes, the
        number of blocks): what the region's code depends on.
        """
        hit = self.compiled.get(key)
        if hit is None:
            if len(self.compiled) >= CACHE_LIMIT:
                self.compiled.clear()
            block = translate.Block(key[0], len(blocks[0]), translate.build_source(blocks))
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
        elif len(lst) >= self._prune_at.get(page, 512):
            lst[:] = [e for e in lst if e[1].get(e[2]) is e[5]]  # drop superseded entries
            self._prune_at[page] = max(512, 2 * len(lst))
        lst.append(entry)

    def pt_ref(self, ppn: int) -> None:
        """One more hart caches translations read from this page: stores to it go slow."""
        n = self.pt_refs.get(ppn, 0)
        self.pt_refs[ppn] = n + 1
        if not n:
            for h in self.harts:
                h.drop_store_page(ppn)

    def pt_unref(self, ppn: int) -> None:
        n = self.pt_refs[ppn] - 1
        if n:
            self.pt_refs[ppn] = n
        else:
            del self.pt_refs[ppn]

    def put_phys(self, key: tuple, code: object, n: int, lo: int, hi: int) -> None:
        """Remember what was made (compiled code or interpreter steps) from physical bytes [lo, hi)."""
        if len(self.phys) >= CACHE_LIMIT:
            self.phys.clear()
            self._phys_pages.clear()
        self.phys[key] = (code, n, lo, hi)
        self._phys_pages.setdefault(lo >> 12, []).append((key, lo, hi))
        if lo >> 12 not in self.pages:  # (registered next, but say so now: stores go slow)
            self.pages[lo >> 12] = []
            for h in self.harts:
                h.drop_store_page(lo >> 12)

    def invalidate(self, pa: int, size: int) -> None:
        """Bytes [pa, pa + size) changed: drop every block built from them, and
        mark dirty the harts whose translations came from them."""
        end = pa + size
        pages = range(pa >> 12, ((end - 1) >> 12) + 1)
        if self.pt_refs and any(p in self.pt_refs for p in pages):
            for h in self.harts:
                spaces: Set[int] = set()
                for p in pages:
                    spaces |= h.pt_pages.get(p, set())
                if spaces:
                    h.flush_spaces(spaces)
        for page in pages:
            phys = self._phys_pages.get(page)
            if phys:
                keep_phys = []
                for key, lo, hi in phys:
                    if lo < end and pa < hi:
                        self.phys.pop(key, None)
                    else:
                        keep_phys.append((key, lo, hi))
                self._phys_pages[page] = keep_phys
            lst = self.pages.get(page)
            if lst is None:
                continue
            keep = []
            for e in lst:
                if e[3] < end and pa < e[4]:
                    if e[1].get(e[2]) is e[5]:
                        del e[1][e[2]]
                else:
                    keep.append(e)
            if keep or self._phys_pages.get(page):
                # still a code page while any block or cached region covers it:
                # its stores must keep coming here
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


def build(hart: Hart, vpc: int, ic: int, single: bool, cache: bool = True,
          hot: bool = False) -> Tuple[Callable, int]:
    """A function for the code at `vpc` in the hart's current fetch context.

    Code runs interpreted (no compile) until it proves hot (`HOT` runs) or
    when `hot`; then it is compiled as a region (see translate.py), and the
    compiled region is kept by physical address for every hart. Returns
    (function, instructions of the entry block) and enters the function in
    the hart's block dict (unless it spans two pages: that is rebuilt every
    time). Raises a precise Trap for a fetch fault at `vpc`.
    """
    vpc = s64(vpc)
    itlb = hart.itlb
    page = itlb.get(vpc >> 12)
    if page is None:
        page = itlb[vpc >> 12] = hart.translate(vpc, mmu.FETCH, vpc, ic) & ~0xFFF
    ppc = page | (vpc & 0xFFF)
    if not single and (vpc & 0xFFF) <= 0xFFC:
        hit = hart.code.phys.get((vpc, ppc, False))
        if hit is not None:
            return _install(hart, vpc, False, hit)
    cold = single or not (hot or hart.code.hot == 0)
    if cold and cache:
        hit = hart.code.phys.get((vpc, ppc, single, "i"))
        if hit is not None:
            return _install_interpreted(hart, vpc, single, hit)
    buf, off = _page_bytes(hart, vpc, ppc, ic)
    entry, used = decode_block(vpc, buf, off, single)
    spans = used == 0
    if spans:
        buf = _fetch_across(hart, vpc, buf[off:], ic)
        entry, used = decode_block(vpc, buf, 0, True)
        return _interpreted(hart, vpc, _steps(entry), True), 1
    if cold:
        info = (_steps(entry), len(entry), ppc, ppc + used)
        if not cache:
            return _interpreted(hart, vpc, info[0], single), len(entry)
        hart.code.put_phys((vpc, ppc, single, "i"), *info)
        return _install_interpreted(hart, vpc, single, info)
    blocks = _loop_region(vpc, buf, off, entry)
    lo = min(b[0][0] for b in blocks) - vpc + off
    hi = max(b[-1][0] for b in blocks) - vpc + off + 4
    # The bytes alone do not say where they start: the same bytes a few bytes
    # earlier, under the same entry pc, are a different region.
    key = (vpc, s64(vpc - off + lo), buf[lo:min(hi, len(buf))], len(blocks))
    code, n = hart.code.code_for(key, blocks)
    base = ppc - off
    entry_info = (code, n, base + lo, base + min(hi, len(buf)))
    hart.code.put_phys((vpc, ppc, False), *entry_info)
    return _install(hart, vpc, False, entry_info)


Step = Tuple[str, Tuple[int, ...], int]  # (instruction name or "" if illegal, arguments, retires)


def _steps(insns: List[translate.Insn]) -> Tuple[Step, ...]:
    """What the interpreter runs for these instructions (kept by physical address)."""
    out = []
    for pc, dec, word in insns:
        if dec is None:
            out.append(("", (word, s64(pc)), 0))
        else:
            out.append((dec.insn.name, translate.interp_args(pc, dec), 0 if dec.insn.traps else 1))
    return tuple(out)


def _install_interpreted(hart: Hart, vpc: int, single: bool, info) -> Tuple[Callable, int]:
    steps, n, lo, hi = info
    fn = _interpreted(hart, vpc, steps, single)
    d = hart.singles if single else hart.blocks
    d[vpc] = fn
    hart.code.register((hart, d, vpc, lo, hi, fn))
    return fn, n


def _interpreted(hart: Hart, vpc: int, descr: Tuple[Step, ...], single: bool) -> Callable:
    """A block function that runs the instructions through the interpreter functions,
    and after `CodeCache.hot` runs has the block compiled in its place."""
    steps = [(hart.interp[name] if name else _illegal(hart), args, retires)
             for name, args, retires in descr]
    n = len(steps)
    runs = [0]
    step1 = hart.step1

    def _b(ic: int, lim: int) -> Tuple[int, int]:
        if ic + n > lim and not single:
            return step1(vpc, ic)
        runs[0] += 1
        if runs[0] == hart.code.hot and not single:
            _promote(hart, vpc, ic)
        k = 0
        pc = vpc
        for fn, args, retires in steps:
            pc = fn(ic + k, *args)
            k += retires
        return pc, k
    return _b


def _illegal(hart: Hart) -> Callable:
    def raise_(ic: int, word: int, pc: int) -> int:
        return hart.raise_illegal(word, pc, ic)  # type: ignore[func-returns-value]
    return raise_


def _promote(hart: Hart, vpc: int, ic: int) -> None:
    """Compile a block that proved hot (replacing its interpreted function)."""
    try:
        build(hart, vpc, ic, False, hot=True)
    except T.BlockExit:
        pass  # (the fetch mapping changed under it: it will be rebuilt when next reached)


def _install(hart: Hart, vpc: int, single: bool,
             entry: Tuple[types.CodeType, int, int, int]) -> Tuple[Callable, int]:
    """Make the hart's function for a compiled region and enter it in its block dict."""
    code, n, lo, hi = entry
    fn = types.FunctionType(code, hart.g)
    d = hart.singles if single else hart.blocks
    d[vpc] = fn
    hart.code.register((hart, d, vpc, lo, hi, fn))
    return fn, n


def _fetch_across(hart: Hart, vpc: int, low: bytes, ic: int) -> bytes:
    nxt = vpc + len(low)
    ppc2 = hart.translate(nxt, mmu.FETCH, vpc, ic)
    mem = hart.bus.memory_at(ppc2)
    if mem is None:
        raise T.Trap(T.INSN_ACCESS_FAULT, nxt, vpc, ic)
    off = ppc2 - mem.base
    return low + bytes(mem.data[off:off + 2])
