"""The CSR file: which CSRs exist, who may access them, and their WARL rules.

Behaviour follows QEMU 7.2's `rv64` CPU where the spec leaves a choice
(`tests/machine/test_csr_qemu.py` compares both with a probe program):
priv spec 1.12, Sstc, Zicntr, 16 programmable counters (mhpmcounter3..18;
mhpmcounter19..31 do not exist), mhpmevent3..31, 16 PMP entries that are
accepted but not enforced, the Sdtrig trigger CSRs as plain storage.

Each entry gives a read function, a write function (None for read-only
values) and an optional predicate for access rules beyond the number's
privilege and read-only bits (FS, counter enables, TVM, Sstc).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, List, Tuple

from trapscope.machine import trap as T

if TYPE_CHECKING:  # pragma: no cover
    from trapscope.machine.hart import Hart

M64 = 0xFFFFFFFFFFFFFFFF

Reader = Callable[["Hart"], int]
Writer = Callable[["Hart", int], None]
Pred = Callable[["Hart"], bool]


@dataclass(frozen=True)
class CsrDef:
    """One CSR: number, name and behaviour."""

    num: int
    name: str
    read: Reader
    write: Writer | None = None
    pred: Pred | None = None


CSRS: Dict[int, CsrDef] = {}


def _csr(num: int, name: str, read: Reader, write: Writer | None = None,
         pred: Pred | None = None) -> None:
    CSRS[num] = CsrDef(num, name, read, write, pred)


def _field(attr: str, mask: int = M64, poke: bool = False) -> Tuple[Reader, Writer]:
    """A CSR that is a hart attribute with a mask of writable bits."""
    def read(h: Hart) -> int:
        return getattr(h, attr)

    def write(h: Hart, v: int) -> None:
        setattr(h, attr, (getattr(h, attr) & ~mask) | (v & mask))
        if poke:
            h.context_changed()
    return read, write


# -- mstatus / sstatus -----------------------------------------------------------
MSTATUS_WRITABLE = (T.MSTATUS_SIE | T.MSTATUS_SPIE | T.MSTATUS_MIE | T.MSTATUS_MPIE
                    | T.MSTATUS_SPP | T.MSTATUS_MPRV | T.MSTATUS_SUM | T.MSTATUS_MPP
                    | T.MSTATUS_MXR | T.MSTATUS_TVM | T.MSTATUS_TSR | T.MSTATUS_TW
                    | T.MSTATUS_VS | T.MSTATUS_FS | T.MSTATUS_MPV | T.MSTATUS_GVA)
SSTATUS_READ = (T.MSTATUS_SIE | T.MSTATUS_SPIE | T.MSTATUS_SPP | T.MSTATUS_FS | T.MSTATUS_XS
                | T.MSTATUS_SUM | T.MSTATUS_MXR | T.MSTATUS_VS | T.MSTATUS_UXL | 0x11)
SSTATUS_WRITE = SSTATUS_READ & ~T.MSTATUS_UXL
MSTATUS_RESET = (2 << 32) | (2 << 34)  # UXL = SXL = 64-bit


def _with_sd(v: int) -> int:
    if v & T.MSTATUS_FS == T.MSTATUS_FS or v & T.MSTATUS_VS == T.MSTATUS_VS \
            or v & T.MSTATUS_XS == T.MSTATUS_XS:
        return v | T.MSTATUS_SD
    return v


def read_mstatus(h: Hart) -> int:
    return _with_sd(h.mstatus)


def write_mstatus(h: Hart, v: int) -> None:
    mask = MSTATUS_WRITABLE
    if v & T.MSTATUS_UXL:
        mask |= T.MSTATUS_UXL
    h.mstatus = ((h.mstatus & ~mask) | (v & mask)) & ~T.MSTATUS_SD
    h.context_changed()


def read_sstatus(h: Hart) -> int:
    return _with_sd(h.mstatus) & (SSTATUS_READ | T.MSTATUS_SD)


def write_sstatus(h: Hart, v: int) -> None:
    mask = SSTATUS_WRITE
    if v & T.MSTATUS_UXL:
        mask |= T.MSTATUS_UXL
    write_mstatus(h, (h.mstatus & ~mask) | (v & mask))


_csr(0x300, "mstatus", read_mstatus, write_mstatus)
_csr(0x100, "sstatus", read_sstatus, write_sstatus)

# -- identification ---------------------------------------------------------------
MISA = (2 << 62) | sum(1 << (ord(c) - ord("A")) for c in "IMAFDCSU")
_csr(0x301, "misa", lambda h: MISA, lambda h, v: None)
_csr(0xF11, "mvendorid", lambda h: 0)
QEMU_VERSION_ID = 0x070216  # QEMU 7.2.22 reports its version in marchid and mimpid
_csr(0xF12, "marchid", lambda h: QEMU_VERSION_ID)
_csr(0xF13, "mimpid", lambda h: QEMU_VERSION_ID)
_csr(0xF14, "mhartid", lambda h: h.hartid)
_csr(0xF15, "mconfigptr", lambda h: 0)

# -- traps and interrupts ------------------------------------------------------------
# As QEMU 7.2 (even without H): the VS/guest bits and LCOFI are writable storage.
DELEGABLE_EXCEPTIONS = 0xF0BFFF
DELEGABLE_INTERRUPTS = 0x2666
ALL_INTERRUPTS = 0x2EEE
MIP_WRITABLE = 0x2666


def _write_tvec(attr: str) -> Writer:
    def write(h: Hart, v: int) -> None:
        if v & 3 < 2:  # modes 2 and 3 are reserved: QEMU ignores such writes
            setattr(h, attr, v)
    return write


_csr(0x302, "medeleg", *_field("medeleg", DELEGABLE_EXCEPTIONS))
_csr(0x303, "mideleg", *_field("mideleg", DELEGABLE_INTERRUPTS, poke=True))
_csr(0x304, "mie", *_field("mie", ALL_INTERRUPTS, poke=True))
_csr(0x305, "mtvec", lambda h: h.mtvec, _write_tvec("mtvec"))
_csr(0x340, "mscratch", *_field("mscratch"))
_csr(0x341, "mepc", *_field("mepc"))  # QEMU 7.2 keeps bit 0 as written
_csr(0x342, "mcause", *_field("mcause"))
_csr(0x343, "mtval", *_field("mtval"))


def write_mip(h: Hart, v: int) -> None:
    mask = MIP_WRITABLE
    if h.stce:
        mask &= ~(1 << T.IRQ_S_TIMER)  # Sstc: STIP follows stimecmp
    h.mip_sw = (h.mip_sw & ~mask) | (v & mask)
    h.context_changed()


_csr(0x344, "mip", lambda h: h.mip_value(), write_mip)


def read_sie(h: Hart) -> int:
    return h.mie & h.mideleg & T.S_INTERRUPTS


def write_sie(h: Hart, v: int) -> None:
    mask = h.mideleg & T.S_INTERRUPTS
    h.mie = (h.mie & ~mask) | (v & mask)
    h.context_changed()


def read_sip(h: Hart) -> int:
    return h.mip_value() & h.mideleg & T.S_INTERRUPTS


def write_sip(h: Hart, v: int) -> None:
    mask = h.mideleg & (1 << T.IRQ_S_SOFT)
    h.mip_sw = (h.mip_sw & ~mask) | (v & mask)
    h.context_changed()


_csr(0x104, "sie", read_sie, write_sie)
_csr(0x105, "stvec", lambda h: h.stvec, _write_tvec("stvec"))
_csr(0x140, "sscratch", *_field("sscratch"))
_csr(0x141, "sepc", *_field("sepc"))
_csr(0x142, "scause", *_field("scause"))
_csr(0x143, "stval", *_field("stval"))
_csr(0x144, "sip", read_sip, write_sip)

# -- address translation ------------------------------------------------------------
SATP_MODE_BARE, SATP_MODE_SV39 = 0, 8


def write_satp(h: Hart, v: int) -> None:
    if v >> 60 not in (SATP_MODE_BARE, SATP_MODE_SV39):
        return  # WARL: an unsupported mode leaves satp unchanged
    h.satp = v
    h.sfence()  # the new space's cached translations (if any) are kept unless page tables changed


def _tvm_ok(h: Hart) -> bool:
    return not (h.priv == T.PRV_S and h.mstatus & T.MSTATUS_TVM)


_csr(0x180, "satp", lambda h: h.satp, write_satp, _tvm_ok)

# -- environment configuration, Sstc --------------------------------------------------
MENVCFG_STCE = 1 << 63
MENVCFG_WRITABLE = MENVCFG_STCE | (1 << 62) | 0xF1  # STCE, PBMTE, CBZE, CBCFE, CBIE, FIOM
SENVCFG_WRITABLE = 0xF1


def write_menvcfg(h: Hart, v: int) -> None:
    h.menvcfg = v & MENVCFG_WRITABLE  # (STIP only changes on stimecmp writes and expiry, as QEMU)


_csr(0x30A, "menvcfg", lambda h: h.menvcfg, write_menvcfg)
_csr(0x10A, "senvcfg", *_field("senvcfg", SENVCFG_WRITABLE))


def _sstc_ok(h: Hart) -> bool:
    if h.priv == T.PRV_M:
        return True
    return bool(h.mcounteren & 2 and h.menvcfg & MENVCFG_STCE)


def write_stimecmp(h: Hart, v: int) -> None:
    h.stimecmp = v
    h.timers_changed()


_csr(0x14D, "stimecmp", lambda h: h.stimecmp, write_stimecmp, _sstc_ok)
# QEMU 7.2 has vstimecmp even without H (M-mode can read and write it; it does nothing).
_csr(0x24D, "vstimecmp", *_field("vstimecmp"), pred=lambda h: h.priv == T.PRV_M)

# -- counters -------------------------------------------------------------------
NUM_HPM = 16  # mhpmcounter3..18 exist, as QEMU 7.2's default pmu-num


def _counter_ok(index: int) -> Pred:
    bit = 1 << index

    def ok(h: Hart) -> bool:
        if h.priv < T.PRV_M and not h.mcounteren & bit:
            return False
        return not (h.priv == T.PRV_U and not h.scounteren & bit)
    return ok


def _hpm_exists(index: int) -> bool:
    return 3 <= index < 3 + NUM_HPM


_csr(0x306, "mcounteren", *_field("mcounteren"))
_csr(0x106, "scounteren", *_field("scounteren"))
_csr(0x320, "mcountinhibit", lambda h: h.mcountinhibit, lambda h, v: h.set_countinhibit(v))
_csr(0xB00, "mcycle", lambda h: h.read_counter(0), lambda h, v: h.write_counter(0, v))
_csr(0xB02, "minstret", lambda h: h.read_counter(2), lambda h, v: h.write_counter(2, v))
_csr(0xC00, "cycle", lambda h: h.read_counter(0), pred=_counter_ok(0))
_csr(0xC01, "time", lambda h: h.time_now(), pred=_counter_ok(1))
_csr(0xC02, "instret", lambda h: h.read_counter(2), pred=_counter_ok(2))


def _hpm(i: int) -> None:
    if _hpm_exists(i):
        _csr(0xB00 + i, f"mhpmcounter{i}", lambda h: h.mhpmcounter[i],
             lambda h, v: h.mhpmcounter.__setitem__(i, v))
        _csr(0xC00 + i, f"hpmcounter{i}", lambda h: h.mhpmcounter[i], pred=_counter_ok(i))
    _csr(0x320 + i, f"mhpmevent{i}", lambda h: h.mhpmevent[i],
         lambda h, v: h.mhpmevent.__setitem__(i, v))


for _i in range(3, 32):
    _hpm(_i)

# -- floating point ---------------------------------------------------------------


def _fs_on(h: Hart) -> bool:
    return bool(h.mstatus & T.MSTATUS_FS)


def _fp_write(fn: Callable[[Hart, int], None]) -> Writer:
    def write(h: Hart, v: int) -> None:
        fn(h, v)
        h.mstatus |= T.MSTATUS_FS
    return write


def _set_fflags(h: Hart, v: int) -> None:
    h.fflags = v & 0x1F


def _set_frm(h: Hart, v: int) -> None:
    h.frm = v & 7


def _set_fcsr(h: Hart, v: int) -> None:
    h.fflags = v & 0x1F
    h.frm = (v >> 5) & 7


_csr(0x001, "fflags", lambda h: h.fflags, _fp_write(_set_fflags), _fs_on)
_csr(0x002, "frm", lambda h: h.frm, _fp_write(_set_frm), _fs_on)
_csr(0x003, "fcsr", lambda h: (h.frm << 5) | h.fflags, _fp_write(_set_fcsr), _fs_on)

# -- PMP (accepted, not enforced) ----------------------------------------------------
PMP_ENTRIES = 16


def _pmpcfg(reg: int) -> None:
    def read(h: Hart) -> int:
        return h.pmpcfg[reg // 2]

    def write(h: Hart, v: int) -> None:
        old = h.pmpcfg[reg // 2]
        new = 0
        for b in range(8):
            o, n = (old >> 8 * b) & 0xFF, (v >> 8 * b) & 0xFF
            if o & 0x80:  # locked entries keep their configuration
                n = o
            new |= (n & 0x9F) << 8 * b
        h.pmpcfg[reg // 2] = new
    _csr(0x3A0 + reg, f"pmpcfg{reg}", read, write)


def _pmpaddr(i: int) -> None:
    def write(h: Hart, v: int) -> None:
        if not (h.pmpcfg[i // 8] >> 8 * (i % 8)) & 0x80:
            h.pmpaddr[i] = v
    _csr(0x3B0 + i, f"pmpaddr{i}", lambda h: h.pmpaddr[i], write)


_pmpcfg(0)
_pmpcfg(2)
for _i in range(PMP_ENTRIES):
    _pmpaddr(_i)

# -- debug triggers (Sdtrig registers as storage; no trigger ever fires) ----------------
TDATA1_RESET = 2 << 60  # type 2 (mcontrol), as QEMU reads an unused trigger


def _tdata(i: int) -> None:
    def read(h: Hart) -> int:
        return h.tdata[i]

    def write(h: Hart, v: int) -> None:
        if i == 1:  # only tdata2 is kept: no trigger ever fires, tdata1/3 keep their reset values
            h.tdata[i] = v
    _csr(0x7A1 + i, f"tdata{i + 1}", read, write)


_csr(0x7A0, "tselect", lambda h: h.tselect, lambda h, v: setattr(h, "tselect", v if v < 2 else h.tselect))
for _i in range(3):
    _tdata(_i)
_csr(0x7A4, "tinfo", lambda h: 0x44)  # types 2 and 6, as QEMU 7.2 says


def check_access(h: Hart, num: int, write: bool) -> CsrDef | None:
    """The CSR if this access is legal at the hart's privilege, else None."""
    d = CSRS.get(num)
    if d is None:
        return None
    if write and num >> 10 == 3:
        return None
    if h.priv < (num >> 8) & 3:
        return None
    if d.pred is not None and not d.pred(h):
        return None
    return d


def names() -> List[Tuple[int, str]]:
    """(number, name) of every CSR, by number."""
    return sorted((n, d.name) for n, d in CSRS.items())
