"""The PLIC (SiFive platform-level interrupt controller) as QEMU `virt` has it.

Register map (riscv-plic-spec, QEMU's `sifive_plic` with the virt layout):
  0x000000 + 4*src        priority of source `src` (1..num_sources-1; 3 bits)
  0x001000 + 4*word       pending bits (read-only)
  0x002000 + 0x80*ctx     enable bits of context `ctx`
  0x200000 + 0x1000*ctx   threshold of `ctx`; +4 claim (read) / complete (write)
There are two contexts per hart, M then S ("MS" in QEMU's hart config), so
context 2*h drives hart h's MEIP and 2*h+1 its SEIP.

Sources are level-triggered through a gateway: a source that is asserted
becomes pending unless it is already claimed; claiming clears its pending
bit; completing it lets a still-asserted source become pending again.
A context's line is high while some enabled pending source has a priority
above the context's threshold. Only 4-byte accesses are accepted, as in
QEMU; anything else faults.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from trapscope.machine.bus import BusError, Device

PRIORITY_BASE = 0x0
PENDING_BASE = 0x1000
ENABLE_BASE = 0x2000
ENABLE_STRIDE = 0x80
CONTEXT_BASE = 0x20_0000
CONTEXT_STRIDE = 0x1000
MEIP_BIT = 11
SEIP_BIT = 9


def hart_contexts(harts: Sequence[Any]) -> List[Tuple[Any, int]]:
    """The (hart, mip bit) of each context in QEMU virt's order: M then S per hart."""
    out: List[Tuple[Any, int]] = []
    for hart in harts:
        out += [(hart, MEIP_BIT), (hart, SEIP_BIT)]
    return out


class Plic(Device):
    """Priorities, pending and enable bits, thresholds, claim/complete."""

    name = "plic"

    def __init__(self, base: int, size: int, num_sources: int, num_priorities: int,
                 contexts: Sequence[Tuple[Any, int]]) -> None:
        super().__init__(base, size)
        self.num_sources = num_sources
        self.priority_mask = num_priorities
        self.contexts = list(contexts)
        self.words = (num_sources + 31) // 32
        self.reset()

    def reset(self) -> None:
        n = self.num_sources
        self.priority = [0] * n
        self.level = [False] * n
        self.pending = [False] * n
        self.claimed = [False] * n
        self.enable = [[0] * self.words for _ in self.contexts]
        self.threshold = [0] * len(self.contexts)
        self._outputs = [False] * len(self.contexts)
        for hart, bit in self.contexts:
            hart.set_irq(bit, False)

    # -- the device side --------------------------------------------------
    def set_source(self, src: int, level: bool) -> None:
        """Drive source `src` (1..num_sources-1) high or low."""
        if not 0 < src < self.num_sources:
            return
        self.level[src] = bool(level)
        if level and not self.claimed[src]:
            self.pending[src] = True
        self._update()

    def line(self, src: int):
        """A callable for an `IrqLine` that drives source `src`."""
        return lambda level: self.set_source(src, level)

    # -- the hart side ----------------------------------------------------
    def _enabled(self, ctx: int, src: int) -> bool:
        return bool(self.enable[ctx][src >> 5] >> (src & 31) & 1)

    def best(self, ctx: int) -> int:
        """The source a claim on `ctx` would return now (0 for none)."""
        best, best_prio = 0, self.threshold[ctx]
        for src in range(1, self.num_sources):
            prio = self.priority[src]
            if self.pending[src] and prio > best_prio and self._enabled(ctx, src):
                best, best_prio = src, prio
        return best

    def _update(self) -> None:
        for ctx, (hart, bit) in enumerate(self.contexts):
            level = self.best(ctx) != 0
            if level != self._outputs[ctx]:
                self._outputs[ctx] = level
                hart.set_irq(bit, level)

    def claim(self, ctx: int) -> int:
        """Claim the best pending source of a context (0 when none)."""
        src = self.best(ctx)
        if src:
            self.pending[src] = False
            self.claimed[src] = True
            self._update()
        return src

    def complete(self, ctx: int, src: int) -> None:
        """Complete a claimed source; QEMU ignores ids the context has not enabled."""
        if not 0 < src < self.num_sources or not self._enabled(ctx, src):
            return
        self.claimed[src] = False
        if self.level[src]:
            self.pending[src] = True
        self._update()

    # -- registers --------------------------------------------------------
    def read(self, offset: int, size: int) -> int:
        if size != 4:
            raise BusError(self.base + offset, size, False)
        if offset & 3:
            return 0
        if offset < PENDING_BASE:
            src = offset >> 2
            return self.priority[src] if src < self.num_sources else 0
        if offset < ENABLE_BASE:
            word = (offset - PENDING_BASE) >> 2
            return self._pending_word(word) if word < self.words else 0
        if offset < CONTEXT_BASE:
            ctx, word = divmod(offset - ENABLE_BASE, ENABLE_STRIDE)
            word >>= 2
            return self.enable[ctx][word] if ctx < len(self.contexts) and word < self.words else 0
        ctx, reg = divmod(offset - CONTEXT_BASE, CONTEXT_STRIDE)
        if ctx >= len(self.contexts):
            return 0
        if reg == 0:
            return self.threshold[ctx]
        return self.claim(ctx) if reg == 4 else 0

    def _pending_word(self, word: int) -> int:
        value = 0
        for bit in range(32):
            src = word * 32 + bit
            if src < self.num_sources and self.pending[src]:
                value |= 1 << bit
        return value

    def write(self, offset: int, size: int, value: int) -> None:
        if size != 4:
            raise BusError(self.base + offset, size, True)
        if offset & 3 or PENDING_BASE <= offset < ENABLE_BASE:
            return
        if offset < PENDING_BASE:
            src = offset >> 2
            if 0 < src < self.num_sources:
                self.priority[src] = value & self.priority_mask
        elif offset < CONTEXT_BASE:
            ctx, word = divmod(offset - ENABLE_BASE, ENABLE_STRIDE)
            word >>= 2
            if ctx < len(self.contexts) and word < self.words:
                self.enable[ctx][word] = value & 0xFFFFFFFE if word == 0 else value & 0xFFFFFFFF
        else:
            ctx, reg = divmod(offset - CONTEXT_BASE, CONTEXT_STRIDE)
            if ctx >= len(self.contexts):
                return
            if reg == 0 and value <= self.priority_mask:
                self.threshold[ctx] = value
            elif reg == 4:
                self.complete(ctx, value)
                return
        self._update()
