"""Reply bodies shared by the session and the handlers."""

from __future__ import annotations

#: the PacketSize we advertise: the most data we send or accept in one packet
PACKET_SIZE = 0x20000

OK = b"OK"
EMPTY = b""  # "not supported"
ERROR_MALFORMED = b"E01"


def error(errno: int) -> bytes:
    """An ``E`` reply with a two-digit errno in decimal (E14 = EFAULT, as QEMU answers)."""
    return b"E%02d" % (errno % 100)


def hex_text(text: str) -> bytes:
    """Text as gdb's hex encoding (qThreadExtraInfo, O packets)."""
    return text.encode("utf-8", "replace").hex().encode()
