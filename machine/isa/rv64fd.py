"""RV64F and RV64D: templates over `machine/fpu.py` (raw bit patterns in, (bits, flags) out).

Float registers hold raw unsigned 64-bit patterns (integer registers are
signed: `u64`/`s64` convert at the boundary). Singles live NaN-boxed: `unbox_s` reads one (a
badly boxed value reads as the canonical NaN) and `box_s` writes one. FP
register writes mark mstatus.FS Dirty (`fp_dirty`), as QEMU does; every F/D
instruction needs FS != Off (`fp`).
"""

from trapscope.machine.isa.table import insn

E = "rv64fd"


def _fp(name: str, template: str, *, dirty: bool = True, rm: bool = False, **kw) -> None:
    insn(name, template, fp=True, fp_dirty=dirty, rm=rm, extension=E, **kw)


def _arith(p: str, unbox: str, box: str) -> None:
    """Arithmetic, compare, convert and move templates for one precision."""
    u = (lambda r: f"unbox_s({r})") if unbox else (lambda r: r)
    b = (lambda v: f"box_s({v})") if box else (lambda v: v)
    for op in ("add", "sub", "mul", "div"):
        _fp(f"f{op}.{p}", f"_r, _f = {op}_{p}({u('FS1')}, {u('FS2')}, RM); FD = {b('_r')}; FFLAGS |= _f", rm=True)
    _fp(f"fsqrt.{p}", f"_r, _f = sqrt_{p}({u('FS1')}, RM); FD = {b('_r')}; FFLAGS |= _f", rm=True)
    for op in ("fmadd", "fmsub", "fnmsub", "fnmadd"):
        _fp(f"{op}.{p}", f"_r, _f = {op}_{p}({u('FS1')}, {u('FS2')}, {u('FS3')}, RM); "
            f"FD = {b('_r')}; FFLAGS |= _f", rm=True)
    for op in ("min", "max"):
        _fp(f"f{op}.{p}", f"_r, _f = {op}_{p}({u('FS1')}, {u('FS2')}); FD = {b('_r')}; FFLAGS |= _f")
    for op in ("eq", "lt", "le"):
        _fp(f"f{op}.{p}", f"_r, _f = {op}_{p}({u('FS1')}, {u('FS2')}); RD = _r; FFLAGS |= _f", dirty=False)
    _fp(f"fclass.{p}", f"RD = classify_{p}({u('FS1')})", dirty=False)
    for to in ("w", "wu", "l", "lu"):
        _fp(f"fcvt.{to}.{p}", f"_r, _f = cvt_{to}_{p}({u('FS1')}, RM); RD = s64(_r); FFLAGS |= _f",
            dirty=False, rm=True)
        _fp(f"fcvt.{p}.{to}", f"_r, _f = cvt_{p}_{to}(u64(RS1), RM); FD = {b('_r')}; FFLAGS |= _f", rm=True)


_arith("s", "unbox", "box")
_arith("d", "", "")

# Sign injection works on the (unboxed) bit patterns directly.
_fp("fsgnj.s", "FD = box_s(unbox_s(FS1) & 0x7FFFFFFF | unbox_s(FS2) & 0x80000000)")
_fp("fsgnjn.s", "FD = box_s(unbox_s(FS1) & 0x7FFFFFFF | ~unbox_s(FS2) & 0x80000000)")
_fp("fsgnjx.s", "FD = box_s(unbox_s(FS1) ^ unbox_s(FS2) & 0x80000000)")
_fp("fsgnj.d", "FD = FS1 & 0x7FFFFFFFFFFFFFFF | FS2 & 0x8000000000000000")
_fp("fsgnjn.d", "FD = FS1 & 0x7FFFFFFFFFFFFFFF | ~FS2 & 0x8000000000000000")
_fp("fsgnjx.d", "FD = FS1 ^ FS2 & 0x8000000000000000")

_fp("fmv.x.w", "RD = sx32(FS1)", dirty=False)
_fp("fmv.w.x", "FD = RS1 & 0xFFFFFFFF | 0xFFFFFFFF00000000")
_fp("fmv.x.d", "RD = s64(FS1)", dirty=False)
_fp("fmv.d.x", "FD = u64(RS1)")
_fp("fcvt.s.d", "_r, _f = cvt_s_d(FS1, RM); FD = box_s(_r); FFLAGS |= _f", rm=True)
_fp("fcvt.d.s", "_r, _f = cvt_d_s(unbox_s(FS1), RM); FD = _r; FFLAGS |= _f", rm=True)

_fp("flw", "FD = MEM | 0xFFFFFFFF00000000", load=(4, False))
_fp("fld", "FD = MEM", load=(8, False))
_fp("fsw", "STORE = FS2", store=4, dirty=False)
_fp("fsd", "STORE = FS2", store=8, dirty=False)
