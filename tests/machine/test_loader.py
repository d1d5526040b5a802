"""loader.load_elf: segments, symbols, and one-line errors."""

from __future__ import annotations

import subprocess

import pytest
from trapscope.machine.bus import Bus, Memory
from trapscope.machine.loader import LoadError, load_elf

from tests.machine.build import OUT, build

SRC = """
.section .text.init
.globl _start
_start:
  j _start
.data
.globl tohost
tohost: .dword 0
.globl fromhost
fromhost: .dword 0
message: .asciz "hello"
.bss
zeros: .zero 64
"""


def _bus(size=1 << 20):
    bus = Bus()
    bus.attach(Memory(0x80000000, size))
    return bus


def test_segments_entry_and_symbols():
    bus = _bus()
    bus.write_bytes(0x80001000, b"\xff" * 0x2000)
    elf = load_elf(bus, str(build("loadme", SRC)))
    assert elf.entry == 0x80000000
    assert elf.symbol("tohost") == 0x80001000 and elf.symbol("fromhost") == 0x80001008
    assert elf.symbol("nope") is None
    assert bus.read_bytes(0x80001010, 6) == b"hello\0"
    zeros = elf.symbols["zeros"]
    assert bus.read_bytes(zeros, 64) == bytes(64)  # .bss is zero-filled over old contents
    assert all(size > 0 for _, size in elf.segments)


def test_missing_file(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        load_elf(_bus(), str(tmp_path / "nothing.elf"))


def test_not_an_elf(tmp_path):
    p = tmp_path / "x.elf"
    p.write_text("this is text\n")
    with pytest.raises(LoadError, match="not an ELF file"):
        load_elf(_bus(), str(p))


def test_not_riscv():
    with pytest.raises(LoadError, match="not a RISC-V ELF"):
        load_elf(_bus(), "/bin/sh")


def test_not_64_bit():
    d = OUT / "rv32"
    d.mkdir(parents=True, exist_ok=True)
    (d / "a.s").write_text(".text\nnop\n")
    subprocess.run(["riscv64-linux-gnu-as", "-march=rv32i", "-mabi=ilp32", "-o", str(d / "a.o"),
                    str(d / "a.s")], check=True)
    with pytest.raises(LoadError, match="not a 64-bit ELF"):
        load_elf(_bus(), str(d / "a.o"))


def test_does_not_fit():
    elf = build("loadme", SRC)
    with pytest.raises(LoadError, match="does not fit in RAM") as info:
        load_elf(_bus(size=0x1000), str(elf))
    assert "\n" not in str(info.value)
