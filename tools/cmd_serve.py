"""Serve a machine to gdb-multiarch over the GDB Remote Serial Protocol.

The machine waits halted at its reset vector until a debugger (or the
console) continues it, unless --run is given. Connect with

    gdb-multiarch -ex 'target remote 127.0.0.1:1234' ELF

One debugger at a time; the machine keeps its state when one leaves, and
the next can attach. gdb's `monitor help` lists the monitor commands.

On a terminal, serve shows the console: the guest's serial output, the
monitor's output, a status bar (harts, last stop, gdb) and a command line
for monitor commands and continue/halt/step. Keys: F2 switches between
monitor mode and guest mode (keystrokes to the guest's UART), F5 continue,
F6 halt, F7 step, Tab completes, Ctrl-D (or `quit`) stops the server; in
guest mode Ctrl-A c returns to the monitor and Ctrl-A x quits, as in QEMU.

Without a terminal, or with --no-console, the guest's serial output goes to
stdout and the log (clients, stops) to stderr. --console-listen HOST:PORT
lets `trapscope console --connect HOST:PORT` attach a console from
elsewhere, beside gdb.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading

from trapscope.tools.errors import UserError

HELP = "serve the machine to gdb-multiarch (RSP on 127.0.0.1:1234)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from trapscope.tools.machine_opts import add_machine_arguments

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    add_machine_arguments(parser)
    parser.add_argument("--listen", metavar="HOST:PORT", default="127.0.0.1:1234",
                        help="where gdb connects (default 127.0.0.1:1234; port 0 picks a free one)")
    parser.add_argument("--no-console", action="store_true",
                        help="no interactive console: serial on stdout, log on stderr (the default "
                             "when stdin or stdout is not a terminal)")
    parser.add_argument("--console-listen", metavar="HOST:PORT",
                        help="also accept `trapscope console --connect HOST:PORT` here "
                             "(off by default; port 0 picks a free one, announced in the log)")
    parser.add_argument("--run", action="store_true",
                        help="start running at once instead of waiting for a debugger")


def main(args: argparse.Namespace) -> int:
    from trapscope.rspserver.server import parse_listen

    try:
        host, port = parse_listen(args.listen)
    except ValueError as exc:
        raise UserError(f"--listen: {exc}") from None
    console_listen = _console_address(args.console_listen)
    console = wants_console(args)
    if not console:
        _setup_logging()
    elif args.serial == "stdio":
        args.serial = "none"  # the console is the guest's terminal
    served = build_served(args)
    try:
        if console:
            from trapscope.tools.console.serving import serve_with_console

            asyncio.run(serve_with_console(served, host, port, run=args.run,
                                           console_listen=console_listen))
        else:
            asyncio.run(served.serve(host, port, run=args.run, console_listen=console_listen))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        pass
    finally:
        served.close()
    return 0


def wants_console(args: argparse.Namespace) -> bool:
    """The console runs unless --no-console, or stdin or stdout is not a terminal."""
    if args.no_console:
        return False
    try:
        return os.isatty(sys.stdin.fileno()) and os.isatty(sys.stdout.fileno())
    except (OSError, ValueError):
        return False


def _console_address(text: str | None):
    from trapscope.rspserver.server import parse_listen

    if text is None:
        return None
    try:
        return parse_listen(text)
    except ValueError as exc:
        raise UserError(f"--console-listen: {exc}") from None


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("trapscope serve: %(message)s"))
    log = logging.getLogger("trapscope")
    log.addHandler(handler)
    log.setLevel(logging.INFO)


class Served:
    """A machine, its RSP server and its monitor, wired together.

    The console plugs in here: it can share `controller` (run/stop the
    machine, hear about stops), `monitor` (the same commands), and take the
    serial stream instead of stdout.
    """

    def __init__(self, machine) -> None:
        from trapscope.rspserver.machine_target import MachineTarget
        from trapscope.rspserver.server import RspServer
        from trapscope.tools.monitor import Monitor, default_registry

        self.machine = machine
        self.target = MachineTarget(machine.debug)
        self.server = RspServer(self.target)
        self.monitor = Monitor(default_registry(), machine.debug, machine, reset=self._reset)
        self.server.monitor = self.monitor
        self.channel = None  # the console channel and its service, with --console-listen
        self.console_service = None
        self._loop: asyncio.AbstractEventLoop | None = None  # serve's, once it serves
        self._quit = threading.Event()
        machine.set_quit_action(self.request_quit)  # Ctrl-A x ends serve, not just a run

    @property
    def controller(self):
        return self.server.controller

    def _reset(self) -> None:
        assert self.server.controller is not None
        self.server.controller.reset()

    async def serve(self, host: str, port: int, run: bool = False, console_listen=None) -> None:
        """Serve gdb (and consoles, at `console_listen`) until closed; no console here."""
        bound = await self.server.start(host, port)
        self._loop = asyncio.get_running_loop()
        if self._quit.is_set():  # Ctrl-A x came while the server was starting
            self.server.close()
            return
        if console_listen is not None:
            from trapscope.tools.console.service import ConsoleService
            from trapscope.tools.console.serving import start_channel

            self.console_service = ConsoleService(self, asyncio.get_running_loop(),
                                                  listen=f"{host}:{bound[1]}")
            self.channel = await start_channel(self.console_service, console_listen,
                                               forward_log=True)
        logging.getLogger("trapscope.rspserver").info(
            "connect with: gdb-multiarch -ex 'target remote %s:%d'%s", host, bound[1],
            "  (Ctrl-A x quits)" if self.machine.config.serial == "stdio" else "")
        if run:
            self._run_detached()
        await self.server.serve_forever()

    def request_quit(self) -> None:
        """End `serve` cleanly: the machine's quit action (the terminal's Ctrl-A x).
        Thread-safe; a request made before `serve` has started ends it as it starts."""
        self._quit.set()
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self.server.close)
            except RuntimeError:  # the event loop is closed: serve has ended anyway
                pass

    def _run_detached(self) -> None:
        from trapscope.rspserver.target import ResumePlan

        controller = self.server.controller
        assert controller is not None
        plan = ResumePlan(None, frozenset(self.target.threads()))
        stop = controller.resume(plan, _log_stop)
        if stop is not None:
            _log_stop(stop)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
        if self.console_service is not None:
            self.console_service.close()
        self.server.close()
        self.machine.close()


def _log_stop(stop) -> None:
    from trapscope.rspserver.target import SIGINT, StopKind

    log = logging.getLogger("trapscope.rspserver")
    if stop.kind is StopKind.EXITED:
        log.info("the guest exited with status %d; the next client gets a fresh machine", stop.exit_code)
    elif stop.kind is StopKind.SIGNAL and stop.signal == SIGINT:
        log.info("the machine is halted (hart %d at the stop)", stop.thread - 1)
    else:
        log.info("the machine stopped: %s on hart %d", stop.kind.value, stop.thread - 1)


def build_served(args: argparse.Namespace) -> Served:
    """The machine from the shared machine options, served."""
    from trapscope.tools.machine_opts import machine_from_args

    machine = machine_from_args(args)
    return Served(machine)
