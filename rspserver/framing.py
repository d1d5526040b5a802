"""GDB Remote Serial Protocol framing: bytes in, events out; packets out as bytes.

Sans-IO: `Framer.feed(data)` takes whatever arrived on the wire and returns
the events it completes; `frame(body)` builds the bytes of one packet. This
layer knows checksums, acknowledgements, the 0x03 interrupt, binary escapes
and run-length encoding; it knows nothing of packet meanings beyond a list of
prefixes whose packets carry binary data (given by the caller), and nothing of
any architecture.

Wire format (GDB manual, "Overview" of the Remote Protocol appendix):
``$<data>#<two hex digits>`` where the digits are the sum of the data bytes
modulo 256. Outside a packet, ``+`` and ``-`` acknowledge the last packet
sent, and the byte 0x03 asks to interrupt a running target.
"""

from __future__ import annotations

import re
import zlib
from typing import Dict, Iterable, List, Tuple, Union

ESCAPE = 0x7D  # '}'
RLE_MARK = 0x2A  # '*'
INTERRUPT_BYTE = 0x03
_HEX = b"0123456789abcdefABCDEF"
#: whole packets up to this many wire bytes are remembered, up to _SEEN_LIMIT of them
_SEEN_LEN = 64
_SEEN_LIMIT = 1024


class Packet:
    """A complete packet with a good checksum; `data` is decoded (no escapes, no RLE)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Packet({self.data!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Packet) and other.data == self.data


class Malformed:
    """A packet that could not be accepted: bad checksum, truncated, oversized, bad RLE."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Malformed({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Malformed) and other.reason == self.reason


class Interrupt:
    """The peer sent 0x03 outside a packet (Ctrl-C)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Interrupt()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Interrupt)


class Ack:
    """The peer acknowledged our last packet (``+``) or asked for it again (``-``)."""

    __slots__ = ("ok",)

    def __init__(self, ok: bool) -> None:
        self.ok = ok

    def __repr__(self) -> str:
        return f"Ack({self.ok})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ack) and other.ok == self.ok


Event = Union[Packet, Malformed, Interrupt, Ack]


class Framer:
    """Turns a byte stream into events.

    `max_packet` bounds the data between ``$`` and ``#``; a longer packet is
    discarded as it streams in (memory stays bounded) and reported as
    Malformed. Packets whose data starts with one of `binary_prefixes` carry
    binary data: their ``}`` escapes are decoded and ``*`` is taken literally
    (gdb does not escape ``*`` in what it sends). Other packets are
    run-length decoded.
    """

    def __init__(self, max_packet: int = 0x4000, binary_prefixes: Iterable[bytes] = ()) -> None:
        self.max_packet = max_packet
        #: check checksums; in no-ack mode a receiver may skip that (GDB manual, "Packet Acknowledgment")
        self.verify = True
        self.binary_prefixes: Tuple[bytes, ...] = tuple(binary_prefixes)
        self._buf = bytearray()
        self._in_packet = False
        self._skipped = 0  # bytes of an oversized packet dropped so far (0: not skipping)
        self._skip_sum = 0
        #: whole packets (wire bytes, checksum verified) -> their event; Packets are not changed
        self._seen: Dict[bytes, Packet] = {}

    def feed(self, data: bytes) -> List[Event]:
        """Consume `data`; return the events it completes, in order."""
        if not (self._buf or self._in_packet or self._skipped):
            # A whole short packet seen before: gdb sends the same few over and
            # over while it steps (the reads around pc, the thread list).
            remember = type(data) is bytes and len(data) <= _SEEN_LEN
            packet = self._seen.get(data) if remember else None
            if packet is not None:
                return [packet]
            if self._one_packet(data):
                event = self._checked(data[1:-3], data[-2:])
                if remember and type(event) is Packet and self.verify:
                    if len(self._seen) >= _SEEN_LIMIT:
                        self._seen.clear()
                    self._seen[data] = event
                return [event]
        events: List[Event] = []
        self._buf += data
        while self._buf:
            if self._skipped:
                if not self._skip(events):
                    break
            elif self._in_packet:
                if not self._packet(events):
                    break
            else:
                self._outside(events)
        return events

    def _one_packet(self, data: bytes) -> bool:
        """The common case: `data` is exactly one whole packet of acceptable size."""
        n = len(data)
        return (3 < n <= self.max_packet + 4 and data[0] == 0x24 and data[-3] == 0x23
                and data.find(b"#", 1) == n - 3 and data.find(b"$", 1) < 0)

    # -- states -------------------------------------------------------------
    def _outside(self, events: List[Event]) -> None:
        buf = self._buf
        start = buf.find(b"$")
        junk = buf if start < 0 else buf[:start]
        for byte in junk:
            if byte == 0x2B:
                events.append(Ack(True))
            elif byte == 0x2D:
                events.append(Ack(False))
            elif byte == INTERRUPT_BYTE:
                events.append(Interrupt())
        if start < 0:
            buf.clear()
        else:
            del buf[: start + 1]
            self._in_packet = True

    def _packet(self, events: List[Event]) -> bool:
        """Parse one packet body; False when more bytes are needed."""
        buf = self._buf
        end = buf.find(b"#")
        restart = buf.find(b"$", 0, end if end >= 0 else len(buf))
        if restart >= 0:
            # A '$' inside a packet: the previous one was cut short.
            events.append(Malformed("truncated packet"))
            del buf[: restart + 1]
            return True
        if end < 0:
            if len(buf) > self.max_packet:
                self._start_skip(bytes(buf))
                buf.clear()
            return False
        if len(buf) < end + 3:
            return False
        if end > self.max_packet:
            del buf[: end + 3]
            return self._end_skip(events)
        body = bytes(buf[:end])
        digits = bytes(buf[end + 1 : end + 3])
        del buf[: end + 3]
        self._in_packet = False
        events.append(self._checked(body, digits))
        return True

    def _start_skip(self, head: bytes) -> None:
        self._skipped = len(head)
        self._skip_sum = sum(head)

    def _skip(self, events: List[Event]) -> bool:
        """Drop an oversized packet up to its checksum; False when more bytes are needed."""
        buf = self._buf
        end = buf.find(b"#")
        stop = buf.find(b"$")
        if stop >= 0 and (end < 0 or stop < end):
            del buf[:stop]
            return self._end_skip(events)
        if end < 0:
            self._skipped += len(buf)
            buf.clear()
            return False
        if len(buf) < end + 3:
            return False
        del buf[: end + 3]
        return self._end_skip(events)

    def _end_skip(self, events: List[Event]) -> bool:
        events.append(Malformed(f"packet longer than {self.max_packet} bytes"))
        self._skipped = 0
        self._in_packet = False
        return True

    # -- decoding -----------------------------------------------------------
    def _checked(self, body: bytes, digits: bytes) -> Event:
        if len(digits) != 2 or digits[0] not in _HEX or digits[1] not in _HEX:
            return Malformed("bad checksum digits")
        if self.verify and int(digits, 16) != checksum(body):
            return Malformed("checksum mismatch")
        if body.startswith(self.binary_prefixes):
            decoded = unescape_binary(body)
        else:
            decoded = rle_decode(body)
        if decoded is None:
            return Malformed("bad escape or run-length encoding")
        return Packet(decoded)


# -- encoding helpers (both directions) ------------------------------------------
def checksum(body: bytes, *, hex_digits: bool = False) -> int:
    """The RSP checksum: the sum of the bytes modulo 256.

    Python's `sum` costs about 13 ns a byte (most of a millisecond for a
    128 KiB reply, several microseconds for a ``g`` reply), so bodies are
    summed in chunks by zlib's Adler-32, whose low half is 1 + the sum of
    the bytes modulo 65521: exact for a chunk whose sum stays below that
    (256 arbitrary bytes). When the caller knows the body is lowercase
    hex digits (48-102), each chunk's sum less 48 per byte is below 65521 for
    1213 bytes, which is recovered exactly from the same modulus.
    """
    if len(body) < 64:
        return sum(body) & 0xFF
    if hex_digits:
        return _chunked_sum(body, 1213, 0x30) & 0xFF
    return _chunked_sum(body, 256, 0) & 0xFF


def _chunked_sum(body: bytes, chunk: int, low: int) -> int:
    """The exact sum of `body`, whose bytes lie in [low, low + 65519 // chunk]."""
    view = memoryview(body)
    adler = zlib.adler32
    total = 0
    for i in range(0, len(body), chunk):
        piece = view[i : i + chunk]
        base = low * len(piece)
        total += ((adler(piece) & 0xFFFF) - 1 - base) % 65521 + base
    return total


def frame(body: bytes, *, hex_digits: bool = False) -> bytes:
    """The wire bytes of one packet whose data is `body` (already escaped if binary).

    `hex_digits` promises that `body` is lowercase hex (a faster checksum).
    """
    return b"$%s#%02x" % (body, checksum(body, hex_digits=hex_digits))


_NEEDS_ESCAPE = re.compile(rb"[#$}*]")


def escape_binary(data: bytes) -> bytes:
    """Escape binary data for a reply: ``# $ } *`` become ``}`` and the byte XOR 0x20."""
    return _NEEDS_ESCAPE.sub(lambda m: bytes((ESCAPE, m.group()[0] ^ 0x20)), data)


def unescape_binary(data: bytes) -> bytes | None:
    """Undo `escape_binary`; None if the data ends in a lone escape."""
    if ESCAPE not in data:
        return data
    out = bytearray()
    parts = data.split(b"}")
    out += parts[0]
    for part in parts[1:]:
        if not part:
            return None  # '}' at the end, or '}}' (an escape of nothing)
        out.append(part[0] ^ 0x20)
        out += part[1:]
    return bytes(out)


def rle_decode(data: bytes) -> bytes | None:
    """Expand ``X*N`` runs (N is the count of extra copies plus 29); None if malformed."""
    if RLE_MARK not in data:
        return data
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        byte = data[i]
        if byte != RLE_MARK:
            out.append(byte)
            i += 1
            continue
        if not out or i + 1 >= n or data[i + 1] < 32 or data[i + 1] > 126:
            return None
        out += bytes((out[-1],)) * (data[i + 1] - 29)
        i += 2
    return bytes(out)


# Runs of 4..98 equal bytes shrink to 3 bytes; counts of 6 and 7 would encode
# as '#' and '$', so such runs are cut one short.
_RUN = re.compile(rb"(.)\1{3,97}", re.DOTALL)


def _encode_run(match: re.Match[bytes]) -> bytes:
    run = match.group()
    extra = len(run) - 1
    if extra in (6, 7):
        return run[:1] + b"*" + bytes((5 + 29,)) + run[: extra - 5]
    return run[:1] + b"*" + bytes((extra + 29,))


def rle_encode(body: bytes) -> bytes:
    """Run-length encode a reply body that holds no ``*`` of its own (text or hex)."""
    return _RUN.sub(_encode_run, body)
