"""virtio-mmio v2 transport and the block device, driven from RAM like a guest driver."""

import struct

import pytest
from trapscope.machine.bus import Bus, Memory
from trapscope.machine.config import VIRTIO_BASE, VIRTIO_DECODED
from trapscope.machine.devices import IrqLine
from trapscope.machine.devices.virtio_blk import BlockBackend, VirtioMmio

RAM = 0x8000_0000
DESC, AVAIL, USED = RAM + 0x1000, RAM + 0x2000, RAM + 0x3000
HDR, DATA, STATUS = RAM + 0x4000, RAM + 0x5000, RAM + 0x7000
QSIZE = 8
NEXT, WRITE, INDIRECT = 1, 2, 4


class Driver:
    """Just enough of a virtio driver to submit requests by hand."""

    def __init__(self, bus, base=VIRTIO_BASE):
        self.bus, self.base = bus, base
        self.avail_idx = 0

    def reg(self, off, value=None):
        if value is None:
            return self.bus.read(self.base + off, 4)
        self.bus.write(self.base + off, 4, value)
        return None

    def init(self, features=(1 << 32) | (1 << 9)):
        self.reg(0x70, 0)
        self.reg(0x70, 1 | 2)
        self.reg(0x24, 0)
        self.reg(0x20, features & 0xFFFFFFFF)
        self.reg(0x24, 1)
        self.reg(0x20, features >> 32)
        self.reg(0x70, 1 | 2 | 8)
        assert self.reg(0x70) & 8, "FEATURES_OK refused"
        self.reg(0x30, 0)
        self.reg(0x38, QSIZE)
        for off, addr in ((0x80, DESC), (0x90, AVAIL), (0xA0, USED)):
            self.reg(off, addr & 0xFFFFFFFF)
            self.reg(off + 4, addr >> 32)
        self.reg(0x44, 1)
        self.reg(0x70, 1 | 2 | 8 | 4)

    def desc(self, i, addr, length, flags, nxt=0, table=DESC):
        self.bus.write_bytes(table + 16 * i, struct.pack("<QIHH", addr, length, flags, nxt))

    def submit(self, head):
        self.bus.write_bytes(AVAIL + 4 + 2 * (self.avail_idx % QSIZE), struct.pack("<H", head))
        self.avail_idx += 1
        self.bus.write_bytes(AVAIL + 2, struct.pack("<H", self.avail_idx))
        self.reg(0x50, 0)

    def request(self, rtype, sector, data_len=0, data_write=True, out_data=b""):
        self.bus.write_bytes(HDR, struct.pack("<IIQ", rtype, 0, sector))
        self.bus.write_bytes(STATUS, b"\xff")
        self.desc(0, HDR, 16, NEXT, 1)
        nxt = 1
        if data_len:
            if out_data:
                self.bus.write_bytes(DATA, out_data)
            self.desc(1, DATA, data_len, NEXT | (WRITE if data_write else 0), 2)
            nxt = 2
        self.desc(nxt, STATUS, 1, WRITE)
        self.submit(0)
        return self.bus.read_bytes(STATUS, 1)[0]

    def used(self):
        idx = struct.unpack("<H", self.bus.read_bytes(USED + 2, 2))[0]
        elems = [struct.unpack("<II", self.bus.read_bytes(USED + 4 + 8 * (i % QSIZE), 8)) for i in range(idx)]
        return idx, elems


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(b"".join(bytes([i]) * 512 for i in range(16)))
    return path


@pytest.fixture
def board(image):
    bus = Bus()
    bus.attach(Memory(RAM, 1 << 20))
    levels = []
    backend = BlockBackend(str(image))
    dev = bus.attach(VirtioMmio(VIRTIO_BASE, VIRTIO_DECODED, bus, backend, IrqLine(levels.append)))
    empty = bus.attach(VirtioMmio(VIRTIO_BASE + 0x1000, VIRTIO_DECODED, bus))
    yield bus, dev, empty, levels
    backend.close()


def test_identification_and_config(board):
    bus, dev, _, _ = board
    d = Driver(bus)
    assert (d.reg(0), d.reg(4), d.reg(8), d.reg(0xC)) == (0x74726976, 2, 2, 0x554D4551)
    d.reg(0x14, 1)
    assert d.reg(0x10) & 1  # VIRTIO_F_VERSION_1
    d.reg(0x14, 0)
    assert d.reg(0x10) & (1 << 9)  # FLUSH
    assert bus.read(VIRTIO_BASE + 0x100, 8) == 16  # capacity in sectors
    assert bus.read(VIRTIO_BASE + 0x114, 4) == 512  # blk_size
    assert bus.read(VIRTIO_BASE + 0x100, 1) == 16
    assert d.reg(0x34) == 256
    d.reg(0x30, 1)
    assert d.reg(0x34) == 0  # only queue 0 exists


def test_empty_slot_answers_like_qemu(board):
    bus, _, _, _ = board
    d = Driver(bus, VIRTIO_BASE + 0x1000)
    assert (d.reg(0), d.reg(4), d.reg(8), d.reg(0xC)) == (0x74726976, 2, 0, 0x554D4551)
    d.reg(0x70, 7)
    assert d.reg(0x70) == 0


def test_read_sectors(board):
    bus, _, _, levels = board
    d = Driver(bus)
    d.init()
    assert d.request(0, 3, 1024) == 0
    assert bus.read_bytes(DATA, 1024) == bytes([3]) * 512 + bytes([4]) * 512
    assert d.used() == (1, [(0, 1025)])
    assert levels == [True]
    assert d.reg(0x60) == 1
    d.reg(0x64, 1)
    assert levels == [True, False]


def test_write_then_flush_reaches_the_file(board, image):
    bus, _, _, _ = board
    d = Driver(bus)
    d.init()
    assert d.request(1, 2, 512, data_write=False, out_data=b"W" * 512) == 0
    assert d.request(4, 0) == 0
    with open(image, "rb") as f:
        f.seek(1024)
        assert f.read(512) == b"W" * 512


def test_get_id_unsupported_and_out_of_range(board):
    bus, _, _, _ = board
    d = Driver(bus)
    d.init()
    assert d.request(8, 0, 20) == 0
    assert bus.read_bytes(DATA, 20).rstrip(b"\0") == b"trapscope-disk0"
    assert d.request(99, 0) == 2  # VIRTIO_BLK_S_UNSUPP
    assert d.request(0, 15, 1024) == 1  # runs past the end: IOERR
    assert d.request(0, 0, 100) == 1  # not whole sectors


def test_indirect_descriptors(board):
    bus, _, _, _ = board
    d = Driver(bus)
    d.init((1 << 32) | (1 << 28))
    table = RAM + 0x8000
    bus.write_bytes(HDR, struct.pack("<IIQ", 0, 0, 7))
    d.desc(0, HDR, 16, NEXT, 1, table)
    d.desc(1, DATA, 512, NEXT | WRITE, 2, table)
    d.desc(2, STATUS, 1, WRITE, 0, table)
    d.desc(0, table, 48, INDIRECT)
    d.submit(0)
    assert bus.read_bytes(STATUS, 1) == b"\0"
    assert bus.read_bytes(DATA, 512) == bytes([7]) * 512


def test_no_interrupt_flag_suppresses_irq(board):
    bus, _, _, levels = board
    d = Driver(bus)
    d.init()
    bus.write_bytes(AVAIL, struct.pack("<H", 1))
    assert d.request(0, 0, 512) == 0
    assert levels == []


def test_malformed_queue_sets_needs_reset(board):
    bus, _, _, levels = board
    d = Driver(bus)
    d.init()
    d.desc(0, HDR, 16, NEXT, 0)  # loops onto itself
    d.submit(0)
    assert d.reg(0x70) & 0x40
    assert d.reg(0x60) & 2 and levels == [True]
    d.reg(0x70, 0)  # a reset brings it back
    d.init()
    d.avail_idx = 0
    assert d.request(0, 1, 512) == 0


def test_dma_outside_ram_is_a_device_error_not_a_crash(board):
    bus, _, _, _ = board
    d = Driver(bus)
    d.init()
    bus.write_bytes(HDR, struct.pack("<IIQ", 0, 0, 0))
    d.desc(0, HDR, 16, NEXT, 1)
    d.desc(1, 0x1234_0000, 512, NEXT | WRITE, 2)
    d.desc(2, STATUS, 1, WRITE)
    d.submit(0)
    assert d.reg(0x70) & 0x40


def test_features_beyond_the_device_are_refused(board):
    bus, _, _, _ = board
    d = Driver(bus)
    d.reg(0x70, 3)
    d.reg(0x24, 0)
    d.reg(0x20, 1 << 30)
    d.reg(0x70, 3 | 8)
    assert not d.reg(0x70) & 8


def test_odd_widths_below_config_are_ignored(board):
    bus, _, _, _ = board
    assert bus.read(VIRTIO_BASE, 2) == 0
    bus.write(VIRTIO_BASE + 0x70, 1, 3)
    assert bus.read(VIRTIO_BASE + 0x70, 4) == 0


def test_read_only_image(tmp_path):
    path = tmp_path / "ro.img"
    path.write_bytes(bytes(1024))
    backend = BlockBackend(str(path), read_only=True)
    bus = Bus()
    bus.attach(Memory(RAM, 1 << 20))
    bus.attach(VirtioMmio(VIRTIO_BASE, VIRTIO_DECODED, bus, backend))
    d = Driver(bus)
    d.reg(0x14, 0)
    assert d.reg(0x10) & (1 << 5)  # VIRTIO_BLK_F_RO
    d.init()
    assert d.request(1, 0, 512, data_write=False, out_data=b"x" * 512) == 1
    assert path.read_bytes() == bytes(1024)
    backend.close()
