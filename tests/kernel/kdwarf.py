"""Read kernel globals out of guest memory by their DWARF names.

    syms = KernelSymbols(elf)
    off, size = syms.field("panic_record", "msg")     # struct panic_record
    addr = syms.address("panic_record")
    stride = syms.struct_size("cpu")                  # cpus[i] is at address + i * stride

Symbol addresses come from the ELF symbol table, struct layouts (member
offsets and sizes) from the DWARF, so no offset is written down here.  The
kernel identity-maps RAM: a kernel address is also a physical address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple, Union

from elftools.elf.elffile import ELFFile

ReadFn = Callable[[int, int], bytes]


def _type_size(die) -> int:
    """Byte size of the type die, through typedefs, qualifiers and arrays."""
    while "DW_AT_byte_size" not in die.attributes:
        if die.tag == "DW_TAG_array_type":
            count = 1
            for sub in die.iter_children():
                bound = sub.attributes.get("DW_AT_upper_bound")
                if sub.tag == "DW_TAG_subrange_type":
                    count *= bound.value + 1 if bound else 0   # [] has no bound
            return count * _type_size(die.get_DIE_from_attribute("DW_AT_type"))
        die = die.get_DIE_from_attribute("DW_AT_type")
    return die.attributes["DW_AT_byte_size"].value


class KernelSymbols:
    """Symbols and struct layouts of one kernel ELF."""

    def __init__(self, elf: Union[str, Path]) -> None:
        self.symbols: Dict[str, Tuple[int, int]] = {}
        self.functions: List[Tuple[int, int, str]] = []   # (start, size, name)
        self.structs: Dict[str, Tuple[int, Dict[str, Tuple[int, int]]]] = {}
        with open(elf, "rb") as f:
            ef = ELFFile(f)
            for sym in ef.get_section_by_name(".symtab").iter_symbols():
                if sym.name:
                    self.symbols[sym.name] = (sym["st_value"], sym["st_size"])
                    if sym["st_info"]["type"] == "STT_FUNC":
                        self.functions.append((sym["st_value"], sym["st_size"], sym.name))
            for cu in ef.get_dwarf_info().iter_CUs():
                for die in cu.iter_DIEs():
                    if die.tag == "DW_TAG_structure_type" and "DW_AT_name" in die.attributes \
                            and "DW_AT_byte_size" in die.attributes:
                        self._add_struct(die)

    def _add_struct(self, die) -> None:
        name = die.attributes["DW_AT_name"].value.decode()
        members = {}
        for child in die.iter_children():
            if child.tag == "DW_TAG_member" and "DW_AT_name" in child.attributes:
                loc = child.attributes.get("DW_AT_data_member_location")
                size = _type_size(child.get_DIE_from_attribute("DW_AT_type"))
                members[child.attributes["DW_AT_name"].value.decode()] = (
                    loc.value if loc else 0, size)
        self.structs.setdefault(name, (die.attributes["DW_AT_byte_size"].value, members))

    def address(self, name: str) -> int:
        """Address of a global symbol."""
        return self.symbols[name][0]

    def size(self, name: str) -> int:
        """Size in bytes of a global symbol."""
        return self.symbols[name][1]

    def function_at(self, addr: int) -> Optional[str]:
        """Name of the function whose code holds addr, if any."""
        for start, size, name in self.functions:
            if start <= addr < start + size:
                return name
        return None

    def struct_size(self, struct: str) -> int:
        """sizeof(struct NAME)."""
        return self.structs[struct][0]

    def field(self, struct: str, member: str) -> Tuple[int, int]:
        """(offset, size) of a member of struct NAME."""
        return self.structs[struct][1][member]

    def read_int(self, read: ReadFn, base: int, struct: str, member: str) -> int:
        """The little-endian integer member of the struct at base."""
        off, size = self.field(struct, member)
        return int.from_bytes(read(base + off, size), "little")

    def read_bytes(self, read: ReadFn, base: int, struct: str, member: str) -> bytes:
        """The raw bytes of a member of the struct at base."""
        off, size = self.field(struct, member)
        return read(base + off, size)


def klog_text(syms: KernelSymbols, read: ReadFn) -> str:
    """The live text of the kernel log ring `klog`: byte n is buf[n % size]."""
    base = syms.address("klog")
    length = syms.read_int(read, base, "klog", "len")
    buf = syms.read_bytes(read, base, "klog", "buf")
    size = len(buf)
    if length <= size:
        data = buf[:length]
    else:
        start = length % size
        data = buf[start:] + buf[:start]
    return data.decode("utf-8", "replace")
