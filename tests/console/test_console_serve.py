"""`trapscope serve` on a terminal: the console comes up, and gdb-multiarch works beside it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from typing import List

from tests.console.harness import CTRL_A, F2, F6, REPO, PtyProcess
from tests.rsp.harness import run_gdb

GDB_SCRIPT = """\
monitor harts
continue
info registers pc
break poll_once
continue
detach
"""


def test_serve_on_a_terminal_runs_the_console_beside_gdb(console_guest, tmp_path):
    serve = PtyProcess(["serve", "--bios", "none", "--listen", "127.0.0.1:0", str(console_guest)],
                       env={"XDG_CACHE_HOME": str(tmp_path)})
    try:
        serve.wait_for("(trapscope)")
        serve.wait_for("gdb connects with")
        port = int(re.search(r"target remote 127\.0\.0\.1:(\d+)", serve.screen.text()).group(1))
        assert " STOPPED  at reset" in serve.screen.text()

        serve.type("harts\r")  # a monitor command in the console
        serve.wait_for("sscratch")

        # gdb attaches and continues; the console halts that run; gdb sees the stop
        out: List[str] = []
        gdb = threading.Thread(target=lambda: out.append(run_gdb(port, console_guest, GDB_SCRIPT)))
        gdb.start()
        serve.wait_for("gdb attached from 127.0.0.1:")
        serve.wait_for(" RUNNING ")
        serve.wait_for("console guest: ready")  # the guest's output while gdb runs it
        serve.type(F6)
        while gdb.is_alive():  # keep reading the terminal, or the server would block on it
            serve.pump()
        gdb_out = out[0]
        assert "sscratch" in gdb_out  # gdb's `monitor harts` ran the same command
        assert "received signal SIGINT" in gdb_out, gdb_out
        assert re.search(r"Breakpoint 1, .*poll_once", gdb_out), gdb_out
        serve.wait_for("gdb not attached")
        serve.wait_for("stopped: halted")  # the console told its user about the stop too

        serve.type("c\r")  # the console drives again: guest mode types into the guest
        serve.wait_for(" RUNNING ")
        serve.type(F2)
        serve.wait_for(" GUEST MODE ")
        serve.type("over the pty\r")
        serve.wait_for("got: over the pty")

        # leaving while gdb runs the machine: serve ends, and so does gdb's session
        late: List[str] = []
        gdb = threading.Thread(target=lambda: late.append(run_gdb(port, console_guest, "continue\n")))
        gdb.start()
        serve.wait_for("gdb attached from 127.0.0.1:")
        serve.wait_for(" RUNNING ")
        serve.type(CTRL_A + "x")  # QEMU's way out ends serve
        assert serve.wait_exit() == 0
        gdb.join(timeout=60)
        assert not gdb.is_alive()
        assert "Remote connection closed" in late[0] or "Connection reset" in late[0], late[0]
        assert "+harts" in (tmp_path / "trapscope" / "console_history").read_text()
    finally:
        serve.close()


def test_serial_help_says_what_each_value_does_under_run_and_under_serve():
    for command in ("run", "serve"):
        out = subprocess.run([sys.executable, "-m", "trapscope.tools.cli", command, "--help"],
                             capture_output=True, text=True, cwd=REPO, check=True,
                             env={**os.environ, "COLUMNS": "4000"}).stdout
        line = next(line for line in out.splitlines() if "where the guest's UART goes" in line)
        # stdio: the terminal for run and for serve without its console ...
        assert "Ctrl-A x quits (`run`: halts the guest, status 130; `serve`: ends serve" in line
        # ... the console's serial pane for serve with it; and the other values
        assert "stdio, for `serve` with its console: the console's serial pane" in line
        for value in ("tcp:HOST:PORT: a listening socket", "file:PATH: output written to PATH",
                      "none: output dropped"):
            assert value in line
