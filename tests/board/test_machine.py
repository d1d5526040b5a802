"""Machine assembly: memory map, device tree in RAM, --dtb, boot state, reboot, serial over TCP."""

import gc
import re
import socket
import subprocess
import threading

import pytest
from trapscope.machine import config as C
from trapscope.machine.board import Machine
from trapscope.machine.config import ConfigError, MachineConfig
from trapscope.machine.debug import StopReason
from trapscope.machine.devices.rom import reset_vector
from trapscope.machine.fdt import from_dtb, total_size

from . import guests


def machine(**kw):
    kw.setdefault("kernel", str(guests.demo()))
    return Machine(MachineConfig(**kw))


def test_memory_map():
    m = machine(mem_mib=64)
    try:
        regions = {name: (base, size) for name, base, size in m.bus.regions()}
        assert regions["ram"] == (0x8000_0000, 64 << 20)
        assert regions["mrom"] == (0x1000, 0xF000)
        assert regions["clint"][0] == 0x0200_0000
        assert regions["plic"] == (0x0C00_0000, 0x60_0000)
        assert regions["uart"][0] == 0x1000_0000
        assert regions["test"] == (0x10_0000, 0x1000)
        slots = sorted(base for name, base, _ in m.bus.regions() if name == "virtio-mmio")
        assert slots == [0x1000_1000 + 0x1000 * i for i in range(8)]
    finally:
        m.close()


def test_device_tree_in_ram_carries_append_and_sizes():
    m = machine(smp=3, mem_mib=256, append="console=ttyS0 init=tests")
    try:
        addr = C.fdt_address(256 << 20)
        blob = m.bus.read_bytes(addr, 1 << 16)
        tree = from_dtb(blob[: total_size(blob)])
        assert tree.find("/chosen").prop_strings("bootargs") == ["console=ttyS0 init=tests"]
        assert len([p for p, _ in tree.walk() if p.startswith("/cpus/cpu@") and p.count("/") == 2]) == 3
        assert tree.find("/memory@80000000").prop_cells("reg") == [0, 0x8000_0000, 0, 256 << 20]
    finally:
        m.close()


def test_builtin_boot_state():
    m = machine(smp=2)
    try:
        h0, h1 = m.harts
        assert (h0.priv, h0.pc, h0.started) == (1, m.program.entry, True)
        assert h0.x[10] == 0 and h0.x[11] == m.fdt_addr
        assert not h1.started
        assert m.bus.read_bytes(C.MROM_BASE, 0x58) == reset_vector(m.program.entry, m.fdt_addr, m.program.entry)
    finally:
        m.close()


def test_bios_none_starts_every_hart_at_the_rom():
    m = machine(bios="none", kernel=str(guests.htif_test()))
    try:
        for h in m.harts:
            assert (h.priv, h.pc, h.started) == (3, C.MROM_BASE, True)
    finally:
        m.close()


def test_given_dtb_lands_where_qemu_puts_its_own(tmp_path):
    path = tmp_path / "qemu.dtb"
    subprocess.run(["qemu-system-riscv64", "-machine", f"virt,dumpdtb={path}", "-smp", "2", "-m", "128M",
                    "-display", "none"], check=True, capture_output=True)
    blob = path.read_bytes()
    m = machine(dtb=str(path))
    try:
        assert m.fdt_addr == 0x87E0_0000
        assert m.bus.read_bytes(m.fdt_addr, len(blob)) == blob
    finally:
        m.close()


def test_config_errors():
    with pytest.raises(ConfigError, match="smp"):
        machine(smp=0)
    with pytest.raises(ConfigError, match="needs a program"):
        Machine(MachineConfig())
    with pytest.raises(ConfigError, match="serial"):
        machine(serial="pipe:x")
    with pytest.raises(ConfigError, match="--drive"):
        machine(drive="/no/such/image")


def test_syscon_reset_reboots_the_machine():
    m = machine(bios="none", kernel=str(guests.reboot_test()), smp=1)
    out = []
    m.uart.output_listeners.append(out.append)
    try:
        stop = m.run(max_insns=2_000)
    finally:
        m.close()
    assert stop.reason is StopReason.INSN_LIMIT
    assert b"".join(out).count(b"boot\n") >= 3


def test_demo_over_tcp_serial():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    m = machine(serial=f"tcp:127.0.0.1:{port}")
    received = []
    try:
        client = socket.create_connection(("127.0.0.1", port), timeout=30)
        reader = threading.Thread(target=lambda: received.append(_read_all(client)))
        reader.start()
        while m.serial.client is None:
            threading.Event().wait(0.01)
        stop = m.run(max_insns=5_000_000)
    finally:
        m.close()
    reader.join(30)
    assert stop.reason is StopReason.EXITED and stop.exit_code == 0
    assert b"hello from hart 1" in received[0]


def _read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk


def test_debug_reset_powers_on_again():
    m = machine(smp=2)
    out = []
    m.uart.output_listeners.append(out.append)
    try:
        first = m.run(max_insns=5_000_000)
        text = b"".join(out)
        out.clear()
        m.debug.reset()
        assert (m.harts[0].pc, m.harts[1].started) == (m.program.entry, False)
        second = m.run(max_insns=5_000_000)
    finally:
        m.close()
    assert first.reason is second.reason is StopReason.EXITED
    assert b"".join(out) == text and b"hello from hart 1" in text


def _rss_mib() -> int:
    status = open("/proc/self/status").read()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) // 1024


def test_power_on_clears_ram_and_gives_it_back():
    m = machine(mem_mib=128)
    try:
        before = _rss_mib()
        m.bus.write_bytes(0x8400_0000, b"\xa5" * (32 << 20))
        assert _rss_mib() - before >= 30  # the pages written are resident
        m.debug.reset()
        assert m.bus.read_bytes(0x8400_0000, 16) == bytes(16)
        assert m.bus.read_bytes(0x85ff_fff0, 16) == bytes(16)
        assert _rss_mib() - before < 16  # and given back to the host
        assert m.run(max_insns=5_000_000).reason is StopReason.EXITED  # the program was loaded again
    finally:
        m.close()


def test_closed_machines_give_their_memory_back_without_the_garbage_collector():
    # A fresh machine's RAM costs nothing until touched, and close() returns what
    # was touched: 50 machines of 128 MiB that each ran and dirtied 4 MiB leave
    # the process's resident size where it was, even with the cyclic collector off.
    elf = str(guests.demo())
    gc.collect()
    start = _rss_mib()
    gc.disable()
    try:
        for i in range(50):
            m = Machine(MachineConfig(kernel=elf, mem_mib=128, serial="none"))
            m.run(max_insns=20_000)
            m.bus.write_bytes(0x8100_0000, b"\x5a" * (4 << 20))
            m.close()
            del m
            grown = _rss_mib() - start
            assert grown < 64, f"resident size grew by {grown} MiB after {i + 1} machines"
    finally:
        gc.enable()


def test_a_switched_off_timer_waits_for_input_instead_of_firing(tmp_path):
    # The guest switches its timer off (mtimecmp = ~0) and sleeps in WFI until
    # UART input comes. Idle, the machine jumps time to the next deadline, but
    # ~0 is no deadline: it must wait for the input, not jump mtime to 2**64-1
    # and drown the guest in timer interrupts (the input then arrives too late).
    image = tmp_path / "d.img"
    image.write_bytes(b"sector zero".ljust(512, b"\0") + b"sector one says hi".ljust(1536, b"\0"))
    m = machine(kernel=str(guests.devices_test()), bios="none", drive=str(image), serial="none")
    out = []
    waiting = threading.Event()

    def on_output(data: bytes) -> None:
        out.append(data)
        if b"msip_after" in b"".join(out):
            waiting.set()  # the next thing the guest does is wait for input

    def type_late() -> None:
        waiting.wait(60)
        m.sched.post(lambda: m.uart.inject(b"abcd"))

    m.uart.output_listeners.append(on_output)
    typist = threading.Thread(target=type_late)
    typist.start()
    try:
        stop = m.run(max_insns=5_000_000)
        typist.join()
        text = b"".join(out)
        assert stop.reason is StopReason.EXITED, text
        assert b"uart_rx_text abcd" in text and b"\ndone\n" in text, text
        assert m.sched.now() < 10**9  # mtime never jumped to the switched-off compare value
    finally:
        m.close()
