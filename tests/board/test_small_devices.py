"""The test/syscon finisher, the reset ROM (against QEMU's bytes) and HTIF."""

import re
import struct
import subprocess

import pytest
from trapscope.machine.bus import Bus, BusError, Memory
from trapscope.machine.config import MROM_BASE, MROM_SIZE, TEST_BASE, TEST_SIZE
from trapscope.machine.devices.htif import Htif
from trapscope.machine.devices.rom import make_rom, reset_vector
from trapscope.machine.devices.syscon import Syscon

RAM = 0x8000_0000


@pytest.fixture
def syscon():
    events = []
    bus = Bus()
    bus.attach(Syscon(TEST_BASE, TEST_SIZE, lambda code: events.append(("exit", code)),
                      lambda: events.append(("reset",))))
    return bus, events


def test_syscon_pass_fail_reset(syscon):
    bus, events = syscon
    bus.write(TEST_BASE, 4, 0x5555)
    bus.write(TEST_BASE, 4, (3 << 16) | 0x3333)
    bus.write(TEST_BASE, 4, 0x7777)
    bus.write(TEST_BASE, 2, 0x5555)
    assert events == [("exit", 0), ("exit", 3), ("reset",), ("exit", 0)]


def test_syscon_ignores_other_values_and_offsets(syscon):
    bus, events = syscon
    bus.write(TEST_BASE, 4, 0x1234)
    bus.write(TEST_BASE + 4, 4, 0x5555)
    assert bus.read(TEST_BASE, 4) == 0
    assert events == []
    with pytest.raises(BusError):
        bus.write(TEST_BASE, 1, 0x55)
    with pytest.raises(BusError):
        bus.read(TEST_BASE, 8)


def qemu_rom(*extra):
    """The first 0x58 bytes of QEMU's reset ROM, read through its monitor."""
    out = subprocess.run(
        ["qemu-system-riscv64", "-M", "virt", "-smp", "2", "-m", "128M", "-S", "-display", "none",
         "-serial", "none", "-monitor", "stdio", *extra],
        input="xp /22wx 0x1000\nquit\n", capture_output=True, text=True, timeout=60, check=True).stdout
    words = re.findall(r"^[0-9a-f]+: ((?:0x[0-9a-f]{8} ?)+)", out.replace("\r", ""), re.M)
    values = [int(w, 16) for line in words for w in line.split()]
    return struct.pack(f"<{len(values)}I", *values)


def test_reset_rom_is_byte_identical_to_qemus():
    ours = reset_vector(0x8000_0000, 0x87E0_0000, 0)
    assert qemu_rom("-bios", "none") == ours


def test_rom_is_read_only_but_loadable():
    bus = Bus()
    bus.attach(make_rom(MROM_BASE, MROM_SIZE))
    bus.write_bytes(MROM_BASE, reset_vector(1, 2, 3), force=True)
    assert bus.read(MROM_BASE + 0x18, 8) == 1
    bus.write(MROM_BASE + 0x18, 8, 0)  # a store is dropped, without a fault, as in QEMU
    assert bus.read(MROM_BASE + 0x18, 8) == 1
    with pytest.raises(BusError):
        bus.write_bytes(MROM_BASE, b"\0")
    bus.reset()
    assert bus.read(MROM_BASE + 0x20, 8) == 2


@pytest.fixture
def htif():
    bus = Bus()
    bus.attach(Memory(RAM, 1 << 16))
    exits, out = [], []
    dev = Htif(bus, RAM + 0x1000, RAM + 0x1040, exits.append, out.append)
    return bus, dev, exits, out


def test_htif_pass_and_fail(htif):
    bus, dev, exits, _ = htif
    dev.poll()
    assert exits == []
    bus.write(RAM + 0x1000, 8, 1)
    dev.poll()
    bus.write(RAM + 0x1000, 8, (5 << 1) | 1)
    dev.poll()
    assert exits == [0, 5]
    assert bus.read(RAM + 0x1000, 8) == 0


def test_htif_syscall_write_and_putchar(htif):
    bus, dev, exits, out = htif
    bus.write_bytes(RAM + 0x2000, b"hello")
    bus.write_bytes(RAM + 0x3000, struct.pack("<4Q", 64, 1, RAM + 0x2000, 5))
    bus.write(RAM + 0x1000, 8, RAM + 0x3000)
    dev.poll()
    assert out == [b"hello"]
    assert bus.read(RAM + 0x3000, 8) == 5
    assert bus.read(RAM + 0x1040, 8) == 1
    bus.write(RAM + 0x1000, 8, (1 << 56) | (1 << 48) | ord("!"))
    dev.poll()
    assert out[-1] == b"!"
    bus.write_bytes(RAM + 0x3000, struct.pack("<4Q", 1234, 0, 0, 0))
    bus.write(RAM + 0x1000, 8, RAM + 0x3000)
    dev.poll()
    assert bus.read(RAM + 0x3000, 8) == (-38) & ((1 << 64) - 1)
    bus.write_bytes(RAM + 0x3000, struct.pack("<4Q", 93, 7, 0, 0))
    bus.write(RAM + 0x1000, 8, RAM + 0x3000)
    dev.poll()
    assert exits == [7]


def test_htif_bad_pointer_is_dropped(htif):
    bus, dev, exits, out = htif
    bus.write(RAM + 0x1000, 8, 0x10_0000_0000)
    dev.poll()
    assert (exits, out) == ([], [])
