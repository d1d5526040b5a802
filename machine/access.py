"""A hart's data accesses beyond the translated fast path.

Translated code reads RAM through the per-kind TLBs; everything else lands
here: TLB misses (page walk, A/D update, TLB fill), misaligned accesses
(performed, as QEMU does; split at a page boundary), MMIO, stores to pages
holding translated code, watched pages, and LR/SC/AMOs. Faults become
precise traps (`Trap(cause, tval=virtual address, pc, ic)`).

TLB entries map a virtual page number to `ram_offset(page) - page_va`, so
`entry + va` is the RAM offset; only RAM pages are entered, a store TLB
only for pages with D set and no translated code, and neither for pages
holding watchpoints. Virtual addresses come in the engine's signed form
(machine/word.py), so page numbers of the upper half are negative; the
slow paths wrap an address that left the range and translate it unsigned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trapscope.machine import mmu
from trapscope.machine import trap as T
from trapscope.machine.bus import BusError
from trapscope.machine.word import s64

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.hart import Hart

M64 = 0xFFFFFFFFFFFFFFFF
TLB_LIMIT = 8192


def sign_extend(v: int, size: int) -> int:
    """An unsigned `size`-byte value sign-extended to a signed one."""
    bits = 8 * size
    return v - (1 << bits) if v >> (bits - 1) & 1 else v


class HartAccess:
    """Mixin of `Hart`: the slow paths of loads, stores and atomics."""

    # -- translation -------------------------------------------------------
    def data_priv(self: Hart) -> int:
        """The privilege data accesses are checked at (MPRV applies MPP in M-mode)."""
        if self.priv == T.PRV_M and self.mstatus & T.MSTATUS_MPRV:
            return (self.mstatus >> T.MSTATUS_MPP_SHIFT) & 3
        return self.priv

    def translate(self: Hart, va: int, access: int, pc: int, ic: int) -> int:
        """Virtual -> physical for an access by this hart, or a precise trap."""
        va &= M64
        priv = self.priv if access == mmu.FETCH else self.data_priv()
        if priv == T.PRV_M or self.satp >> 60 != 8:
            return va
        try:
            return mmu.walk(self.read_phys_pte, self.write_phys_pte, self.satp, va, access,
                            priv, bool(self.mstatus & T.MSTATUS_SUM),
                            bool(self.mstatus & T.MSTATUS_MXR))
        except mmu.Fault as f:
            raise T.Trap(f.cause, va, pc, ic) from None

    def read_phys_pte(self: Hart, pa: int) -> int:
        spaces = self.pt_pages.get(pa >> 12)
        if spaces is None:
            self.pt_pages[pa >> 12] = {self.satp}
            self.code.pt_ref(pa >> 12)
        elif self.satp not in spaces:
            spaces.add(self.satp)
        off = pa - self.mem.base
        if 0 <= off <= self.mem.size - 8:
            return self.mem.q[off >> 3] if not off & 7 else self.bus.read(pa, 8)
        return self.bus.read(pa, 8)

    def write_phys_pte(self: Hart, pa: int, value: int) -> None:
        """The walker setting A/D: no other translation changes, so no page-table write counts."""
        mem = self.mem
        off = pa - mem.base
        if 0 <= off <= mem.size - 8:
            mem.data[off:off + 8] = value.to_bytes(8, "little")
            if (pa >> 12) in self.code.pages:
                self.code.invalidate(pa, 8)
            return
        self.bus.write(pa, 8, value)

    # -- physical access -----------------------------------------------------
    def phys_read(self: Hart, pa: int, size: int) -> int:
        """Read physical memory or MMIO (BusError if nothing answers)."""
        mem = self.mem
        off = pa - mem.base
        if 0 <= off <= mem.size - size:
            return int.from_bytes(mem.data[off:off + size], "little")
        return self.bus.read(pa, size)

    def phys_write(self: Hart, pa: int, size: int, value: int) -> None:
        """Write physical memory or MMIO, dropping translated code it overwrites."""
        mem = self.mem
        off = pa - mem.base
        if 0 <= off <= mem.size - size:
            mem.data[off:off + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
            code = self.code
            first, last = pa >> 12, (pa + size - 1) >> 12
            if first in code.pages or last in code.pages or first in code.pt_refs \
                    or last in code.pt_refs:
                code.invalidate(pa, size)
            return
        self.bus.write(pa, size, value)

    # -- TLB fills -----------------------------------------------------------
    def _fill(self: Hart, tlb: dict, va: int, pa: int, store: bool) -> None:
        mem = self.mem
        page = pa & ~0xFFF
        if not mem.base <= page < mem.base + mem.size:
            return
        vpn = va >> 12
        dbg = self.dbg
        if dbg.watch_pages and vpn in dbg.watch_pages:
            return
        if store and ((page >> 12) in self.code.pages or (page >> 12) in self.code.pt_refs):
            return
        if len(tlb) >= TLB_LIMIT:
            tlb.clear()
        tlb[vpn] = (page - mem.base) - (vpn << 12)
        if store:
            index = self.store_index
            if len(index) > TLB_LIMIT:
                self.drop_store_tlbs()  # the index must cover every store-TLB entry
            index.setdefault(page >> 12, []).append((tlb, vpn))

    # -- the slow paths called by translated code ----------------------------------
    def ld_slow(self: Hart, a: int, size: int, signed: bool, pc: int, ic: int) -> int:
        """A load the fast path could not do (the value: sign- or zero-extended)."""
        self.cur_ic = ic
        a = s64(a)
        if (a & 0xFFF) + size > 0x1000:
            v = self._split_load(a, size, pc, ic)
        else:
            pa = self.translate(a, mmu.LOAD, pc, ic)
            self._watch(a, size, mmu.LOAD, pc, ic)
            try:
                v = self.phys_read(pa, size)
            except BusError:
                raise T.Trap(T.LOAD_ACCESS_FAULT, a, pc, ic) from None
            self._fill(self.g["TL"], a, pa, False)
        return sign_extend(v, size) if signed else v

    def st_slow(self: Hart, a: int, size: int, v: int, pc: int, ic: int) -> None:
        """A store the fast path could not do."""
        self.cur_ic = ic
        a = s64(a)
        v &= (1 << (8 * size)) - 1
        if (a & 0xFFF) + size > 0x1000:
            self._split_store(a, size, v, pc, ic)
            return
        pa = self.translate(a, mmu.STORE, pc, ic)
        self._watch(a, size, mmu.STORE, pc, ic)
        lim = self.lim
        try:
            self.phys_write(pa, size, v)
        except BusError:
            raise T.Trap(T.STORE_ACCESS_FAULT, a, pc, ic) from None
        if self.lim != lim and self.lim == 0:  # a device raised an interrupt line
            raise T.Resume(self.next_pc(pc), ic + 1)
        self._fill(self.g["TS"], a, pa, True)

    def next_pc(self: Hart, pc: int) -> int:
        """The address of the instruction after the one at `pc` (which has just run)."""
        page = self.itlb.get(s64(pc) >> 12)
        pa = (page | (pc & 0xFFF)) if page is not None else self.translate(pc, mmu.FETCH, pc, 0)
        return s64(pc + (2 if self.phys_read(pa, 2) & 3 != 3 else 4))

    def _split_load(self: Hart, a: int, size: int, pc: int, ic: int) -> int:
        first = 0x1000 - (a & 0xFFF)
        parts = ((a, first), ((a + first) & M64, size - first))
        pas = [self.translate(va, mmu.LOAD, pc, ic) for va, _ in parts]
        self._watch(a, size, mmu.LOAD, pc, ic)
        v = 0
        try:
            for (va, n), pa in zip(parts, pas):
                v |= self.phys_read(pa, n) << (8 * ((va - a) & M64))
        except BusError:
            raise T.Trap(T.LOAD_ACCESS_FAULT, a, pc, ic) from None
        return v

    def _split_store(self: Hart, a: int, size: int, v: int, pc: int, ic: int) -> None:
        first = 0x1000 - (a & 0xFFF)
        parts = ((a, first), ((a + first) & M64, size - first))
        pas = [self.translate(va, mmu.STORE, pc, ic) for va, _ in parts]
        self._watch(a, size, mmu.STORE, pc, ic)
        try:
            for (va, n), pa in zip(parts, pas):
                shift = 8 * ((va - a) & M64)
                self.phys_write(pa, n, (v >> shift) & ((1 << (8 * n)) - 1))
        except BusError:
            raise T.Trap(T.STORE_ACCESS_FAULT, a, pc, ic) from None

    def _watch(self: Hart, a: int, size: int, access: int, pc: int, ic: int) -> None:
        dbg = self.dbg
        if dbg.watchpoints and not self.watch_suppressed:
            hit = dbg.watch_hit(a & M64, size, access == mmu.STORE)
            if hit is not None:
                raise T.WatchHit(pc, ic, hit[0], hit[1])

    # -- atomics -------------------------------------------------------------
    # QEMU 7.2 with one hart does an AMO or SC as a load then a store, and the
    # difftest runs it so: a misaligned address is a misaligned load, a fault
    # on the read side is a load fault, and SC stores even when it fails the
    # comparison (writing the old value back).
    def _atomic_load(self: Hart, a: int, size: int, pc: int, ic: int) -> int:
        a &= M64
        if a & (size - 1):
            raise T.Trap(T.LOAD_ADDR_MISALIGNED, a, pc, ic)
        t = self.g["TL"].get(s64(a) >> 12)
        if t is not None:
            off = t + s64(a)
            return int.from_bytes(self.mem.data[off:off + size], "little")
        pa = self.translate(a, mmu.LOAD, pc, ic)
        self._watch(a, size, mmu.LOAD, pc, ic)
        try:
            v = self.phys_read(pa, size)
        except BusError:
            raise T.Trap(T.LOAD_ACCESS_FAULT, a, pc, ic) from None
        self._fill(self.g["TL"], s64(a), pa, False)
        return v

    def _atomic_store(self: Hart, a: int, size: int, v: int, pc: int, ic: int) -> None:
        a &= M64
        t = self.g["TS"].get(s64(a) >> 12)
        if t is not None:
            off = t + s64(a)
            self.mem.data[off:off + size] = (v & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
            return
        pa = self.translate(a, mmu.STORE, pc, ic)
        self._watch(a, size, mmu.STORE, pc, ic)
        self._atomic_write(pa, size, v, a, pc, ic)
        self._fill(self.g["TS"], s64(a), pa, True)

    def lr(self: Hart, a: int, size: int, pc: int, ic: int) -> int:
        """LR.W/LR.D: load and reserve."""
        self.cur_ic = ic
        a &= M64
        v = self._atomic_load(a, size, pc, ic)
        self.reservation = (a, v, size)
        return sign_extend(v, size)

    def sc(self: Hart, a: int, v: int, size: int, pc: int, ic: int) -> int:
        """SC.W/SC.D: store if the reservation holds (and memory still has the
        reserved value, as QEMU checks); 0 on success, 1 on failure."""
        self.cur_ic = ic
        res = self.reservation
        self.reservation = None
        a &= M64
        if res is None or res[0] != a:
            return 1
        cur = self._atomic_load(a, size, pc, ic)
        ok = cur == res[1] & ((1 << (8 * size)) - 1)
        self._atomic_store(a, size, v if ok else cur, pc, ic)
        return 0 if ok else 1

    def amo(self: Hart, a: int, v: int, size: int, op, pc: int, ic: int) -> int:
        """An AMO: read, apply `op(old, operand, size)`, write; returns old (sign-extended)."""
        mask = (1 << (8 * size)) - 1
        t = self.g["TS"].get(s64(a) >> 12)  # a store-TLB page is readable, dirty, no code
        if t is not None and not a & (size - 1):
            off = t + s64(a)
            data = self.mem.data
            old = int.from_bytes(data[off:off + size], "little")
            data[off:off + size] = (op(old, v & mask, size) & mask).to_bytes(size, "little")
            return sign_extend(old, size)
        self.cur_ic = ic
        old = self._atomic_load(a, size, pc, ic)
        self._atomic_store(a, size, op(old, v & mask, size) & mask, pc, ic)
        return sign_extend(old, size)

    def _atomic_write(self: Hart, pa: int, size: int, v: int, a: int, pc: int, ic: int) -> None:
        try:
            self.phys_write(pa, size, v & ((1 << (8 * size)) - 1))
        except BusError:
            raise T.Trap(T.STORE_ACCESS_FAULT, a, pc, ic) from None
