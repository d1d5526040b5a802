"""The built-in SBI firmware (RISC-V SBI v2.0), run as the harts' M-mode trap hook.

Nothing executes in M-mode: `Sbi.trap` is every hart's `m_trap_hook`, so an
`ecall` from S-mode is answered in Python and the hart carries on at the
next instruction, and the M timer interrupt is turned into STIP the way
OpenSBI does (set STIP, mask MTIE; `set_timer` clears STIP, programs
`mtimecmp` and unmasks MTIE).

Extensions: BASE, TIME, IPI (sets SSIP on the targets), RFENCE (remote
fence.i / sfence.vma flush the targets' translations), HSM (all harts but
the boot hart start stopped; suspend wakes at once, as a spurious wakeup
may), SRST, DBCN, and the legacy calls 0x00-0x08 (their hart-mask
pointer is read as a physical address).
Calls follow the SBI calling convention: a7 = extension id, a6 = function
id, a0..a5 arguments; a0 = error, a1 = value on return (legacy calls only
set a0).

Before handing over, each hart gets the M-mode state OpenSBI's
`mstatus_init`/`sbi_hart_switch_mode` leave: mstatus.FS set, mcounteren all
ones, scounteren = 7, PMP region 0 open, menvcfg 0, mie 0, satp 0, stvec
= the entry point. One difference: exceptions OpenSBI would bounce back to
S-mode itself (illegal instruction, misaligned and access faults) are
delegated directly in medeleg, so S-mode sees the same trap either way.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence, Tuple

from trapscope.machine import trap as T
from trapscope.machine.bus import Bus, BusError
from trapscope.machine.csr import CSRS

SPEC_VERSION = (2 << 24) | 0  # v2.0
IMPL_ID = 0x7473  # "ts": not one of the ids the SBI spec assigns
IMPL_VERSION = 0x0001_0000

# Extension ids.
EXT_BASE = 0x10
EXT_TIME = 0x54494D45
EXT_IPI = 0x735049
EXT_RFENCE = 0x52464E43
EXT_HSM = 0x48534D
EXT_SRST = 0x53525354
EXT_DBCN = 0x4442434E
LEGACY = range(0x00, 0x09)

# Errors.
SUCCESS = 0
ERR_FAILED = -1
ERR_NOT_SUPPORTED = -2
ERR_INVALID_PARAM = -3
ERR_INVALID_ADDRESS = -5
ERR_ALREADY_AVAILABLE = -6

# HSM states.
HSM_STARTED, HSM_STOPPED, HSM_SUSPENDED = 0, 1, 4
SUSPEND_RETENTIVE = 0x0000_0000
SUSPEND_NON_RETENTIVE = 0x8000_0000

_CSR = {d.name: d.num for d in CSRS.values()}
CSR_SSTATUS, CSR_SIE, CSR_STVEC, CSR_SCOUNTEREN = (_CSR[n] for n in ("sstatus", "sie", "stvec", "scounteren"))
CSR_SSCRATCH, CSR_SEPC, CSR_SCAUSE, CSR_STVAL, CSR_SATP = (
    _CSR[n] for n in ("sscratch", "sepc", "scause", "stval", "satp"))
CSR_MSTATUS, CSR_MEDELEG, CSR_MIDELEG, CSR_MIE = (_CSR[n] for n in ("mstatus", "medeleg", "mideleg", "mie"))
CSR_MCOUNTEREN, CSR_MENVCFG, CSR_MIP = (_CSR[n] for n in ("mcounteren", "menvcfg", "mip"))
CSR_PMPCFG0, CSR_PMPADDR0 = _CSR["pmpcfg0"], _CSR["pmpaddr0"]
CSR_MVENDORID, CSR_MARCHID, CSR_MIMPID = (_CSR[n] for n in ("mvendorid", "marchid", "mimpid"))
SSIP, STIP, MTIP = 1 << T.IRQ_S_SOFT, 1 << T.IRQ_S_TIMER, 1 << T.IRQ_M_TIMER
MIDELEG = T.S_INTERRUPTS
# Every exception S-mode handles itself: all but the ecalls from S and M.
MEDELEG = sum(1 << c for c in (
    T.INSN_ADDR_MISALIGNED, T.INSN_ACCESS_FAULT, T.ILLEGAL_INSN, T.BREAKPOINT,
    T.LOAD_ADDR_MISALIGNED, T.LOAD_ACCESS_FAULT, T.STORE_ADDR_MISALIGNED, T.STORE_ACCESS_FAULT,
    T.ECALL_U, T.INSN_PAGE_FAULT, T.LOAD_PAGE_FAULT, T.STORE_PAGE_FAULT))
PMP_NAPOT_RWX = 0x1F
PMPADDR_ALL = (1 << 54) - 1
MASK64 = (1 << 64) - 1

Result = Tuple[int, int]


def _signed(value: int) -> int:
    return value & MASK64


class Sbi:
    """The firmware for a set of harts; install it with `attach()` and `boot()`.

    `console` is the UART (its `emit` and `read_console`); `on_exit(code)`
    ends the run; `on_reset()` reboots the machine. RFENCE reaches a hart
    through its `flush_code()` and `flush_translations()`.
    """

    def __init__(self, harts: Sequence[Any], bus: Bus, console: Any,
                 on_exit: Callable[[int], None], on_reset: Callable[[], None]) -> None:
        self.harts = list(harts)
        self.bus = bus
        self.console = console
        self.on_exit = on_exit
        self.on_reset = on_reset
        self.suspended: Dict[int, bool] = {}
        self._handlers: Dict[int, Callable[[Any, int, List[int]], Result | None]] = {
            EXT_BASE: self._base, EXT_TIME: self._time, EXT_IPI: self._ipi,
            EXT_RFENCE: self._rfence, EXT_HSM: self._hsm, EXT_SRST: self._srst,
            EXT_DBCN: self._dbcn,
        }

    # -- setting up -------------------------------------------------------
    def attach(self) -> None:
        """Make this firmware every hart's M-mode trap hook."""
        for hart in self.harts:
            hart.m_trap_hook = self.trap

    def boot(self, entry: int, fdt_addr: int, boot_hart: int = 0) -> None:
        """Start `boot_hart` in S-mode at `entry` (a0 = hart id, a1 = FDT); stop the rest.

        The harts are expected at their power-on state (`hart.reset`).
        """
        self.attach()
        for hart in self.harts:
            self.init_machine_mode(hart)
            self._stop_hart(hart)
        self.enter_supervisor(self.harts[boot_hart], entry, fdt_addr)

    def init_machine_mode(self, hart: Any) -> None:
        """The M-mode CSR state OpenSBI sets up before the first mret."""
        hart.csr_write(CSR_MSTATUS, T.MSTATUS_FS | T.MSTATUS_MPIE)
        hart.csr_write(CSR_MEDELEG, MEDELEG)
        hart.csr_write(CSR_MIDELEG, MIDELEG)
        hart.csr_write(CSR_MCOUNTEREN, 0xFFFFFFFF)
        hart.csr_write(CSR_SCOUNTEREN, 7)
        hart.csr_write(CSR_MENVCFG, 0)
        hart.csr_write(CSR_PMPADDR0, PMPADDR_ALL)
        hart.csr_write(CSR_PMPCFG0, PMP_NAPOT_RWX)
        hart.csr_write(CSR_MIE, 0)
        hart.csr_write(CSR_MIP, 0)

    def enter_supervisor(self, hart: Any, entry: int, arg1: int) -> None:
        """Hand `hart`, at its reset state, to S-mode at `entry` with a0 = hart id, a1 = arg1.

        The M-mode state is OpenSBI's (`init_machine_mode`); in S-mode, what
        `sbi_hart_switch_mode` sets: stvec = entry, sscratch, sie and satp 0,
        sstatus.SIE 0.
        """
        hart.m_trap_hook = self.trap
        self.init_machine_mode(hart)
        for csr, value in ((CSR_STVEC, entry), (CSR_SSCRATCH, 0), (CSR_SIE, 0), (CSR_SATP, 0)):
            hart.csr_write(csr, value)
        hart.csr_write(CSR_SSTATUS, hart.csr_read(CSR_SSTATUS) & ~T.MSTATUS_SIE)
        hart.priv = T.PRV_S
        hart.pc = entry
        hart.x[10] = hart.hartid
        hart.x[11] = arg1 & MASK64
        self.suspended[hart.hartid] = False
        hart.waiting = False
        hart.started = True
        hart.flush_translations()

    def _stop_hart(self, hart: Any) -> None:
        """HSM stop: the hart leaves the scheduler's run loop at once and stays off."""
        hart.started = False
        hart.waiting = True
        hart.lim = 0
        self.suspended[hart.hartid] = False

    # -- the trap hook ----------------------------------------------------
    def trap(self, hart: Any, cause: int, tval: int) -> bool:
        """`m_trap_hook`: serve the trap and return True (False leaves it to mtvec)."""
        if cause & T.INTERRUPT:
            return self._interrupt(hart, cause & ~T.INTERRUPT)
        if cause == T.ECALL_S:
            self._ecall(hart)
            return True
        if hart.priv == T.PRV_M:
            return False
        self._redirect(hart, cause, tval)
        return True

    def _interrupt(self, hart: Any, code: int) -> bool:
        mie = hart.csr_read(CSR_MIE)
        if code == T.IRQ_M_TIMER:
            self._set_mip(hart, STIP, True)
        hart.csr_write(CSR_MIE, mie & ~(1 << code))
        return True

    def _set_mip(self, hart: Any, bit: int, on: bool) -> None:
        # SEIP is left out of the read-modify-write: reading mip ORs the PLIC's line into it.
        mip = hart.csr_read(CSR_MIP) & (SSIP | STIP)
        hart.csr_write(CSR_MIP, (mip | bit) if on else (mip & ~bit))

    def _redirect(self, hart: Any, cause: int, tval: int) -> None:
        """Deliver an exception to S-mode as OpenSBI's sbi_trap_redirect does."""
        status = hart.csr_read(CSR_SSTATUS)
        spp = T.MSTATUS_SPP if hart.priv == T.PRV_S else 0
        spie = T.MSTATUS_SPIE if status & T.MSTATUS_SIE else 0
        status = (status & ~(T.MSTATUS_SPP | T.MSTATUS_SPIE | T.MSTATUS_SIE)) | spp | spie
        hart.csr_write(CSR_SSTATUS, status)
        hart.csr_write(CSR_SEPC, hart.pc)
        hart.csr_write(CSR_SCAUSE, cause)
        hart.csr_write(CSR_STVAL, tval)
        hart.priv = T.PRV_S
        hart.pc = hart.csr_read(CSR_STVEC) & ~3

    def _ecall(self, hart: Any) -> None:
        x = hart.x
        eid, fid, args = x[17], x[16], [x[10 + i] for i in range(6)]
        hart.pc = (hart.pc + 4) & MASK64
        if eid in LEGACY:
            value = self._legacy(hart, eid, args)
            if value is not None:
                x[10] = _signed(value)
            return
        handler = self._handlers.get(eid)
        result = handler(hart, fid, args) if handler else (ERR_NOT_SUPPORTED, 0)
        if result is not None:
            x[10], x[11] = _signed(result[0]), _signed(result[1])

    # -- BASE -------------------------------------------------------------
    def _base(self, hart: Any, fid: int, a: List[int]) -> Result:
        if fid == 0:
            return SUCCESS, SPEC_VERSION
        if fid == 1:
            return SUCCESS, IMPL_ID
        if fid == 2:
            return SUCCESS, IMPL_VERSION
        if fid == 3:
            return SUCCESS, int(a[0] in self._handlers or a[0] in LEGACY)
        if fid in (4, 5, 6):
            return SUCCESS, hart.csr_read((CSR_MVENDORID, CSR_MARCHID, CSR_MIMPID)[fid - 4])
        return ERR_NOT_SUPPORTED, 0

    # -- TIME -------------------------------------------------------------
    def _time(self, hart: Any, fid: int, a: List[int]) -> Result:
        if fid != 0:
            return ERR_NOT_SUPPORTED, 0
        self._set_timer(hart, a[0])
        return SUCCESS, 0

    def _set_timer(self, hart: Any, when: int) -> None:
        self._set_mip(hart, STIP, False)
        hart.mtimecmp = when & MASK64
        hart.csr_write(CSR_MIE, hart.csr_read(CSR_MIE) | MTIP)

    # -- IPI and RFENCE ---------------------------------------------------
    def _targets(self, mask: int, base: int) -> List[Any] | None:
        """The harts a (hart_mask, hart_mask_base) pair names; None if one does not exist."""
        if base == MASK64:
            return list(self.harts)
        ids = [base + bit for bit in range(64) if mask >> bit & 1]
        if any(i >= len(self.harts) for i in ids):
            return None
        return [self.harts[i] for i in ids]

    def _ipi(self, hart: Any, fid: int, a: List[int]) -> Result:
        if fid != 0:
            return ERR_NOT_SUPPORTED, 0
        targets = self._targets(a[0], a[1])
        if targets is None:
            return ERR_INVALID_PARAM, 0
        for target in targets:
            self._set_mip(target, SSIP, True)
        return SUCCESS, 0

    def _rfence(self, hart: Any, fid: int, a: List[int]) -> Result:
        if fid > 2:
            return ERR_NOT_SUPPORTED, 0  # the HFENCE calls: no hypervisor extension
        targets = self._targets(a[0], a[1])
        if targets is None:
            return ERR_INVALID_PARAM, 0
        for target in targets:
            self._flush(target, fid == 0)
        return SUCCESS, 0

    @staticmethod
    def _flush(hart: Any, code: bool) -> None:
        """Remote fence.i (drop translated code) or sfence.vma (drop translations)."""
        if code:
            hart.flush_code()
        else:
            hart.flush_translations()

    # -- HSM --------------------------------------------------------------
    def hart_status(self, hartid: int) -> int:
        """The HSM state of a hart (HSM_STARTED, HSM_STOPPED or HSM_SUSPENDED)."""
        hart = self.harts[hartid]
        if not hart.started:
            return HSM_STOPPED
        return HSM_SUSPENDED if self.suspended.get(hartid) else HSM_STARTED

    def _hsm(self, hart: Any, fid: int, a: List[int]) -> Result | None:
        if fid == 0:
            return self._hart_start(a[0], a[1], a[2])
        if fid == 1:
            self._stop_hart(hart)
            return None  # does not return to the caller
        if fid == 2:
            return (SUCCESS, self.hart_status(a[0])) if a[0] < len(self.harts) else (ERR_INVALID_PARAM, 0)
        if fid == 3:
            return self._hart_suspend(hart, a[0], a[1], a[2])
        return ERR_NOT_SUPPORTED, 0

    def _hart_start(self, hartid: int, start: int, opaque: int) -> Result:
        if hartid >= len(self.harts):
            return ERR_INVALID_PARAM, 0
        if self.harts[hartid].started:
            return ERR_ALREADY_AVAILABLE, 0
        if self.bus.memory_at(start) is None:
            return ERR_INVALID_ADDRESS, 0
        hart = self.harts[hartid]
        # OpenSBI's warm start clears the registers and the pending software
        # interrupts of a hart it starts; the lines devices drive stay as they are.
        hart.reset(start)
        self.enter_supervisor(hart, start, opaque)
        return SUCCESS, 0

    def _hart_suspend(self, hart: Any, kind: int, resume: int, opaque: int) -> Result | None:
        """Suspension is served as a wakeup at once (as if an interrupt were pending)."""
        if kind == SUSPEND_RETENTIVE:
            return SUCCESS, 0
        if kind != SUSPEND_NON_RETENTIVE:
            reserved = kind < 0x1000_0000 or kind > 0x8000_0000 and kind < 0x9000_0000
            return (ERR_INVALID_PARAM if reserved else ERR_NOT_SUPPORTED), 0
        if self.bus.memory_at(resume) is None:
            return ERR_INVALID_ADDRESS, 0
        hart.csr_write(CSR_SATP, 0)
        hart.csr_write(CSR_SSTATUS, hart.csr_read(CSR_SSTATUS) & ~T.MSTATUS_SIE)
        hart.pc = resume
        hart.x[10] = hart.hartid
        hart.x[11] = opaque & MASK64
        return None

    # -- SRST -------------------------------------------------------------
    def _srst(self, hart: Any, fid: int, a: List[int]) -> Result:
        if fid != 0:
            return ERR_NOT_SUPPORTED, 0
        kind, reason = a[0], a[1]
        if kind > 2 and kind < 0xF000_0000 or reason > 1 and reason < 0xF000_0000:
            return ERR_INVALID_PARAM, 0
        if kind == 0:
            self.on_exit(1 if reason == 1 else 0)
        elif kind in (1, 2):
            self.on_reset()
        else:
            return ERR_NOT_SUPPORTED, 0
        return SUCCESS, 0

    # -- DBCN -------------------------------------------------------------
    def _dbcn(self, hart: Any, fid: int, a: List[int]) -> Result:
        if fid == 2:
            self.console.emit(bytes((a[0] & 0xFF,)))
            return SUCCESS, 0
        if fid not in (0, 1):
            return ERR_NOT_SUPPORTED, 0
        length, addr = a[0], a[1] | (a[2] << 64)
        try:
            if fid == 0:
                self.console.emit(self.bus.read_bytes(addr, length))
                return SUCCESS, length
            data = self.console.read_console(length)
            self.bus.write_bytes(addr, data)
            return SUCCESS, len(data)
        except BusError:
            return ERR_INVALID_PARAM, 0

    # -- legacy (v0.1) ----------------------------------------------------
    def _legacy(self, hart: Any, eid: int, a: List[int]) -> int | None:
        if eid == 0:
            self._set_timer(hart, a[0])
        elif eid == 1:
            self.console.emit(bytes((a[0] & 0xFF,)))
        elif eid == 2:
            data = self.console.read_console(1)
            return data[0] if data else -1
        elif eid == 3:
            self._set_mip(hart, SSIP, False)
        elif eid == 8:
            self.on_exit(0)
        else:
            return self._legacy_masked(eid, a[0])
        return 0

    def _legacy_masked(self, eid: int, mask_addr: int) -> int:
        """send_ipi / remote fences of v0.1: a0 points to a hart mask (0 = all harts)."""
        mask = MASK64
        if mask_addr:
            try:
                mask = int.from_bytes(self.bus.read_bytes(mask_addr, 8), "little")
            except BusError:
                return ERR_INVALID_ADDRESS
        for target in self._targets(mask & ((1 << len(self.harts)) - 1), 0) or []:
            if eid == 4:
                self._set_mip(target, SSIP, True)
            else:
                self._flush(target, eid == 5)
        return 0
