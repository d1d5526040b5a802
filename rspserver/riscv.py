"""RISC-V as gdb sees it: register numbers, target.xml, the memory map, cause names.

Register numbers are gdb's own for RISC-V (gdb/riscv-tdep.h): x0-x31 are
0-31, pc is 32, f0-f31 are 33-64, CSR number N is 65 + N (so fflags, frm
and fcsr are 66, 67 and 68), and the virtual `priv` register is 4161. The
``g`` packet carries x0-x31 and pc; everything else goes through ``p``/``P``.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Tuple
from xml.sax.saxutils import quoteattr

XLEN_BYTES = 8
GPR_COUNT = 32
PC_REGNUM = 32
FIRST_FPR_REGNUM = 33
FIRST_CSR_REGNUM = 65
PRIV_REGNUM = FIRST_CSR_REGNUM + 4096  # 4161
G_REGISTERS = GPR_COUNT + 1  # x0-x31, pc

# The floating-point CSRs gdb expects in the fpu feature (as 32-bit registers).
FCSR_NUMBERS = {1: "fflags", 2: "frm", 3: "fcsr"}

GPR_NAMES = (
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1",
    "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
    "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "t3", "t4", "t5", "t6",
)
FPR_NAMES = (
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1",
    "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7",
    "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
    "ft8", "ft9", "ft10", "ft11",
)
_GPR_TYPES = {1: "code_ptr", 2: "data_ptr", 3: "data_ptr", 4: "data_ptr", 8: "data_ptr"}

PRIV_NAMES = {0: "U", 1: "S", 3: "M"}

# Trap causes, named after the privileged spec's mcause table (Spike's
# encoding.h spells them CAUSE_MISALIGNED_FETCH ...).
EXCEPTION_NAMES: Dict[int, str] = {
    0: "misaligned-fetch",
    1: "fetch-access",
    2: "illegal-instruction",
    3: "breakpoint",
    4: "misaligned-load",
    5: "load-access",
    6: "misaligned-store",
    7: "store-access",
    8: "user-ecall",
    9: "supervisor-ecall",
    11: "machine-ecall",
    12: "fetch-page-fault",
    13: "load-page-fault",
    15: "store-page-fault",
}
INTERRUPT_NAMES: Dict[int, str] = {
    1: "s-software",
    3: "m-software",
    5: "s-timer",
    7: "m-timer",
    9: "s-external",
    11: "m-external",
}
INTERRUPT_BIT = 1 << 63


def cause_name(cause: int) -> str:
    """A readable name for an mcause/scause value."""
    if cause & INTERRUPT_BIT:
        code = cause & ~INTERRUPT_BIT
        return INTERRUPT_NAMES.get(code, f"interrupt {code}") + " interrupt"
    return EXCEPTION_NAMES.get(cause, f"exception {cause}")


# -- target description ---------------------------------------------------------------
def _reg(name: str, bits: int, regnum: int, type_: str = "int", group: str = "") -> str:
    extra = f" group={quoteattr(group)}" if group else ""
    return f'  <reg name={quoteattr(name)} bitsize="{bits}" regnum="{regnum}" type="{type_}"{extra}/>'


def _cpu_feature() -> List[str]:
    lines = ['<feature name="org.gnu.gdb.riscv.cpu">']
    for i, name in enumerate(GPR_NAMES):
        lines.append(_reg(name, 64, i, _GPR_TYPES.get(i, "int")))
    lines.append(_reg("pc", 64, PC_REGNUM, "code_ptr"))
    lines.append("</feature>")
    return lines


def _fpu_feature() -> List[str]:
    lines = [
        '<feature name="org.gnu.gdb.riscv.fpu">',
        '  <union id="riscv_double">',
        '    <field name="float" type="ieee_single"/>',
        '    <field name="double" type="ieee_double"/>',
        "  </union>",
    ]
    for i, name in enumerate(FPR_NAMES):
        lines.append(_reg(name, 64, FIRST_FPR_REGNUM + i, "riscv_double"))
    for number, name in FCSR_NUMBERS.items():
        lines.append(_reg(name, 32, FIRST_CSR_REGNUM + number, "int", "float"))
    lines.append("</feature>")
    return lines


def _csr_feature(csrs: Iterable[Tuple[int, str]]) -> List[str]:
    lines = ['<feature name="org.gnu.gdb.riscv.csr">']
    for number, name in csrs:
        if number not in FCSR_NUMBERS:
            lines.append(_reg(name, 64, FIRST_CSR_REGNUM + number, "int", "csr"))
    lines.append("</feature>")
    return lines


def _virtual_feature() -> List[str]:
    return [
        '<feature name="org.gnu.gdb.riscv.virtual">',
        _reg("priv", 64, PRIV_REGNUM, "int", "system"),
        "</feature>",
    ]


def target_xml(csrs: Iterable[Tuple[int, str]]) -> bytes:
    """target.xml for an RV64GC hart with these (number, name) CSRs."""
    lines = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
        "<target>",
        "<architecture>riscv:rv64</architecture>",
    ]
    lines += _cpu_feature() + _fpu_feature() + _csr_feature(csrs) + _virtual_feature()
    lines.append("</target>")
    return "\n".join(lines).encode()


# -- memory map -----------------------------------------------------------------------
_MEMORY_MAP_HEAD = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB Memory Map V1.0//EN" '
    '"http://sourceware.org/gdb/gdb-memory-map.dtd">\n'
    "<memory-map>\n"
)


def memory_map_xml(regions: Iterable[Tuple[str, int, int, bool]]) -> bytes:
    """gdb's memory map for a machine whose memory gdb reaches by virtual address.

    RAM regions are ``ram``; read-only memories (a name with "rom") are
    ``rom``; device regions are left out, so gdb refuses to touch them by
    accident (a stray read of a UART or PLIC register has side effects);
    `set mem inaccessible-by-default off` lifts that. Every other address is
    ``ram``, because under paging any of them may be mapped.
    """
    lines = [_MEMORY_MAP_HEAD]
    cursor = 0
    for name, base, size, is_ram in sorted(regions, key=lambda r: r[1]):
        if base > cursor:
            lines.append(_memory("ram", cursor, base - cursor))
        if is_ram:
            lines.append(_memory("ram", base, size))
        elif "rom" in name.lower():
            lines.append(_memory("rom", base, size))
        cursor = max(cursor, base + size)
    if cursor < 1 << 64:
        lines.append(_memory("ram", cursor, (1 << 64) - cursor))
    lines.append("</memory-map>\n")
    return "".join(lines).encode()


def _memory(kind: str, start: int, length: int) -> str:
    return f'  <memory type="{kind}" start="{start:#x}" length="{length:#x}"/>\n'
