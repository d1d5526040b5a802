"""Building tiny guest programs with the real cross toolchain, cached by content.

Programs go to build/tests/machine/<hash>/ so an unchanged source is never
rebuilt. A missing toolchain is a setup failure (the build raises).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "tests" / "machine"
CC = "riscv64-linux-gnu-gcc"
LINKER_SCRIPT = """
OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .text : { KEEP(*(.text.init)) *(.text .text.*) }
  . = ALIGN(0x1000);
  .rodata : { *(.rodata .rodata.*) }
  . = ALIGN(0x1000);
  .data : { *(.data .data.* .sdata .sdata.*) }
  .bss : { *(.bss .bss.* .sbss .sbss.*) }
  . = ALIGN(0x1000);
  _end = .;
  /DISCARD/ : { *(.note*) *(.comment) *(.riscv.attributes) }
}
"""
CFLAGS = ("-march=rv64gc", "-mabi=lp64d", "-nostdlib", "-nostartfiles", "-static",
          "-mcmodel=medany", "-fno-pic", "-no-pie", "-O2", "-ffreestanding", "-mno-relax",
          "-Wl,--no-relax")


def build(name: str, source: str, *, lang: str = "S", extra: Sequence[str] = ()) -> Path:
    """Compile `source` (assembly or C) into an ELF; returns its path."""
    key = hashlib.sha256("\0".join([source, lang, LINKER_SCRIPT, *CFLAGS, *extra]).encode()).hexdigest()[:16]
    d = OUT / f"{name}-{key}"
    elf = d / f"{name}.elf"
    if elf.exists():
        return elf
    d.mkdir(parents=True, exist_ok=True)
    src = d / f"{name}.{lang}"
    src.write_text(source)
    (d / "link.ld").write_text(LINKER_SCRIPT)
    tmp = d / f"{name}.elf.tmp"
    res = subprocess.run([CC, *CFLAGS, *extra, "-T", str(d / "link.ld"), "-o", str(tmp), str(src)],
                         capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"building {name} failed:\n{res.stderr[-3000:]}")
    tmp.rename(elf)
    return elf
