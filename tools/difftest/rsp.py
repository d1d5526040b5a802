"""A minimal GDB Remote Serial Protocol client, enough to drive QEMU's gdbstub.

QEMU 7.2 does not offer no-ack mode, so every packet is acknowledged. Only
what difftest needs is here: register and memory reads, breakpoints,
single-step and continue, and the target description.
"""

from __future__ import annotations

import socket
import time


class RspError(Exception):
    """The stub answered with an error, or the connection broke."""


def _checksum(payload: bytes) -> bytes:
    return b"%02x" % (sum(payload) & 0xFF)


def _unescape(data: bytes) -> bytes:
    """Undo RSP binary escapes (`}` + byte^0x20) and run-length encoding."""
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0x7D:
            out.append(data[i + 1] ^ 0x20)
            i += 2
        elif c == 0x2A and out:
            out.extend(out[-1:] * (data[i + 1] - 29))
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


class RspClient:
    """One connection to a gdbstub on 127.0.0.1."""

    def __init__(self, port: int, *, connect_timeout: float = 30.0) -> None:
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", port), timeout=5.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RspError(f"cannot connect to the gdbstub on 127.0.0.1:{port}") from None
                time.sleep(0.02)
        self._sock.settimeout(None)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buf = bytearray()

    def close(self) -> None:
        """Close the connection (the stub may keep running)."""
        try:
            self._sock.close()
        except OSError:
            pass

    # -- framing ------------------------------------------------------------
    def _recv_more(self) -> None:
        chunk = self._sock.recv(65536)
        if not chunk:
            raise RspError("the gdbstub closed the connection")
        self._buf += chunk

    def _read_packet(self) -> bytes:
        while True:
            start = self._buf.find(b"$")
            if start >= 0:
                end = self._buf.find(b"#", start)
                if end >= 0 and len(self._buf) >= end + 3:
                    payload = bytes(self._buf[start + 1 : end])
                    csum = bytes(self._buf[end + 1 : end + 3])
                    del self._buf[: end + 3]
                    if _checksum(payload) != csum.lower():
                        self._sock.sendall(b"-")
                        continue
                    self._sock.sendall(b"+")
                    return _unescape(payload)
            self._recv_more()

    def request(self, payload: str) -> str:
        """Send one packet and return the reply's payload (acks handled)."""
        data = payload.encode("latin-1")
        packet = b"$" + data + b"#" + _checksum(data)
        for _ in range(5):
            self._sock.sendall(packet)
            while not self._buf:
                self._recv_more()
            ack = self._buf[0]
            del self._buf[:1]
            if ack == ord("+"):
                return self._read_packet().decode("latin-1")
            if ack != ord("-"):
                # Out-of-band data before the ack: put it back and treat as ack.
                self._buf[:0] = bytes([ack])
                return self._read_packet().decode("latin-1")
        raise RspError(f"packet {payload[:20]!r} refused five times")

    # -- commands -----------------------------------------------------------
    def ok(self, payload: str) -> None:
        """Send a packet that must be answered OK."""
        reply = self.request(payload)
        if reply != "OK":
            raise RspError(f"{payload[:30]!r} answered {reply!r}")

    def read_register(self, regnum: int, nbytes: int = 8) -> int:
        """Read one register by gdb regnum (little-endian hex)."""
        reply = self.request(f"p{regnum:x}")
        if not reply or reply.startswith("E") and len(reply) == 3:
            raise RspError(f"register {regnum} unreadable: {reply!r}")
        return int.from_bytes(bytes.fromhex(reply[: 2 * nbytes]), "little")

    def read_core(self, count: int = 33) -> list:
        """The `g` packet: the first `count` 64-bit registers (x0..x31, pc)."""
        reply = self.request("g")
        raw = bytes.fromhex(reply)
        return [int.from_bytes(raw[8 * i : 8 * i + 8], "little") for i in range(count)]

    def write_register(self, regnum: int, value: int, nbytes: int = 8) -> None:
        """Write one register by gdb regnum."""
        self.ok(f"P{regnum:x}={value.to_bytes(nbytes, 'little').hex()}")

    def read_memory(self, addr: int, length: int) -> bytes:
        """Read memory through the stub (virtual addresses, current hart)."""
        out = bytearray()
        while length > 0:
            n = min(length, 0x200)
            reply = self.request(f"m{addr:x},{n:x}")
            if reply.startswith("E") and len(reply) == 3:
                raise RspError(f"memory at {addr:#x} unreadable: {reply}")
            out += bytes.fromhex(reply)
            addr += n
            length -= n
        return bytes(out)

    def set_breakpoint(self, addr: int) -> None:
        """Insert a software breakpoint at a virtual pc."""
        self.ok(f"Z0,{addr:x},4")

    def clear_breakpoint(self, addr: int) -> None:
        """Remove a software breakpoint."""
        self.ok(f"z0,{addr:x},4")

    def step(self) -> str:
        """Execute one instruction; returns the stop reply."""
        return self.request("s")

    def cont(self) -> str:
        """Continue until the next stop; returns the stop reply."""
        return self.request("c")

    def xfer_features(self, annex: str) -> str:
        """The whole of a qXfer:features:read annex (e.g. target.xml)."""
        out = []
        offset = 0
        while True:
            reply = self.request(f"qXfer:features:read:{annex}:{offset:x},ffb")
            if not reply or reply[0] not in "lm":
                raise RspError(f"qXfer:features:read:{annex} answered {reply!r}")
            out.append(reply[1:])
            offset += len(reply) - 1
            if reply[0] == "l":
                return "".join(out)

    def kill(self) -> None:
        """Ask the stub to end the emulator (no reply is awaited)."""
        try:
            data = b"k"
            self._sock.sendall(b"$" + data + b"#" + _checksum(data))
        except OSError:
            pass


def stop_signal(reply: str) -> int | None:
    """The signal number of a T/S stop reply, None for W/X (the target ended)."""
    if reply[:1] in ("T", "S"):
        return int(reply[1:3], 16)
    return None
