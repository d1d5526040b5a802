"""Traps: cause numbers, the exceptions that leave a block, and trap entry.

A guest fault is a Python exception only between the helper that detects it
and the hart's dispatch loop: `BlockExit` subclasses carry the pc of the
instruction and the instruction count `ic` at it, the block's except clause
writes its registers back, and the hart takes the trap (`enter_trap`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.hart import Hart

# Exception causes (mcause/scause with the interrupt bit clear).
INSN_ADDR_MISALIGNED = 0
INSN_ACCESS_FAULT = 1
ILLEGAL_INSN = 2
BREAKPOINT = 3
LOAD_ADDR_MISALIGNED = 4
LOAD_ACCESS_FAULT = 5
STORE_ADDR_MISALIGNED = 6
STORE_ACCESS_FAULT = 7
ECALL_U = 8
ECALL_S = 9
ECALL_M = 11
INSN_PAGE_FAULT = 12
LOAD_PAGE_FAULT = 13
STORE_PAGE_FAULT = 15

# Interrupt numbers (mip/mie bits; cause = INTERRUPT | n).
IRQ_S_SOFT = 1
IRQ_M_SOFT = 3
IRQ_S_TIMER = 5
IRQ_M_TIMER = 7
IRQ_S_EXT = 9
IRQ_M_EXT = 11
INTERRUPT = 1 << 63
# Priority order when several are pending and enabled (privileged spec 3.1.9).
IRQ_PRIORITY = (IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER)
S_INTERRUPTS = (1 << IRQ_S_SOFT) | (1 << IRQ_S_TIMER) | (1 << IRQ_S_EXT)
M_INTERRUPTS = (1 << IRQ_M_SOFT) | (1 << IRQ_M_TIMER) | (1 << IRQ_M_EXT)

PRV_U, PRV_S, PRV_M = 0, 1, 3
M64 = 0xFFFFFFFFFFFFFFFF

# mstatus fields
MSTATUS_SIE = 1 << 1
MSTATUS_MIE = 1 << 3
MSTATUS_SPIE = 1 << 5
MSTATUS_MPIE = 1 << 7
MSTATUS_SPP = 1 << 8
MSTATUS_VS = 3 << 9
MSTATUS_MPP_SHIFT = 11
MSTATUS_MPP = 3 << 11
MSTATUS_FS = 3 << 13
MSTATUS_XS = 3 << 15
MSTATUS_MPRV = 1 << 17
MSTATUS_SUM = 1 << 18
MSTATUS_MXR = 1 << 19
MSTATUS_TVM = 1 << 20
MSTATUS_TW = 1 << 21
MSTATUS_TSR = 1 << 22
MSTATUS_UXL = 3 << 32
MSTATUS_SXL = 3 << 34
MSTATUS_GVA = 1 << 38
MSTATUS_MPV = 1 << 39
MSTATUS_SD = 1 << 63


class BlockExit(Exception):
    """Leaves a translated block with precise state at instruction `pc`.

    `ic` is the hart's instruction count at that instruction (those before
    it have retired, it has not).
    """

    def __init__(self, pc: int, ic: int) -> None:
        super().__init__(pc, ic)
        self.pc = pc
        self.ic = ic


class Trap(BlockExit):
    """A synchronous exception raised by the instruction at `pc`."""

    def __init__(self, cause: int, tval: int, pc: int, ic: int) -> None:
        super().__init__(pc, ic)
        self.cause = cause
        self.tval = tval

    def __repr__(self) -> str:
        return f"Trap(cause={self.cause}, tval={self.tval:#x}, pc={self.pc:#x})"


class Resume(BlockExit):
    """The instruction before `pc` completed (a device store that raised an
    interrupt line): leave the block so the interrupt is checked now, at the
    same instruction whatever the translation."""


class WatchHit(BlockExit):
    """The instruction at `pc` is about to access a watched address."""

    def __init__(self, pc: int, ic: int, kind: object, addr: int) -> None:
        super().__init__(pc, ic)
        self.kind = kind
        self.addr = addr


class TrapCaught(Exception):
    """A trap whose cause the debugger catches is about to be taken."""

    def __init__(self, cause: int) -> None:
        super().__init__(cause)
        self.cause = cause


def trap_target(hart: Hart, cause: int) -> int:
    """The privilege level a trap with this mcause value goes to."""
    if hart.priv == PRV_M:
        return PRV_M
    if cause & INTERRUPT:
        deleg = hart.mideleg >> (cause & 63) & 1
    else:
        deleg = hart.medeleg >> cause & 1
    return PRV_S if deleg else PRV_M


def enter_trap(hart: Hart, cause: int, tval: int, pc: int) -> None:
    """Take a trap: update the x* CSRs, privilege and pc (privileged spec 3.1.6-3.1.8).

    The M-mode firmware hook (`hart.m_trap_hook`) sees traps headed for M
    first and may handle them itself.
    """
    if hart.catch_hook is not None:
        if hart.trap_pass:
            hart.trap_pass = False
        elif hart.catch_hook(cause):
            raise TrapCaught(cause)
    target = trap_target(hart, cause)
    hart.reservation = None
    pc &= M64
    tval &= M64
    if target == PRV_M and hart.m_trap_hook is not None:
        hart.pc = pc
        if hart.m_trap_hook(hart, cause, tval):
            hart.context_changed()
            return
    vector = 0
    st = hart.mstatus
    if target == PRV_S:
        hart.sepc = pc
        hart.scause = cause
        hart.stval = tval
        st = (st & ~(MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SIE)) | ((st & MSTATUS_SIE) << 4) \
            | (MSTATUS_SPP if hart.priv else 0)
        base = hart.stvec
    else:
        hart.mepc = pc
        hart.mcause = cause
        hart.mtval = tval
        st = (st & ~(MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MIE)) | ((st & MSTATUS_MIE) << 4) \
            | (hart.priv << MSTATUS_MPP_SHIFT)
        base = hart.mtvec
    if base & 1 and cause & INTERRUPT:
        vector = 4 * (cause & 63)
    hart.mstatus = st
    hart.priv = target
    hart.pc = (base & ~3) + vector  # (the property stores it in the engine's signed form)
    hart.context_changed()


def pending_interrupt(hart: Hart) -> int | None:
    """The interrupt to take now (its mcause value), or None."""
    pend = hart.mip_value() & hart.mie
    if not pend:
        return None
    priv = hart.priv
    m_on = priv < PRV_M or hart.mstatus & MSTATUS_MIE
    s_on = priv < PRV_S or (priv == PRV_S and hart.mstatus & MSTATUS_SIE)
    m_pend = pend & ~hart.mideleg
    s_pend = pend & hart.mideleg
    for irq in IRQ_PRIORITY:
        bit = 1 << irq
        if m_pend & bit and m_on:
            return INTERRUPT | irq
    if priv <= PRV_S:
        for irq in IRQ_PRIORITY:
            if s_pend & (1 << irq) and s_on:
                return INTERRUPT | irq
    return None
