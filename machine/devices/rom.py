"""The reset-vector ROM at 0x1000, byte for byte as QEMU 7.2 fills it.

`riscv_setup_rom_reset_vec` (hw/riscv/boot.c) writes six instructions,
the start address and the device-tree address as 64-bit words, then the
`fw_dynamic_info` structure OpenSBI's fw_dynamic reads through a2:

    0x1000  auipc t0, 0          t0 = 0x1000
    0x1004  addi  a2, t0, 40     a2 = &fw_dynamic_info (0x1028)
    0x1008  csrr  a0, mhartid
    0x100c  ld    a1, 32(t0)     a1 = FDT address
    0x1010  ld    t0, 24(t0)
    0x1014  jr    t0             to the firmware (or M-mode program)
    0x1018  .dword start_addr
    0x1020  .dword fdt_addr
    0x1028  fw_dynamic_info { magic "OSBI", version 2, next_addr,
                              next_mode = S, options 0, boot_hart 0 }
"""

from __future__ import annotations

import struct

from trapscope.machine.bus import Memory

RESET_CODE = (0x00000297, 0x02828613, 0xF1402573, 0x0202B583, 0x0182B283, 0x00028067)
FW_DYNAMIC_INFO_MAGIC = 0x4942534F  # "OSBI"
FW_DYNAMIC_INFO_VERSION = 2
FW_DYNAMIC_INFO_NEXT_MODE_S = 1
FW_DYNAMIC_INFO_OFFSET = 0x28


def reset_vector(start_addr: int, fdt_addr: int, next_addr: int) -> bytes:
    """The ROM's contents: code, two addresses, and fw_dynamic_info."""
    code = struct.pack("<6I", *RESET_CODE)
    addrs = struct.pack("<QQ", start_addr, fdt_addr)
    info = struct.pack("<6Q", FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, next_addr,
                       FW_DYNAMIC_INFO_NEXT_MODE_S, 0, 0)
    return code + addrs + info


class Rom(Memory):
    """Read-only memory whose stores are dropped without a fault, as QEMU's ROM regions do."""

    def write(self, offset: int, size: int, value: int) -> None:
        pass


def make_rom(base: int, size: int) -> Memory:
    """The (read-only) memory that holds the reset vector."""
    return Rom(base, size, writable=False, name="mrom")
