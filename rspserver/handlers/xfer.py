"""Object transfers: qXfer:features:read, qXfer:threads:read, qXfer:memory-map:read."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from trapscope.rspserver import packets as p
from trapscope.rspserver.framing import escape_binary
from trapscope.rspserver.replies import EMPTY, error
from trapscope.rspserver.target import EINVAL, ENOENT

_XML_SPECIAL = re.compile(r'[<>&"]')


def _text(value: str) -> str:
    return escape(value, {'"': "&quot;"}) if _XML_SPECIAL.search(value) else value


def threads_xml(session) -> bytes:
    """The thread list document: id, name and the extra-info line of each thread.

    gdb reads it after every stop, so it is built without the XML library.
    """
    target = session.target
    lines = ['<?xml version="1.0"?>', "<threads>"]
    for thread in target.threads():
        lines.append(
            f'<thread id="{thread:x}" core="{target.hart_of(thread)}" '
            f'name="{_text(target.thread_name(thread))}">'
            f"{_text(target.thread_extra_info(thread))}</thread>"
        )
    lines.append("</threads>")
    return "\n".join(lines).encode()


def _document(session, packet: p.XferRead) -> bytes | None:
    if packet.object == "features":
        return session.target.target_xml(packet.annex)
    if packet.object == "threads" and not packet.annex:
        return threads_xml(session)
    if packet.object == "memory-map" and not packet.annex:
        return session.target.memory_map_xml()
    return None


def xfer_read(session, packet: p.XferRead) -> bytes:
    if packet.object not in ("features", "threads", "memory-map"):
        return EMPTY
    doc = _document(session, packet)
    if doc is None:
        return error(ENOENT)
    if packet.length == 0:
        return error(EINVAL)
    chunk = doc[packet.offset : packet.offset + packet.length]
    more = packet.offset + packet.length < len(doc)
    return (b"m" if more else b"l") + escape_binary(chunk)


HANDLERS = {"qXfer:read": xfer_read}
