"""Packet handlers, one module per protocol extension.

Each module exports `HANDLERS`, a dict from the packet name used in
`trapscope.rspserver.packets.PACKETS` to a function
`handler(session, packet) -> Optional[bytes]`: the reply body, or None when
there is no reply now (``k``, ``R``, or a resume whose stop reply comes
later).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from trapscope.rspserver.handlers import (
    base,
    breakpoints,
    memory,
    monitor,
    registers,
    resume,
    threads,
    xfer,
)

Handler = Callable[[Any, Any], Optional[bytes]]

HANDLERS: Dict[str, Handler] = {}
for _module in (base, registers, memory, breakpoints, resume, threads, xfer, monitor):
    HANDLERS.update(_module.HANDLERS)
