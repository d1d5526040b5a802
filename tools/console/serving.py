"""The console's part of `trapscope serve`: the local console and the console channel.

    await serve_with_console(served, host, port, run=..., console_listen=...)
        the RSP server plus the full-screen console in one event loop; the
        server's log goes to the console's monitor pane; leaving the console
        stops the server.
    service, channel = await start_channel(served, listen, host, port)
        the console channel beside a server without a console (--no-console).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Optional, Tuple

from trapscope.tools.console.channel import ConsoleChannel
from trapscope.tools.console.service import ConsoleLogHandler, ConsoleService
from trapscope.tools.errors import UserError

log = logging.getLogger("trapscope.console")

Address = Tuple[str, int]


async def start_channel(service: ConsoleService, address: Address,
                        forward_log: bool = False) -> ConsoleChannel:
    """Listen for `trapscope console --connect`; UserError if the port cannot be had.
    With `forward_log`, the server's log lines reach the consoles as notes too."""
    channel = ConsoleChannel(service, forward_log=forward_log)
    host, port = address
    try:
        bound = await channel.start(host, port)
    except OSError as exc:
        raise UserError(f"--console-listen: cannot listen on {host}:{port}: "
                        f"{exc.strerror or exc}") from None
    from trapscope.rspserver.server import is_loopback

    if not is_loopback(host):
        log.warning("console channel on %s:%d: anyone who can reach this port controls the machine",
                    host, bound[1])
    log.info("console channel on %s:%d: connect with: trapscope console --connect %s:%d",
             host, bound[1], host, bound[1])
    return channel


async def serve_with_console(served, host: str, port: int, *, run: bool = False,
                             console_listen: Optional[Address] = None) -> None:
    """Serve gdb and show the console until the user leaves it."""
    from trapscope.tools.console.app import run_console
    from trapscope.tools.console.backend import LocalBackend

    loop = asyncio.get_running_loop()
    server = served.server
    service: Optional[ConsoleService] = None
    channel: Optional[ConsoleChannel] = None
    handler: Optional[ConsoleLogHandler] = None
    root = logging.getLogger("trapscope")
    try:
        bound = await server.start(host, port)
        service = ConsoleService(served, loop, listen=f"{host}:{bound[1]}")
        handler = ConsoleLogHandler(service)
        root.addHandler(handler)
        root.setLevel(logging.INFO)  # the server's log is the console's to show
        log.info("gdb connects with: gdb-multiarch -ex 'target remote %s:%d' [ELF]", host, bound[1])
        if console_listen is not None:
            channel = await start_channel(service, console_listen)
        backend = LocalBackend(service)
        if run:
            loop.call_soon(service.run_line, backend.session, "continue", backend.on_note)
        await run_console(backend)
    finally:
        if handler is not None:
            root.removeHandler(handler)
        if channel is not None:
            channel.close()
        if service is not None:
            service.close()
        server.close()
