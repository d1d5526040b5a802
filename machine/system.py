"""A hart's system instructions: CSR access, xRET, WFI, fences, ECALL/EBREAK.

Each is a helper the translated code calls with the instruction's raw bits
(for an illegal-instruction tval), its pc and the instruction count; they
end the block, and those that change privilege, translation or interrupt
state poke the hart (`context_changed`) so the dispatch loop re-reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trapscope.machine import csr as C
from trapscope.machine import trap as T
from trapscope.machine.word import M64, s64

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.hart import Hart


class HartSystem:
    """Mixin of `Hart`: privileged and CSR instruction helpers."""

    def raise_illegal(self: Hart, word: int, pc: int, ic: int) -> None:
        raise T.Trap(T.ILLEGAL_INSN, word, pc, ic)

    # -- Zicsr ---------------------------------------------------------------
    def _csr(self: Hart, num: int, write: bool, word: int, pc: int, ic: int) -> C.CsrDef:
        self.cur_ic = ic
        d = C.check_access(self, num, write)
        if d is None:
            raise T.Trap(T.ILLEGAL_INSN, word, pc, ic)
        return d

    def csr_rw(self: Hart, num: int, value: int, read: bool, word: int, pc: int, ic: int) -> int:
        """CSRRW/CSRRWI: read (unless rd is x0), then write `value`."""
        d = self._csr(num, True, word, pc, ic)
        old = d.read(self) if read else 0
        if d.write is not None:
            d.write(self, value & M64)
        return s64(old)

    def csr_rs(self: Hart, num: int, mask: int, write: bool, word: int, pc: int, ic: int) -> int:
        """CSRRS/CSRRSI: read, then set the bits of `mask` (no write for x0/0)."""
        d = self._csr(num, write, word, pc, ic)
        old = d.read(self)
        if write and d.write is not None:
            d.write(self, (old | mask) & M64)
        return s64(old)

    def csr_rc(self: Hart, num: int, mask: int, write: bool, word: int, pc: int, ic: int) -> int:
        """CSRRC/CSRRCI: read, then clear the bits of `mask` (no write for x0/0)."""
        d = self._csr(num, write, word, pc, ic)
        old = d.read(self)
        if write and d.write is not None:
            d.write(self, old & ~mask & M64)
        return s64(old)

    def frm_rm(self: Hart, word: int, pc: int, ic: int) -> int:
        """The dynamic rounding mode; an invalid frm makes the instruction illegal."""
        if self.frm > 4:
            raise T.Trap(T.ILLEGAL_INSN, word, pc, ic)
        return self.frm

    # -- traps ---------------------------------------------------------------
    def _take(self: Hart, cause: int, pc: int, ic: int) -> int:
        """Take a trap raised by an ECALL/EBREAK at `pc` without leaving the block
        by an exception (the block has written its registers back); returns the new pc."""
        if self.catch_hook is not None:
            raise T.Trap(cause, 0, pc, ic)  # a debugger may stop before it: the precise path
        self.cur_ic = ic
        self.faults += 1
        self.time_off += 1
        self.lim -= 1  # the trap uses a step of the budget the dispatch loop is running to
        T.enter_trap(self, cause, 0, pc)
        return self._pc

    def ecall(self: Hart, pc: int, ic: int) -> int:
        return self._take(T.ECALL_U + self.priv, pc, ic)

    def ebreak(self: Hart, pc: int, ic: int) -> int:
        return self._take(T.BREAKPOINT, pc, ic)

    def mret(self: Hart, word: int, pc: int, ic: int) -> int:
        """MRET: privilege from MPP, MIE from MPIE (privileged spec 3.3.2)."""
        if self.priv < T.PRV_M:
            raise T.Trap(T.ILLEGAL_INSN, word, pc, ic)
        st = self.mstatus
        prev = (st >> T.MSTATUS_MPP_SHIFT) & 3
        if prev != T.PRV_M and not self.pmp_rules():
            # QEMU 7.2: with PMP present but no rule set, S/U can access nothing.
            raise T.Trap(T.INSN_ACCESS_FAULT, 0, pc, ic)
        st = (st & ~(T.MSTATUS_MIE | T.MSTATUS_MPP)) | ((st & T.MSTATUS_MPIE) >> 4) | T.MSTATUS_MPIE
        if prev != T.PRV_M:
            st &= ~T.MSTATUS_MPRV
        self.mstatus = st
        self.priv = prev
        self.reservation = None
        self.context_changed()
        return s64(self.mepc)

    def sret(self: Hart, word: int, pc: int, ic: int) -> int:
        """SRET: privilege from SPP, SIE from SPIE; TSR makes it illegal in S-mode."""
        if self.priv < T.PRV_S or (self.priv == T.PRV_S and self.mstatus & T.MSTATUS_TSR):
            raise T.Trap(T.ILLEGAL_INSN, word, pc, ic)
        st = self.mstatus
        prev = T.PRV_S if st & T.MSTATUS_SPP else T.PRV_U
        st = (st & ~(T.MSTATUS_SIE | T.MSTATUS_SPP | T.MSTATUS_MPRV)) \
            | ((st & T.MSTATUS_SPIE) >> 4) | T.MSTATUS_SPIE
        self.mstatus = st
        self.priv = prev
        self.reservation = None
        self.context_changed()
        return s64(self.sepc)

    def wfi(self: Hart, word: int, pc: int, npc: int, ic: int) -> int:
        """WFI: illegal in U-mode, and in S-mode when TW is set; else wait."""
        if self.priv == T.PRV_U or (self.priv == T.PRV_S and self.mstatus & T.MSTATUS_TW):
            raise T.Trap(T.ILLEGAL_INSN, word, pc, ic)
        if not self.mip_value() & self.mie:
            self.waiting = True
            self.lim = 0
        return npc

    # -- fences --------------------------------------------------------------
    def sfence_vma(self: Hart, rs1: int, rs2: int, word: int, pc: int, npc: int, ic: int) -> int:
        """SFENCE.VMA: illegal in U-mode and under TVM; drops all cached translations."""
        if self.priv == T.PRV_U or (self.priv == T.PRV_S and self.mstatus & T.MSTATUS_TVM):
            raise T.Trap(T.ILLEGAL_INSN, word, pc, ic)
        self.sfence()
        return npc

    def fence_i(self: Hart, npc: int) -> int:
        """FENCE.I: drop this hart's translated blocks."""
        self.flush_code()
        return npc
