"""Running the console for real: the echo guest, an in-process console on a real
machine and RSP server, and `trapscope` processes under a pseudo-terminal."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from prompt_toolkit.data_structures import Size
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output

from tests.console.vt import Screen

REPO = Path(__file__).resolve().parents[2]
GUEST_DIR = Path(__file__).resolve().parent / "guest"
ROWS, COLS = 40, 120
#: generous: the machine is shared with other work; no test depends on how fast it is
PATIENCE = 60.0

# Keys as a terminal sends them.
F2, F5, F6, F7 = "\x1bOQ", "\x1b[15~", "\x1b[17~", "\x1b[18~"
CTRL_A, CTRL_C, CTRL_D = "\x01", "\x03", "\x04"
PAGE_UP = "\x1b[5~"


def build_console_guest() -> Path:
    """The echo guest (cross gcc, cached by content hash under build/tests/console)."""
    from trapscope.tools.demo.build import cross_build

    return cross_build("console-guest", [GUEST_DIR / "start.S", GUEST_DIR / "main.c"],
                       linker_script=GUEST_DIR / "link.ld", out_dir=REPO / "build" / "tests" / "console")


def machine_for(elf: Path, bios: str = "none"):
    """A real two-hart machine running `elf` (M-mode with bios "none"), its serial left to the console."""
    from trapscope.machine.board import Machine
    from trapscope.machine.config import MachineConfig

    return Machine(MachineConfig(smp=2, mem_mib=16, bios=bios, kernel=str(elf), serial="none"))


async def until(cond: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
    """Wait (yielding to the event loop) until `cond()` holds; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class InProcessConsole:
    """`trapscope serve`'s console in this process: a real Machine, RspServer and
    ConsoleService, the real Application fed by a pipe and drawn on a `Screen`.

        async with InProcessConsole(elf) as rig:
            rig.type("harts\\r")
            await rig.shows("sscratch")
    """

    def __init__(self, elf: Path, bios: str = "none") -> None:
        self.elf = elf
        self.bios = bios
        self.screen = Screen(ROWS, COLS)

    async def __aenter__(self) -> InProcessConsole:
        from trapscope.tools.cmd_serve import Served
        from trapscope.tools.console.app import ConsoleState
        from trapscope.tools.console.backend import LocalBackend
        from trapscope.tools.console.service import ConsoleService

        self.served = Served(machine_for(self.elf, self.bios))
        host, self.port = await self.served.server.start("127.0.0.1", 0)
        self.service = ConsoleService(self.served, asyncio.get_running_loop(),
                                      listen=f"127.0.0.1:{self.port}")
        self._pipe = create_pipe_input()
        self.input = self._pipe.__enter__()
        output = Vt100_Output(self.screen, lambda: Size(rows=ROWS, columns=COLS), term="xterm",
                              enable_cpr=False)
        self.backend = LocalBackend(self.service)
        self.state = ConsoleState(self.backend, history=InMemoryHistory(), input=self.input,
                                  output=output)
        self.app_task = asyncio.ensure_future(self.state.app.run_async())
        await self.shows("(trapscope)")
        return self

    async def __aexit__(self, *exc) -> None:
        if not self.app_task.done():
            self.state.quit()
        try:
            await asyncio.wait_for(self.app_task, PATIENCE)
        finally:
            self.backend.close()
            self.service.close()
            self.served.close()
            self._pipe.__exit__(None, None, None)

    def type(self, text: str) -> None:
        """Keystrokes, as a terminal sends them."""
        self.input.send_text(text)

    async def shows(self, text: str, timeout: float = PATIENCE) -> None:
        """Wait until the screen shows `text`."""
        await until(lambda: text in self.screen.text(), f"{text!r} on the screen:\n"
                    + self.screen.text(), timeout)

    async def matches(self, pattern: str, timeout: float = PATIENCE) -> None:
        """Wait until a line of the screen matches the regular expression `pattern`."""
        regex = re.compile(pattern, re.M)
        await until(lambda: regex.search(self.screen.text()) is not None,
                    f"/{pattern}/ on the screen:\n" + self.screen.text(), timeout)

    @property
    def controller(self):
        return self.served.controller


class PtyProcess:
    """A `trapscope` subcommand on a pseudo-terminal of ROWS x COLS, drawn on a `Screen`."""

    def __init__(self, args: Sequence[str], env: Optional[dict] = None) -> None:
        self.screen = Screen(ROWS, COLS)
        self.raw: List[bytes] = []
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        full_env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "trapscope.tools.cli", *args],
                                     stdin=slave, stdout=slave, stderr=slave, cwd=REPO,
                                     env=full_env, start_new_session=True)
        os.close(slave)
        self.master = master
        self._decoder = __import__("codecs").getincrementaldecoder("utf-8")("replace")

    def pump(self, wait: float = 0.05) -> bool:
        """Read what the program drew (up to `wait` seconds); False at end of output."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.raw.append(data)
        self.screen.feed(self._decoder.decode(data))
        return True

    def wait_for(self, text: str, timeout: float = PATIENCE, regex: bool = False) -> None:
        """Pump until the screen shows `text` (a regular expression if `regex`)."""
        deadline = time.monotonic() + timeout
        shown = (lambda: re.search(text, self.screen.text(), re.M) is not None) if regex \
            else (lambda: text in self.screen.text())
        while not shown():
            if time.monotonic() > deadline or not self.pump():
                raise AssertionError(f"timed out waiting for {text!r}; the screen:\n"
                                     + self.screen.text() + "\nraw tail: "
                                     + repr(b"".join(self.raw)[-2000:]))

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait_exit(self, timeout: float = PATIENCE) -> int:
        """Pump until the process ends; its exit status."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.pump()
        return self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
