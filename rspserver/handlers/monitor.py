"""qRcmd: gdb's `monitor` command, run by the registry the CLI handed the server."""

from __future__ import annotations

import logging

from trapscope.rspserver import packets as p
from trapscope.rspserver.replies import EMPTY, OK

log = logging.getLogger("trapscope.rspserver")


def rcmd(session, packet: p.Rcmd) -> bytes:
    if session.monitor is None:
        return EMPTY
    try:
        session.monitor(packet.command.strip(), session, session.console_output)
    except Exception as exc:  # a failing command reports, and the session goes on
        log.exception("monitor command %r failed", packet.command)
        session.console_output(f"monitor: {packet.command.strip()}: internal error: {exc}\n")
    return OK


HANDLERS = {"qRcmd": rcmd}
