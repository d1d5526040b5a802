"""A RV64IMAFDC hart: architectural state, the dispatch loop, interrupts and timers.

Execution runs translated blocks (`codecache.build`, `translate`) from a
per-fetch-context dict (virtual pc -> function). The dispatch loop runs
until the instruction count `ic` reaches `lim`; anything that changes what
the loop depends on (privilege, translation, interrupt state, a device
line, a timer, a halt request) sets `lim = 0`, and the outer loop (`run`)
re-reads the state, takes a pending interrupt and goes on.

Contract (docs/development.md, "machine core"): `Hart(hartid, bus, sched)`,
`x`, `f`, `pc`, `priv`, `csr_read`, `csr_write`, `set_irq`, `mtimecmp`,
`m_trap_hook`, `started`, `reset(pc)`.
"""

from __future__ import annotations

import builtins
import struct
import types
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Set, Tuple

from trapscope.machine import codecache
from trapscope.machine import csr as C
from trapscope.machine import trap as T
from trapscope.machine.access import HartAccess
from trapscope.machine.bus import Bus, Memory
from trapscope.machine.debug import Stop, StopReason
from trapscope.machine.fpu_api import FPU_NAMES
from trapscope.machine.isa import rv64a, rv64m
from trapscope.machine.isa.table import INTERP
from trapscope.machine.system import HartSystem
from trapscope.machine.word import MAX64, s64

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.sched import Scheduler

M64 = 0xFFFFFFFFFFFFFFFF
NEVER = 1 << 80
MTIP = 1 << T.IRQ_M_TIMER
STIP = 1 << T.IRQ_S_TIMER


def wrap64(v: int) -> int:
    """Wrap an integer result into the signed 64-bit range (the rare path of `w64`)."""
    v &= 0xFFFFFFFFFFFFFFFF
    return v - 0x10000000000000000 if v > MAX64 else v


class RegFile:
    """`Hart.x`: the integer registers as unsigned values (the engine keeps them signed)."""

    __slots__ = ("_xs",)

    def __init__(self, xs: List[int]) -> None:
        self._xs = xs

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [v & 0xFFFFFFFFFFFFFFFF for v in self._xs[i]]
        return self._xs[i] & 0xFFFFFFFFFFFFFFFF

    def __setitem__(self, i: int, value: int) -> None:
        if i:
            self._xs[i] = s64(value)

    def __len__(self) -> int:
        return 32

    def __iter__(self):
        return (v & 0xFFFFFFFFFFFFFFFF for v in self._xs)


class RamView:
    """The main RAM as the fast paths see it: a bytearray and memoryview casts."""

    def __init__(self, mem: Memory | None) -> None:
        self.mem = mem
        self.base = mem.base if mem else 0
        self.size = mem.size if mem else 0
        self.data = mem.data if mem else bytearray(8)
        mv = memoryview(self.data)
        self.b, self.h, self.hs = mv.cast("b"), mv.cast("H"), mv.cast("h")
        self.i, self.is_, self.q, self.qs = mv.cast("I"), mv.cast("i"), mv.cast("Q"), mv.cast("q")
        self._views = (mv, self.b, self.h, self.hs, self.i, self.is_, self.q, self.qs)

    def release(self) -> None:
        """Let go of the RAM (the views become unusable), so its memory can be unmapped."""
        for view in reversed(self._views):
            view.release()


def main_ram(bus: Bus) -> Memory | None:
    """The RAM the fast paths use: the writable memory at 0x8000_0000, else the largest."""
    rams = [m for m in bus.memories if m.writable]
    for m in rams:
        if m.base <= 0x80000000 < m.base + m.size:
            return m
    return max(rams, key=lambda m: m.size) if rams else None


class Hart(HartAccess, HartSystem):
    """One hardware thread. See the module docstring for the contract."""

    def __init__(self, hartid: int, bus: Bus, sched: Scheduler) -> None:
        self.hartid = hartid
        self.bus = bus
        self.sched = sched
        self.xs: List[int] = [0] * 32  # the engine's (signed) registers
        self.x = RegFile(self.xs)
        self.f: List[int] = [0] * 32
        self._pc = 0  # signed, like the registers
        self.priv = T.PRV_M
        self.started = True
        self.waiting = False
        self.m_trap_hook: Callable[[Hart, int, int], bool] | None = None
        self.catch_hook: Callable[[int], bool] | None = None
        self.trap_pass = False
        self.watch_suppressed = False
        self.ic = 0  # instructions retired, ever
        self.faults = 0  # exceptions taken, ever (each also costs one tick of time)
        self.cur_ic = 0  # the count at the instruction now executing (for time, counters)
        self.time_off = 0  # mtime seen by this hart = count + time_off
        self.lim = 0
        self.code = sched.code
        self.dbg = sched.dbg
        self.mem = RamView(None)
        self._mem_bound = False
        self.g: Dict[str, Any] = {}
        self._ctx: Dict[Any, Tuple[dict, dict]] = {}
        self._itlbs: Dict[Any, dict] = {}  # per fetch context: virtual page -> physical page
        # physical pages this hart's cached translations were read from (page
        # tables) -> the address spaces (satp values) they served; the first
        # write to one flushes those spaces (CodeCache.invalidate)
        self.pt_pages: Dict[int, Set[int]] = {}
        # physical page -> the store-TLB entries that map it (possibly stale)
        self.store_index: Dict[int, List[Tuple[dict, int]]] = {}
        self._contexts: Dict[Any, Tuple[dict, dict, dict, dict]] = {}
        self._tlbs: Dict[Any, Tuple[dict, dict]] = {}
        self.blocks: dict = {}
        self.singles: dict = {}
        self._init_csrs()
        self._init_inputs()
        self._init_globals()
        sched.add_hart(self)
        self.code.attach(self)
        self.context_changed()

    # -- state ---------------------------------------------------------------
    def _init_csrs(self) -> None:
        self.mstatus = C.MSTATUS_RESET
        self.medeleg = self.mideleg = self.mie = self.mip_sw = 0
        self.mtvec = self.stvec = self.mepc = self.sepc = 0
        self.mcause = self.scause = self.mtval = self.stval = 0
        self.mscratch = self.sscratch = self.satp = 0
        self.mcounteren = self.scounteren = self.mcountinhibit = 0
        self.menvcfg = self.senvcfg = 0
        self.fflags = self.frm = 0
        self.pmpcfg = [0, 0]
        self.pmpaddr = [0] * C.PMP_ENTRIES
        self.mhpmcounter = [0] * 32
        self.mhpmevent = [0] * 32
        self.tselect = 0
        self.tdata = [C.TDATA1_RESET, 0, 0]
        self.vstimecmp = 0
        self.counter_base = [0, 0, 0]  # mcycle, (time), minstret: value = count - base
        self.counter_frozen: List[int | None] = [None, None, None]
        self.stimecmp = 0
        self.stimer_armed = False
        self.reservation: Tuple[int, int, int] | None = None

    def _init_inputs(self) -> None:
        """What devices drive into the hart, which its own reset leaves alone: the
        interrupt lines (MSIP, MEIP, SEIP; MTIP follows the CLINT's mtimecmp)."""
        self.lines = 0
        self._mtimecmp = 0
        self.mtimer_armed = True  # as QEMU's CLINT: mtimecmp = 0 at power-on, so MTIP is pending

    def _init_globals(self) -> None:
        g = self.g
        g["__builtins__"] = builtins
        g.update(rv64m.RUNTIME)
        g.update(rv64a.RUNTIME)
        g.update(FPU_NAMES)
        g.update(h=self, X=self.xs, F=self.f, TL={}, TS={}, BlockExit=T.BlockExit,
                 step1=self.step1, wrap64=wrap64, s64=s64)
        for fmt in "bHhIiQq":  # struct access to RAM (what PyPy's translations use)
            st = struct.Struct("<" + fmt)
            g["L" + fmt], g["S" + fmt] = st.unpack_from, st.pack_into
        for name in ("ld_slow", "st_slow", "raise_illegal", "csr_rw", "csr_rs", "csr_rc", "lr",
                     "sc", "amo", "mret", "sret", "wfi", "sfence_vma", "fence_i", "ecall",
                     "ebreak", "frm_rm"):
            g[name] = getattr(self, name)
        # the interpreter functions of every instruction kind (cold code, single steps)
        self.interp = {name: types.FunctionType(code, g) for name, code in INTERP.items()}  # type: ignore[arg-type]
        self._bind_views()

    def _bind_views(self) -> None:
        m = self.mem
        self.g.update(RAM=m.data, MB=m.b, MH=m.h, Mh=m.hs, MI=m.i, Mi=m.is_, MQ=m.q, Mq=m.qs)

    def bind_memory(self) -> None:
        """Find the main RAM on the bus (done once, before running)."""
        if self._mem_bound:
            return
        self.mem = self.sched.ram_view(self.bus)
        self._mem_bound = True
        self._bind_views()
        self.flush_translations()

    def reset(self, pc: int) -> None:
        """The hart's reset: M-mode at `pc`, registers and CSRs (counters too) cleared.

        The interrupt lines devices drive and the CLINT's `mtimecmp` are the
        devices' state, not the hart's: a line still asserted stays pending
        (the CLINT's own reset clears `mtimecmp`).
        """
        self.xs[:] = [0] * 32
        self.f[:] = [0] * 32
        self._init_csrs()
        self.counter_base = [self.ic, 0, self.ic]
        self._pc = s64(pc)
        self.priv = T.PRV_M
        self.waiting = False
        self.trap_pass = False
        self.flush_code()
        self.flush_translations()

    def close(self) -> None:
        """The hart will not run again: drop its translated code, TLBs, hooks and the
        engine's globals, which all refer back to it (so refcounting can free it)."""
        self.g.clear()
        self.interp = {}
        for d in (self._ctx, self._itlbs, self._contexts, self._tlbs, self.pt_pages,
                  self.store_index):
            d.clear()
        self.blocks, self.singles, self.itlb = {}, {}, {}
        self.m_trap_hook = self.catch_hook = None
        self.mem = RamView(None)

    @property
    def pc(self) -> int:
        """The program counter (unsigned)."""
        return self._pc & 0xFFFFFFFFFFFFFFFF

    @pc.setter
    def pc(self, value: int) -> None:
        self._pc = s64(value)

    # -- CSR access for devices and firmware (no privilege checks) -------------------
    def csr_read(self, num: int) -> int:
        """A CSR's value (KeyError if it does not exist)."""
        return C.CSRS[num].read(self)

    def csr_write(self, num: int, value: int) -> None:
        """Write a CSR with its WARL rules (KeyError if it does not exist)."""
        w = C.CSRS[num].write
        if w is not None:
            w(self, value & M64)

    # -- counters ------------------------------------------------------------
    def read_counter(self, i: int) -> int:
        frozen = self.counter_frozen[i]
        return frozen if frozen is not None else (self.cur_ic - self.counter_base[i]) & M64

    def write_counter(self, i: int, v: int) -> None:
        if self.counter_frozen[i] is not None:
            self.counter_frozen[i] = v & M64
        else:
            self.counter_base[i] = self.cur_ic - v

    def set_countinhibit(self, v: int) -> None:
        for i in (0, 2):
            if v >> i & 1 and self.counter_frozen[i] is None:
                self.counter_frozen[i] = self.read_counter(i)
            elif not v >> i & 1 and self.counter_frozen[i] is not None:
                self.counter_base[i] = self.cur_ic - self.counter_frozen[i]
                self.counter_frozen[i] = None
        self.mcountinhibit = v

    def time_now(self) -> int:
        """mtime as this hart sees it now."""
        return (self.cur_ic + self.time_off) & M64

    def pmp_rules(self) -> int:
        """How many PMP entries are active (A != OFF)."""
        return sum(1 for cfg in self.pmpcfg for b in range(8) if (cfg >> (8 * b + 3)) & 3)

    # -- interrupts and timers -------------------------------------------------
    def mip_value(self) -> int:
        """mip: software-set bits or'ed with device lines and timers."""
        return self.mip_sw | self.lines

    def set_irq(self, bit: int, level: bool) -> None:
        """Drive an interrupt line (a mip bit number) high or low."""
        old = self.lines
        self.lines = old | (1 << bit) if level else old & ~(1 << bit)
        if self.lines != old:
            self.lim = 0

    @property
    def stce(self) -> bool:
        return bool(self.menvcfg & C.MENVCFG_STCE)

    @property
    def mtimecmp(self) -> int:
        """The CLINT's mtimecmp for this hart; MTIP = mtime >= mtimecmp."""
        return self._mtimecmp

    @mtimecmp.setter
    def mtimecmp(self, value: int) -> None:
        self._mtimecmp = value & M64
        self.mtimer_armed = True
        self.timers()
        self.lim = 0

    def timers_changed(self) -> None:
        """stimecmp was written: STIP is cleared now if the new compare is still
        ahead (and raised when it passes), as QEMU 7.2 does; it is not held low
        afterwards, so with menvcfg.STCE clear M-mode can set STIP again."""
        self.stimer_armed = True
        if self.cur_ic + self.time_off < self.stimecmp:
            self.mip_sw &= ~STIP
        self.timers()
        self.lim = 0

    def timers(self) -> int:
        """Raise/lower MTIP and STIP from the time; returns the next deadline (as a count)."""
        now = self.cur_ic + self.time_off
        deadline = NEVER
        if self.mtimer_armed:
            if now >= self._mtimecmp:
                self.lines |= MTIP
                self.mtimer_armed = False
            else:
                self.lines &= ~MTIP
                deadline = self._mtimecmp - self.time_off
        if self.stimer_armed:
            if now >= self.stimecmp:
                self.mip_sw |= STIP
                self.stimer_armed = False
            else:
                deadline = min(deadline, self.stimecmp - self.time_off)
        return deadline

    def next_deadline(self) -> int | None:
        """The mtime at which this hart's next armed timer fires, if any."""
        times = [t for t, armed in ((self._mtimecmp, self.mtimer_armed),
                                    (self.stimecmp, self.stimer_armed)) if armed]
        return min(times) if times else None

    def wakeable(self) -> bool:
        """Whether an interrupt is pending and enabled in mie (what ends WFI)."""
        return bool(self.mip_value() & self.mie)

    # -- contexts ------------------------------------------------------------
    _CTX_BITS = T.MSTATUS_MPRV | T.MSTATUS_MPP | T.MSTATUS_SUM | T.MSTATUS_MXR
    MAX_SPACES = 64  # address spaces (satp values) whose caches are kept

    def context_changed(self) -> None:
        """Privilege or mstatus changed: pick the block dicts and TLBs, re-check interrupts."""
        paging = self.satp >> 60 == C.SATP_MODE_SV39
        key = (self.priv, self.mstatus & self._CTX_BITS, self.satp if paging else 0)
        ctx = self._contexts.get(key)
        if ctx is None:
            if len(self._ctx) > self.MAX_SPACES:
                self._forget_spaces()
            ctx = self._contexts[key] = self._context(paging)
        self.blocks, self.singles, tl, ts, self.itlb = ctx
        g = self.g
        if g["TL"] is not tl:
            g["TL"] = tl
            g["TS"] = ts
        # The dispatch loop reads self.blocks afresh; it only needs to stop and
        # re-check interrupts when one is pending and enabled in mie.
        if self.mip_value() & self.mie:
            self.lim = 0

    def _context(self, paging: bool) -> Tuple[dict, dict, dict, dict, dict]:
        """(blocks, singles, load TLB, store TLB) for the privilege, mstatus and address space.

        Paged caches are kept per satp value, so switching address spaces
        keeps every space's translations.
        """
        fkey: Any = ("sv39", self.priv, self.satp) if paging and self.priv != T.PRV_M else "bare"
        pair = self._ctx.get(fkey)
        if pair is None:
            pair = self._ctx[fkey] = ({}, {})
            self._itlbs[fkey] = {}
        dpriv = self.data_priv()
        dkey: Any = "bare"
        if paging and dpriv != T.PRV_M:
            dkey = (self.satp, dpriv, bool(self.mstatus & T.MSTATUS_SUM),
                    bool(self.mstatus & T.MSTATUS_MXR))
        tl = self._tlbs.get(dkey)
        if tl is None:
            tl = self._tlbs[dkey] = ({}, {})
        return pair[0], pair[1], tl[0], tl[1], self._itlbs[fkey]

    def _forget_spaces(self) -> None:
        """Drop the caches of every address space (too many of them)."""
        for d in (self._ctx, self._tlbs, self._itlbs):
            for key in [k for k in d if k != "bare"]:
                del d[key]
        self._contexts.clear()

    def flush_translations(self) -> None:
        """Forget translated addresses and paged blocks of every address space
        (a remote SFENCE.VMA; see `sfence` for the hart's own)."""
        for key, (blocks, singles) in self._ctx.items():
            if key != "bare":
                blocks.clear()
                singles.clear()
        for tl, ts in self._tlbs.values():
            tl.clear()
            ts.clear()
        self.store_index.clear()
        for itlb in self._itlbs.values():
            itlb.clear()
        for ppn in self.pt_pages:
            self.code.pt_unref(ppn)
        self.pt_pages.clear()
        self.context_changed()

    def sfence(self) -> None:
        """SFENCE.VMA or a satp write: the cached translations are still valid
        (a write to a page table they came from has already flushed them)."""
        self.context_changed()

    def flush_spaces(self, spaces: Set[int]) -> None:
        """Forget the cached translations of these address spaces (satp values)."""
        for key, (blocks, singles) in self._ctx.items():
            if key != "bare" and key[2] in spaces:
                blocks.clear()
                singles.clear()
                self._itlbs[key].clear()
        for key, (tl, ts) in self._tlbs.items():
            if key != "bare" and key[0] in spaces:
                tl.clear()
                ts.clear()
        for ppn in list(self.pt_pages):
            left = self.pt_pages[ppn] - spaces
            if left:
                self.pt_pages[ppn] = left
            else:
                del self.pt_pages[ppn]
                self.code.pt_unref(ppn)

    def flush_code(self) -> None:
        """Forget every translated block of this hart (FENCE.I, remote fences)."""
        for blocks, singles in self._ctx.values():
            blocks.clear()
            singles.clear()
        self.lim = 0

    def drop_store_page(self, ppn: int) -> None:
        """A physical page now holds translated code or a page table: its stores go slow."""
        base = self.mem.base
        for ts, vpn in self.store_index.pop(ppn, ()):
            t = ts.get(vpn)
            if t is not None and (base + t + (vpn << 12)) >> 12 == ppn:
                del ts[vpn]

    def drop_store_tlbs(self) -> None:
        """Forget every store-TLB entry (and their index)."""
        for _, ts in self._tlbs.values():
            ts.clear()
        self.store_index.clear()

    def drop_virtual_page(self, vpn: int) -> None:
        """Forget the TLB entries of one virtual page (watchpoints)."""
        for tl, ts in self._tlbs.values():
            tl.pop(vpn, None)
            ts.pop(vpn, None)

    # -- execution -----------------------------------------------------------
    @property
    def steps(self) -> int:
        """Instructions retired plus exceptions taken: what run budgets count."""
        return self.ic + self.faults

    def run(self, until: int) -> Stop | None:
        """Execute until `steps` reaches `until`, the hart waits in WFI, or a debug stop.

        The inner loop runs blocks until `lim`; a poke (lim = 0) comes back
        here to re-check timers, interrupts and halts, then goes on.
        """
        self.bind_memory()
        sched = self.sched
        build = codecache.build
        while self.ic + self.faults < until and not self.waiting:
            self.cur_ic = self.ic
            self.lim = min(until - self.faults, self.timers())
            if self.mip_value() & self.mie:
                cause = T.pending_interrupt(self)
                if cause is not None:
                    try:
                        T.enter_trap(self, cause, 0, self._pc)
                    except T.TrapCaught as e:
                        return self._stop(StopReason.TRAP, cause=e.cause)
            if sched.halt_requested or sched.exit_code is not None:
                return None
            if self.lim <= self.ic:
                # Taking it poked the hart (lim = 0): the firmware hook, or the new
                # privilege, left an interrupt pending that may be taken now.
                continue
            if self.dbg.active:
                stop = self._dispatch_debug()
                if stop is not None:
                    return stop
                continue
            pc = self._pc
            ic = self.ic
            try:
                while True:
                    lim = self.lim
                    if ic >= lim:
                        break
                    try:
                        fn = self.blocks[pc]  # (a trap or xRET may have switched it)
                    except KeyError:
                        fn = build(self, pc, ic, False)[0]
                    pc, n = fn(ic, lim)
                    ic += n
            except T.BlockExit as e:
                stop = self._exit(e)
                if stop is not None:
                    return stop
                continue
            self._pc = pc
            self.ic = self.cur_ic = ic
        return None

    def _dispatch_debug(self) -> Stop | None:
        dbg = self.dbg
        pc = self._pc
        ic = self.ic
        build = codecache.build
        try:
            while True:
                lim = self.lim
                if ic >= lim:
                    break
                if (pc >> 12) in dbg.bp_pages:
                    kind = dbg.breakpoint_at(pc)
                    if kind is not None and pc != self.resume_pc:
                        self._pc, self.ic = pc, ic
                        return self._stop(kind)
                    fn = self.singles.get(pc) or build(self, pc, ic, True)[0]
                else:
                    fn = self.blocks.get(pc) or build(self, pc, ic, False)[0]
                self.resume_pc = None
                pc, n = fn(ic, lim)
                ic += n
        except T.BlockExit as e:
            self.resume_pc = None
            return self._exit(e)
        self._pc = pc
        self.ic = self.cur_ic = ic
        return None

    resume_pc: int | None = None

    def _exit(self, e: T.BlockExit) -> Stop | None:
        """A block left early: take its trap, or report a watchpoint."""
        self._pc, self.ic, self.cur_ic = s64(e.pc), e.ic, e.ic
        if isinstance(e, T.Resume):
            return None
        if isinstance(e, T.Trap):
            self.faults += 1
            self.time_off += 1
            try:
                T.enter_trap(self, e.cause, e.tval, e.pc)
            except T.TrapCaught as c:
                return self._stop(StopReason.TRAP, cause=c.cause)
            return None
        assert isinstance(e, T.WatchHit)
        self.watch_suppressed = True
        try:
            self.step_insn()
        finally:
            self.watch_suppressed = False
        return self._stop(StopReason.WATCHPOINT, watch=e.kind, addr=e.addr)

    def _stop(self, reason: StopReason, **kw) -> Stop:
        if reason is StopReason.TRAP:
            self.trap_pass = True
        return Stop(reason, self.hartid, self.pc, **kw)

    def step1(self, pc: int, ic: int) -> Tuple[int, int]:
        """Run one instruction at `pc` (a block longer than the budget left)."""
        fn = self.singles.get(pc) or codecache.build(self, pc, ic, True)[0]
        return fn(ic, NEVER)

    def step_insn(self) -> Stop | None:
        """Execute exactly one instruction (or take the trap it raises); no interrupts."""
        self.bind_memory()
        self.cur_ic = self.ic
        self.timers()
        try:
            fn = self.singles.get(self._pc) or codecache.build(self, self._pc, self.ic, True)[0]
            self._pc, n = fn(self.ic, NEVER)
            self.ic = self.cur_ic = self.ic + n
        except T.BlockExit as e:
            return self._exit(e)
        return None
