"""`trapscope console --connect` against `trapscope serve --no-console --console-listen`."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from typing import List

from tests.console.harness import F2, F5, F6, PATIENCE, REPO, PtyProcess


class Server:
    """`serve --no-console --console-listen 127.0.0.1:0`, as a script would run it."""

    def __init__(self, elf) -> None:
        cmd = [sys.executable, "-m", "trapscope.tools.cli", "serve", "--bios", "none", "--no-console",
               "--listen", "127.0.0.1:0", "--console-listen", "127.0.0.1:0", str(elf)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=REPO)
        self.err: List[str] = []
        self.out = bytearray()
        threading.Thread(target=self._drain_err, daemon=True).start()
        threading.Thread(target=self._drain_out, daemon=True).start()
        self.gdb_port = int(self.wait_log(r"gdb server listening on 127\.0\.0\.1:(\d+)"))
        self.console_port = int(self.wait_log(r"console channel on 127\.0\.0\.1:(\d+)"))

    def _drain_err(self) -> None:
        for line in self.proc.stderr:
            self.err.append(line.decode(errors="replace"))

    def _drain_out(self) -> None:
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                return
            self.out += chunk

    def wait_log(self, pattern: str) -> str:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            match = re.search(pattern, "".join(self.err))
            if match:
                return match.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no /{pattern}/ in the log:\n" + "".join(self.err))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=PATIENCE)


def test_a_console_elsewhere_drives_a_server_without_console(console_guest):
    server = Server(console_guest)
    try:
        con = PtyProcess(["console", "--connect", f"127.0.0.1:{server.console_port}"])
        try:
            con.wait_for("(trapscope)")
            con.wait_for(f"console of 127.0.0.1:{server.console_port}")
            con.wait_for(f"listening on 127.0.0.1:{server.gdb_port}")
            con.type("harts\r")
            con.wait_for("sscratch")
            con.type("ph")  # completion comes from the server's registry
            con.wait_for(r"phys +command", regex=True)
            con.type("\t")
            con.wait_for("(trapscope) phys")
            con.type("\x15" + F5)  # Ctrl-U clears the line
            con.wait_for(" RUNNING ")
            con.wait_for("console guest: ready")  # serial output crosses the channel
            con.type(F2)
            con.wait_for(" GUEST MODE ")
            con.type("from afar\r")
            con.wait_for("got: from afar")
            con.type(F2 + F6)
            con.wait_for(r"stopped: halted, hart [01] at", regex=True)
            con.wait_for(" STOPPED ")
            con.type("quit\r")  # leaves this console, not the server
            assert con.wait_exit() == 0
        finally:
            con.close()
        assert server.proc.poll() is None
        assert b"got: from afar" in server.out  # the server's stdout still has the serial
        assert "console 127.0.0.1:" in "".join(server.err)  # it logged the console coming

        con = PtyProcess(["console", "--connect", f"127.0.0.1:{server.console_port}"])
        try:
            con.wait_for("(trapscope)")
            server.close()  # the server goes away under a console: it says so and ends
            assert con.wait_exit() == 1
            con.wait_for(f"the server at 127.0.0.1:{server.console_port} closed the console channel")
        finally:
            con.close()
    finally:
        server.close()


def run_console(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trapscope.tools.cli", "console", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=PATIENCE)


def test_bad_addresses_are_one_line_and_status_2():
    res = run_console("--connect", "localhost")
    assert (res.returncode, res.stderr.strip()) == (
        2, "trapscope console: error: --connect: bad port in 'localhost' (want HOST:PORT)")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        res = run_console("--connect", f"127.0.0.1:{port}")
    assert (res.returncode, res.stderr.strip()) == (
        2, f"trapscope console: error: cannot connect to 127.0.0.1:{port}: Connection refused")


def test_a_port_that_is_not_a_console_channel_is_named_as_such():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def answer() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.sendall(b"$OK#9a\n")
                conn.recv(100)

        threading.Thread(target=answer, daemon=True).start()
        res = run_console("--connect", f"127.0.0.1:{port}")
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert f"127.0.0.1:{port} is not a trapscope console channel" in res.stderr


def test_serve_rejects_a_bad_console_address(console_guest):
    res = subprocess.run([sys.executable, "-m", "trapscope.tools.cli", "serve", "--no-console",
                          "--bios", "none", "--console-listen", "127.0.0.1:x", str(console_guest)],
                         capture_output=True, text=True, cwd=REPO, timeout=PATIENCE)
    assert (res.returncode, res.stderr.strip()) == (
        2, "trapscope serve: error: --console-listen: bad port in '127.0.0.1:x' (want HOST:PORT)")
