"""The device tree that describes the `virt` board to the firmware and kernel.

Node names, properties and their order follow what QEMU 7.2 generates for
`-machine virt` (`create_fdt` in hw/riscv/virt.c), limited to the devices
this board has: no PCIe, flash, fw-cfg, RTC or PMU nodes.
"""

from __future__ import annotations

from typing import List

from trapscope.machine import config as C
from trapscope.machine.fdt import Node, cells64, to_dtb

RISCV_ISA = "rv64imafdc_zicsr_zifencei"
IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_M_EXT = 3, 7, 9, 11


def _reg(base: int, size: int) -> List[int]:
    return [*cells64(base), *cells64(size)]


class _Phandles:
    def __init__(self) -> None:
        self.next = 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


def _cpus(root: Node, smp: int, ph: _Phandles) -> List[int]:
    """The /cpus node; returns each hart's interrupt-controller phandle."""
    cpus = root.add("cpus").set("#address-cells", 1).set("#size-cells", 0)
    cpus.set("timebase-frequency", C.TIMEBASE_FREQ)
    cpu_ph, intc_ph = [], []
    for h in range(smp):
        cpu = cpus.add(f"cpu@{h}")
        cpu_ph.append(ph.take())
        cpu.set("phandle", cpu_ph[-1]).set("device_type", "cpu").set("reg", h)
        cpu.set("status", "okay").set("compatible", "riscv").set("riscv,isa", RISCV_ISA)
        cpu.set("mmu-type", "riscv,sv39")
        intc = cpu.add("interrupt-controller")
        intc_ph.append(ph.take())
        intc.set("#interrupt-cells", 1).set("interrupt-controller").set("compatible", "riscv,cpu-intc")
        intc.set("phandle", intc_ph[-1])
    cluster = cpus.add("cpu-map").add("cluster0")
    for h in range(smp):
        cluster.add(f"core{h}").set("cpu", cpu_ph[h])
    return intc_ph


def _soc(root: Node, intc: List[int], test_ph: int, plic_ph: int) -> None:
    soc = root.add("soc").set("#address-cells", 2).set("#size-cells", 2)
    soc.set("compatible", "simple-bus").set("ranges")
    uart = soc.add(f"serial@{C.UART0_BASE:x}")
    uart.set("interrupts", C.UART0_IRQ).set("interrupt-parent", plic_ph)
    uart.set("clock-frequency", C.UART0_CLOCK).set("reg", _reg(C.UART0_BASE, C.UART0_SIZE))
    uart.set("compatible", "ns16550a")
    test = soc.add(f"test@{C.TEST_BASE:x}").set("phandle", test_ph)
    test.set("reg", _reg(C.TEST_BASE, C.TEST_SIZE))
    test.set("compatible", ["sifive,test1", "sifive,test0", "syscon"])
    for i in reversed(range(C.VIRTIO_COUNT)):
        base = C.VIRTIO_BASE + i * C.VIRTIO_STRIDE
        node = soc.add(f"virtio_mmio@{base:x}")
        node.set("interrupts", C.VIRTIO_IRQ + i).set("interrupt-parent", plic_ph)
        node.set("reg", _reg(base, C.VIRTIO_STRIDE)).set("compatible", "virtio,mmio")
    plic = soc.add(f"plic@{C.PLIC_BASE:x}").set("phandle", plic_ph)
    plic.set("riscv,ndev", C.PLIC_NUM_SOURCES)
    plic.set("reg", _reg(C.PLIC_BASE, C.PLIC_SIZE))
    plic.set("interrupts-extended", [v for p in intc for v in (p, IRQ_M_EXT, p, IRQ_S_EXT)])
    plic.set("interrupt-controller").set("compatible", ["sifive,plic-1.0.0", "riscv,plic0"])
    plic.set("#address-cells", 0).set("#interrupt-cells", 1)
    clint = soc.add(f"clint@{C.CLINT_BASE:x}")
    clint.set("interrupts-extended", [v for p in intc for v in (p, IRQ_M_SOFT, p, IRQ_M_TIMER)])
    clint.set("reg", _reg(C.CLINT_BASE, C.CLINT_SIZE))
    clint.set("compatible", ["sifive,clint0", "riscv,clint0"])


def virt_tree(smp: int, mem_size: int, bootargs: str = "") -> Node:
    """The whole tree for `smp` harts and `mem_size` bytes of RAM."""
    ph = _Phandles()
    root = Node().set("#address-cells", 2).set("#size-cells", 2)
    root.set("compatible", "riscv-virtio").set("model", "riscv-virtio,trapscope")
    chosen = root.add("chosen")
    if bootargs:
        chosen.set("bootargs", bootargs)
    chosen.set("stdout-path", f"/soc/serial@{C.UART0_BASE:x}")
    test_ph = ph.take()
    for name, value in (("poweroff", 0x5555), ("reboot", 0x7777)):
        node = root.add(name).set("value", value).set("offset", 0).set("regmap", test_ph)
        node.set("compatible", f"syscon-{name}")
    mem = root.add(f"memory@{C.DRAM_BASE:x}").set("device_type", "memory")
    mem.set("reg", _reg(C.DRAM_BASE, mem_size))
    intc = _cpus(root, smp, ph)
    _soc(root, intc, test_ph, ph.take())
    return root


def virt_dtb(smp: int, mem_size: int, bootargs: str = "", boot_hart: int = 0) -> bytes:
    """The tree as a DTB blob."""
    return to_dtb(virt_tree(smp, mem_size, bootargs), boot_cpuid=boot_hart)
