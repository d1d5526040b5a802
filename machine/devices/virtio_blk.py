"""virtio-mmio transports (version 2, virtio 1.x) and the virtio block device.

The register layout is the virtio 1.1 spec's section 4.2.2 ("MMIO Device
Register Layout"), as QEMU gives it with `virtio-mmio.force-legacy=false`:
32-bit registers below 0x100 (another width reads 0 and writes nothing,
as QEMU does), device configuration from 0x100 in any width. A slot with
no device (`VirtioMmio(backend=None)`) answers magic, version and vendor,
and device id 0, like QEMU's empty transports.

The block device (spec section 5.2) serves one split virtqueue (2.6) of up
to 256 entries: VIRTIO_BLK_T_IN, OUT, FLUSH and GET_ID; other types get
VIRTIO_BLK_S_UNSUPP. Requests are served synchronously when the driver
writes QueueNotify, from descriptors in RAM (direct or indirect); data is
written into RAM through `Bus.write_bytes`. A malformed queue (a
descriptor outside RAM, a loop, a chain without a status byte) puts the
device into DEVICE_NEEDS_RESET and raises a configuration-change interrupt,
as QEMU's `virtio_error` does; nothing the guest writes can raise here.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO, List, Tuple

from trapscope.machine.bus import Bus, BusError, Device
from trapscope.machine.devices import IrqLine, no_irq

MAGIC = 0x74726976  # "virt"
VERSION = 2
VENDOR = 0x554D4551  # "QEMU"
DEVICE_ID_BLOCK = 2

# Register offsets (virtio 1.1, 4.2.2).
R_MAGIC, R_VERSION, R_DEVICE_ID, R_VENDOR_ID = 0x00, 0x04, 0x08, 0x0C
R_DEVICE_FEATURES, R_DEVICE_FEATURES_SEL = 0x10, 0x14
R_DRIVER_FEATURES, R_DRIVER_FEATURES_SEL = 0x20, 0x24
R_QUEUE_SEL, R_QUEUE_NUM_MAX, R_QUEUE_NUM, R_QUEUE_READY = 0x30, 0x34, 0x38, 0x44
R_QUEUE_NOTIFY, R_INTERRUPT_STATUS, R_INTERRUPT_ACK, R_STATUS = 0x50, 0x60, 0x64, 0x70
R_QUEUE_DESC_LOW, R_QUEUE_DESC_HIGH = 0x80, 0x84
R_QUEUE_DRIVER_LOW, R_QUEUE_DRIVER_HIGH = 0x90, 0x94
R_QUEUE_DEVICE_LOW, R_QUEUE_DEVICE_HIGH = 0xA0, 0xA4
R_CONFIG_GENERATION = 0xFC
R_CONFIG = 0x100

STATUS_FEATURES_OK = 8
STATUS_NEEDS_RESET = 0x40
INT_USED_BUFFER = 1
INT_CONFIG_CHANGE = 2

VIRTQ_DESC_F_NEXT = 1
VIRTQ_DESC_F_WRITE = 2
VIRTQ_DESC_F_INDIRECT = 4
VIRTQ_AVAIL_F_NO_INTERRUPT = 1

F_BLK_SEG_MAX = 1 << 2
F_BLK_RO = 1 << 5
F_BLK_BLK_SIZE = 1 << 6
F_BLK_FLUSH = 1 << 9
F_RING_INDIRECT_DESC = 1 << 28
F_VERSION_1 = 1 << 32

T_IN, T_OUT, T_FLUSH, T_GET_ID = 0, 1, 4, 8
S_OK, S_IOERR, S_UNSUPP = 0, 1, 2
SECTOR = 512
QUEUE_NUM_MAX = 256
ID_BYTES = 20


class QueueError(Exception):
    """The driver handed the device a malformed virtqueue."""


class Virtqueue:
    """One split virtqueue's registers and the device's position in it."""

    def __init__(self) -> None:
        self.num = QUEUE_NUM_MAX
        self.ready = 0
        self.desc = 0
        self.driver = 0
        self.device = 0
        self.last_avail = 0


class BlockBackend:
    """A raw disk image file served as a virtio block device."""

    device_id = DEVICE_ID_BLOCK

    def __init__(self, path: str, *, read_only: bool = False,
                 serial: bytes = b"trapscope-disk0") -> None:
        self.path = path
        self.read_only = read_only or not os.access(path, os.W_OK)
        self.file: BinaryIO = open(path, "rb" if self.read_only else "r+b")  # noqa: SIM115
        self.file.seek(0, os.SEEK_END)
        self.sectors = self.file.tell() // SECTOR
        self.serial = serial[:ID_BYTES].ljust(ID_BYTES, b"\0")

    def features(self) -> int:
        """Device feature bits beyond the transport's."""
        ro = F_BLK_RO if self.read_only else 0
        return F_BLK_SEG_MAX | F_BLK_BLK_SIZE | F_BLK_FLUSH | ro

    def config(self) -> bytes:
        """struct virtio_blk_config up to blk_size (5.2.4)."""
        geometry = struct.pack("<HBB", 0, 0, 0)
        return struct.pack("<QII", self.sectors, 0, QUEUE_NUM_MAX - 2) + geometry + struct.pack("<I", SECTOR)

    def close(self) -> None:
        self.file.close()

    def serve(self, out: bytes, in_len: int) -> Tuple[bytes, int]:
        """One request: `out` is what the driver gave, `in_len` the room to answer.

        Returns the data to write back (without the status byte) and the status.
        """
        if len(out) < 16:
            return b"", S_IOERR
        rtype, _, sector = struct.unpack("<IIQ", out[:16])
        data = out[16:]
        if rtype == T_IN:
            return self._read(sector, in_len)
        if rtype == T_OUT:
            return b"", self._write(sector, data)
        if rtype == T_FLUSH:
            self.file.flush()
            return b"", S_OK
        if rtype == T_GET_ID:
            return self.serial[:in_len], S_OK
        return b"", S_UNSUPP

    def _in_range(self, sector: int, length: int) -> bool:
        return length % SECTOR == 0 and sector + length // SECTOR <= self.sectors

    def _read(self, sector: int, length: int) -> Tuple[bytes, int]:
        if not self._in_range(sector, length):
            return b"", S_IOERR
        self.file.seek(sector * SECTOR)
        return self.file.read(length), S_OK

    def _write(self, sector: int, data: bytes) -> int:
        if self.read_only or not self._in_range(sector, len(data)):
            return S_IOERR
        self.file.seek(sector * SECTOR)
        self.file.write(data)
        return S_OK


def _queue_addr(attr: str, high: bool):
    """A register writer for one half of a queue address (QueueDesc/Driver/Device)."""
    def setter(dev: VirtioMmio, value: int) -> None:
        if dev.queue_sel != 0:
            return
        old = getattr(dev.queue, attr)
        new = (old & 0xFFFFFFFF) | (value << 32) if high else (old & ~0xFFFFFFFF) | value
        setattr(dev.queue, attr, new)
    return setter


class VirtioMmio(Device):
    """One virtio-mmio slot, with a block backend or empty."""

    name = "virtio-mmio"

    def __init__(self, base: int, size: int, bus: Bus, backend: BlockBackend | None = None,
                 irq: IrqLine | None = None) -> None:
        super().__init__(base, size)
        self.bus = bus
        self.backend = backend
        self.irq = irq if irq is not None else no_irq()
        self.reset()

    def reset(self) -> None:
        self.status = 0
        self.interrupt_status = 0
        self.device_features_sel = 0
        self.driver_features_sel = 0
        self.driver_features = 0
        self.queue_sel = 0
        self.queue = Virtqueue()
        self.irq.set(False)

    # -- registers --------------------------------------------------------
    def read(self, offset: int, size: int) -> int:
        if offset >= R_CONFIG:
            cfg = self.backend.config() if self.backend else b""
            raw = cfg[offset - R_CONFIG : offset - R_CONFIG + size]
            return int.from_bytes(raw.ljust(size, b"\0"), "little")
        if size != 4:
            return 0
        if self.backend is None:
            return {R_MAGIC: MAGIC, R_VERSION: VERSION, R_VENDOR_ID: VENDOR}.get(offset, 0)
        return self._read_reg(offset)

    def _device_features(self) -> int:
        return F_VERSION_1 | F_RING_INDIRECT_DESC | self.backend.features()

    def _read_reg(self, offset: int) -> int:
        q = self.queue
        selected = self.queue_sel == 0
        if offset == R_DEVICE_FEATURES:
            sel = self.device_features_sel
            return (self._device_features() >> (32 * sel)) & 0xFFFFFFFF if sel < 2 else 0
        if offset == R_QUEUE_NUM_MAX:
            return QUEUE_NUM_MAX if selected else 0
        if offset == R_QUEUE_READY:
            return q.ready if selected else 0
        regs = {
            R_MAGIC: MAGIC, R_VERSION: VERSION, R_DEVICE_ID: self.backend.device_id,
            R_VENDOR_ID: VENDOR, R_INTERRUPT_STATUS: self.interrupt_status,
            R_STATUS: self.status, R_CONFIG_GENERATION: 0,
        }
        return regs.get(offset, 0)

    def write(self, offset: int, size: int, value: int) -> None:
        if self.backend is None or offset >= R_CONFIG or size != 4:
            return  # the block config space is read-only here
        handler = self._WRITES.get(offset)
        if handler is not None:
            handler(self, value & 0xFFFFFFFF)

    def _w_status(self, value: int) -> None:
        if value == 0:
            self.reset()
            return
        if value & STATUS_FEATURES_OK and self.driver_features & ~self._device_features():
            value &= ~STATUS_FEATURES_OK
        self.status = value | (self.status & STATUS_NEEDS_RESET)

    def _w_features_word(self, value: int) -> None:
        sel = self.driver_features_sel
        if sel < 2:
            shift = 32 * sel
            self.driver_features = (self.driver_features & ~(0xFFFFFFFF << shift)) | (value << shift)

    def _w_queue_num(self, value: int) -> None:
        if self.queue_sel == 0 and 0 < value <= QUEUE_NUM_MAX and value & (value - 1) == 0:
            self.queue.num = value

    def _w_interrupt_ack(self, value: int) -> None:
        self.interrupt_status &= ~value
        self.irq.set(self.interrupt_status != 0)

    def _w_notify(self, value: int) -> None:
        if value != 0 or not self.queue.ready or self.status & STATUS_NEEDS_RESET:
            return
        try:
            served = self._drain(self.queue)
        except (QueueError, BusError):
            self.status |= STATUS_NEEDS_RESET
            self._interrupt(INT_CONFIG_CHANGE)
            return
        if served and not self._avail_flags(self.queue) & VIRTQ_AVAIL_F_NO_INTERRUPT:
            self._interrupt(INT_USED_BUFFER)

    def _interrupt(self, bits: int) -> None:
        self.interrupt_status |= bits
        self.irq.set(True)

    # -- the split virtqueue ----------------------------------------------
    def _u16(self, addr: int) -> int:
        return struct.unpack("<H", self.bus.read_bytes(addr, 2))[0]

    def _avail_flags(self, q: Virtqueue) -> int:
        return self._u16(q.driver)

    def _drain(self, q: Virtqueue) -> int:
        """Serve every available chain; return how many were served."""
        served = 0
        avail_idx = self._u16(q.driver + 2)
        if (avail_idx - q.last_avail) & 0xFFFF > q.num:
            raise QueueError("avail index moved by more than the queue size")
        while q.last_avail != avail_idx:
            head = self._u16(q.driver + 4 + 2 * (q.last_avail % q.num))
            written = self._serve_chain(q, head)
            self._push_used(q, head, written)
            q.last_avail = (q.last_avail + 1) & 0xFFFF
            served += 1
        return served

    def _push_used(self, q: Virtqueue, head: int, written: int) -> None:
        used_idx = self._u16(q.device + 2)
        elem = q.device + 4 + 8 * (used_idx % q.num)
        self.bus.write_bytes(elem, struct.pack("<II", head, written))
        self.bus.write_bytes(q.device + 2, struct.pack("<H", (used_idx + 1) & 0xFFFF))

    def _chain(self, q: Virtqueue, head: int) -> List[Tuple[int, int, bool]]:
        """(addr, len, device-writable) of each buffer of a chain, indirect ones expanded."""
        table, count, index = q.desc, q.num, head
        bufs: List[Tuple[int, int, bool]] = []
        for _ in range(count + 1):
            if index >= count:
                raise QueueError("descriptor index out of range")
            addr, length, flags, nxt = struct.unpack("<QIHH", self.bus.read_bytes(table + 16 * index, 16))
            if flags & VIRTQ_DESC_F_INDIRECT:
                if table != q.desc or length % 16 or not length:
                    raise QueueError("bad indirect descriptor")
                table, count, index = addr, length // 16, 0
                continue
            bufs.append((addr, length, bool(flags & VIRTQ_DESC_F_WRITE)))
            if not flags & VIRTQ_DESC_F_NEXT:
                return bufs
            index = nxt
        raise QueueError("descriptor chain loops")

    def _serve_chain(self, q: Virtqueue, head: int) -> int:
        bufs = self._chain(q, head)
        out = b"".join(self.bus.read_bytes(a, n) for a, n, w in bufs if not w)
        ins = [(a, n) for a, n, w in bufs if w and n]
        room = sum(n for _, n in ins)
        if room < 1:
            raise QueueError("request without a status byte")
        data, status = self.backend.serve(out, room - 1)
        self._scatter(ins, data + bytes((status,)) if len(data) == room - 1 else data)
        if len(data) != room - 1:
            self._write_status(ins, status)
        return len(data) + 1

    def _scatter(self, ins: List[Tuple[int, int]], data: bytes) -> None:
        pos = 0
        for addr, length in ins:
            if pos >= len(data):
                return
            chunk = data[pos : pos + length]
            self.bus.write_bytes(addr, chunk)
            pos += len(chunk)

    def _write_status(self, ins: List[Tuple[int, int]], status: int) -> None:
        addr, length = ins[-1]
        self.bus.write_bytes(addr + length - 1, bytes((status,)))

    _WRITES = {
        R_DEVICE_FEATURES_SEL: lambda self, v: setattr(self, "device_features_sel", v),
        R_DRIVER_FEATURES_SEL: lambda self, v: setattr(self, "driver_features_sel", v),
        R_DRIVER_FEATURES: _w_features_word,
        R_QUEUE_SEL: lambda self, v: setattr(self, "queue_sel", v),
        R_QUEUE_NUM: _w_queue_num,
        R_QUEUE_READY: lambda self, v: setattr(self.queue, "ready", v & 1) if self.queue_sel == 0 else None,
        R_QUEUE_NOTIFY: _w_notify,
        R_INTERRUPT_ACK: _w_interrupt_ack,
        R_STATUS: _w_status,
        R_QUEUE_DESC_LOW: _queue_addr("desc", False),
        R_QUEUE_DESC_HIGH: _queue_addr("desc", True),
        R_QUEUE_DRIVER_LOW: _queue_addr("driver", False),
        R_QUEUE_DRIVER_HIGH: _queue_addr("driver", True),
        R_QUEUE_DEVICE_LOW: _queue_addr("device", False),
        R_QUEUE_DEVICE_HIGH: _queue_addr("device", True),
    }
