"""Loading ELF images into physical memory (pyelftools).

`load_elf(bus, path)` copies every PT_LOAD segment to its physical address
(`p_paddr`) through `Bus.write_bytes` (so ROM can be filled and translated
code over the bytes is dropped), zero-fills the rest of each segment, and
returns the entry point, the segments and the symbol table. Anything wrong
with the file is a `LoadError` whose message is one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from trapscope.machine.bus import Bus, BusError

EM_RISCV = 243


class LoadError(Exception):
    """The file cannot be loaded; the message says why in one line."""


@dataclass
class LoadedElf:
    """What `load_elf` put in memory."""

    path: str
    entry: int
    segments: List[Tuple[int, int]]  # (physical address, size in memory)
    symbols: Dict[str, int] = field(default_factory=dict)

    def symbol(self, name: str) -> int | None:
        """The address of a symbol (e.g. `tohost`, `fromhost`), or None."""
        return self.symbols.get(name)


def _open(path: str):
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        stream = open(path, "rb")
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LoadError(f"{path}: is a directory") from None
    except OSError as exc:
        raise LoadError(f"{path}: {exc.strerror}") from None
    try:
        return stream, ELFFile(stream)
    except ELFError:
        stream.close()
        raise LoadError(f"{path}: not an ELF file") from None


def _symbols(elf) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for section in elf.iter_sections():
        if section.header["sh_type"] not in ("SHT_SYMTAB", "SHT_DYNSYM"):
            continue
        for sym in section.iter_symbols():
            if sym.name and sym["st_shndx"] != "SHN_UNDEF":
                out.setdefault(sym.name, sym["st_value"])
    return out


def load_elf(bus: Bus, path: str) -> LoadedElf:
    """Load a RISC-V 64-bit ELF's PT_LOAD segments into memory."""
    stream, elf = _open(path)
    try:
        if elf["e_machine"] != "EM_RISCV":
            raise LoadError(f"{path}: not a RISC-V ELF (machine {elf['e_machine']})")
        if elf.elfclass != 64:
            raise LoadError(f"{path}: not a 64-bit ELF (ELF{elf.elfclass})")
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            addr, size = seg["p_paddr"], seg["p_memsz"]
            data = seg.data().ljust(size, b"\0")
            mem = bus.memory_at(addr)
            if mem is None or addr + size > mem.base + mem.size:
                raise LoadError(f"{path}: segment at {addr:#x} ({size} bytes) does not fit in RAM")
            try:
                bus.write_bytes(addr, data, force=True)
            except BusError:
                raise LoadError(f"{path}: segment at {addr:#x} does not fit in RAM") from None
            segments.append((addr, size))
        return LoadedElf(path, elf["e_entry"], segments, _symbols(elf))
    finally:
        stream.close()
