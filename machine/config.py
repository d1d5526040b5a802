"""What a machine is built from: the options, and the QEMU `virt` memory map.

Addresses, sizes and interrupt numbers are QEMU 7.2's `hw/riscv/virt.c`
(`virt_memmap`, `UART0_IRQ`, `VIRTIO_IRQ`, `VIRTIO_COUNT`) so kernels and
habits carry over. Sizes given twice are the size the device tree announces
and the size QEMU actually decodes (accesses between the two fault there,
and here).
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1 << 20

MROM_BASE = 0x1000
MROM_SIZE = 0xF000
TEST_BASE = 0x10_0000
TEST_SIZE = 0x1000
CLINT_BASE = 0x200_0000
CLINT_SIZE = 0x1_0000  # in the device tree
CLINT_DECODED = 0xC000  # aclint swi (0x4000) + mtimer (0x8000)
PLIC_BASE = 0xC00_0000
PLIC_SIZE = 0x60_0000  # VIRT_PLIC_SIZE(VIRT_CPUS_MAX * 2)
PLIC_NUM_SOURCES = 96  # VIRT_IRQCHIP_NUM_SOURCES; the tree's riscv,ndev
PLIC_NUM_PRIORITIES = 7
UART0_BASE = 0x1000_0000
UART0_SIZE = 0x100  # in the device tree
UART0_DECODED = 8
UART0_IRQ = 10
UART0_CLOCK = 3_686_400
VIRTIO_BASE = 0x1000_1000
VIRTIO_STRIDE = 0x1000
VIRTIO_COUNT = 8
VIRTIO_DECODED = 0x200
VIRTIO_IRQ = 1  # slot i uses IRQ VIRTIO_IRQ + i
DRAM_BASE = 0x8000_0000
TIMEBASE_FREQ = 10_000_000
KERNEL_ENTRY = 0x8020_0000  # where the built-in SBI expects an S-mode kernel
FDT_MAX_SIZE = 1 * MiB  # QEMU's create_device_tree() buffer; decides where the FDT lands

MAX_HARTS = 64
MIN_MEM_MIB = 8
MAX_MEM_MIB = 4096

BIOS_BUILTIN = "builtin"
BIOS_NONE = "none"


class ConfigError(ValueError):
    """A machine option that cannot be honoured; the message is one line."""


@dataclass
class MachineConfig:
    """Everything needed to build a `Machine`.

    `bios` is "builtin" (the built-in SBI), "none" (an M-mode program at
    DRAM_BASE, entered from the reset ROM) or the path of a firmware ELF or
    flat binary (loaded at DRAM_BASE). `kernel` is the ELF to run (S-mode
    payload with an SBI, or the M-mode program with "none"). `serial` is
    the host side of the UART: "stdio", "tcp:HOST:PORT", "file:PATH" or
    "none". `dtb` replaces the generated device tree (then `append` is not
    applied). `drive` is a raw disk image for the virtio block device.
    """

    smp: int = 2
    mem_mib: int = 128
    bios: str = BIOS_BUILTIN
    kernel: str | None = None
    append: str = ""
    drive: str | None = None
    dtb: str | None = None
    serial: str = "none"
    boot_hart: int = 0

    @property
    def mem_size(self) -> int:
        """RAM size in bytes."""
        return self.mem_mib * MiB

    def validate(self) -> None:
        """Raise ConfigError for a value that cannot work."""
        if not 1 <= self.smp <= MAX_HARTS:
            raise ConfigError(f"--smp must be between 1 and {MAX_HARTS}, not {self.smp}")
        if not MIN_MEM_MIB <= self.mem_mib <= MAX_MEM_MIB:
            raise ConfigError(f"--mem must be between {MIN_MEM_MIB} and {MAX_MEM_MIB} MiB, not {self.mem_mib}")
        if not 0 <= self.boot_hart < self.smp:
            raise ConfigError(f"boot hart {self.boot_hart} does not exist with {self.smp} harts")
        if self.bios == BIOS_NONE and self.kernel is None:
            raise ConfigError("--bios none needs a program (ELF) to run")


def fdt_address(mem_size: int, fdt_size: int = FDT_MAX_SIZE) -> int:
    """Where QEMU 7.2 puts the device tree (`riscv_load_fdt`).

    The top of RAM (capped at 3 GiB) minus the tree's buffer size, aligned
    down to 2 MiB: 0x87e00000 with 128 MiB.
    """
    top = min(DRAM_BASE + mem_size, 3072 * MiB)
    return (top - max(fdt_size, FDT_MAX_SIZE)) & ~(2 * MiB - 1)
