"""`trapscope serve` as a process: clients coming and going, the command line."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import termios

import pytest
from trapscope.rspserver.client import RspClient, RspError

from tests.rsp.harness import REPO, Served, run_gdb, symbol


@pytest.fixture
def served(guest_elf):
    s = Served(guest_elf)
    yield s
    s.close()


def connect(served: Served) -> RspClient:
    return RspClient("127.0.0.1", served.port)


def test_a_second_client_is_refused_and_the_first_is_undisturbed(served, guest_elf):
    with connect(served) as first:
        first.write_memory(symbol(guest_elf, "sink"), b"\x11" * 8)
        out = run_gdb(served.port, guest_elf, "info registers pc\n")
        assert "another debugger (127.0.0.1:" in out and "only one client at a time" in out
        assert "pc             0x" not in out
        with pytest.raises(RspError):
            with connect(served) as third:  # a raw client is told the same, then closed
                third.request(b"?")
        assert first.request(b"?").startswith(b"T05thread:1;")
        assert first.read_memory(symbol(guest_elf, "sink"), 8) == b"\x11" * 8
    assert "refused" in served.log()


def test_leaving_mid_continue_stops_the_machine_and_keeps_its_state(served, guest_elf):
    main = symbol(guest_elf, "main")
    with connect(served) as c:
        assert c.request(b"Z0,%x,4" % main) == b"OK"
        assert c.resume(b"vCont;c").thread == 1
        c.send(b"vCont;c")  # the guest runs on; the client walks away
    assert served.wait_log("detached")
    with connect(served) as c:
        assert c.request(b"?").startswith(b"T")
        regs = c.read_registers()
        assert c.read_registers() == regs  # halted: nothing moves between requests
        assert 0x80000000 <= regs[32] < symbol(guest_elf, "main") + 0x200  # somewhere in the guest
        assert c.request(b"z0,%x,4" % main) == b"E22"  # the old client's breakpoint is gone
        counter = int.from_bytes(c.read_memory(symbol(guest_elf, "counter"), 8), "little")
        assert counter in (0, 1, 3, 6, 10, 15)  # some prefix of main's loop ran
        assert c.resume(b"vCont;s:1").thread == 1  # and it can be driven again


def test_a_client_after_the_guest_exited_gets_a_fresh_machine(served, guest_elf):
    with connect(served) as c:
        c.write_memory(symbol(guest_elf, "poweroff_at_end"), (1).to_bytes(8, "little"))
        assert c.resume(b"vCont;c").raw == b"W00"
    assert served.wait_log("exited")
    with connect(served) as c:
        assert c.read_registers()[32] == 0x1000
    assert "rsp guest: done" in served.output()


def test_run_starts_the_guest_and_an_attaching_client_halts_it(guest_elf):
    served = Served(guest_elf, extra=["--run"])
    try:
        with connect(served) as c:
            assert c.request(b"?").startswith(b"T")
            pc = c.read_registers()[32]
            assert pc != 0x1000  # it ran
            assert c.read_registers()[32] == pc  # and is halted now
    finally:
        served.close()


def serve_cmd(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trapscope.tools.cli", "serve", "--no-console", *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO, stdin=subprocess.PIPE)


def test_bad_listen_address_is_one_line_and_status_2(guest_elf):
    res = serve_cmd("--bios", "none", "--listen", "127.0.0.1:http", str(guest_elf))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "trapscope serve: error: --listen: bad port in '127.0.0.1:http' (want HOST:PORT)"]


def test_a_port_in_use_is_one_line_and_status_2(guest_elf):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        res = serve_cmd("--bios", "none", "--listen", f"127.0.0.1:{port}", str(guest_elf))
    assert res.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in res.stderr
    assert "Traceback" not in res.stderr


def test_listening_beyond_loopback_warns(guest_elf):
    served = Served(guest_elf, extra=["--listen", "0.0.0.0:0"])
    try:
        assert "anyone who can reach this port controls the machine" in served.log()
    finally:
        served.close()


@pytest.mark.parametrize("extra, seen", [(["--run"], b"rsp guest: done"), ([], b"(Ctrl-A x quits)")])
def test_ctrl_a_x_on_the_terminal_ends_serve(guest_elf, extra, seen):
    # --serial stdio with the terminal as stdin: raw while serving, Ctrl-A x ends
    # serve (not just the run) with status 0, and the terminal is as it was.
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen([sys.executable, "-m", "trapscope.tools.cli", "serve", "--bios", "none",
                             "--no-console", "--serial", "stdio", "--listen", "127.0.0.1:0", *extra,
                             str(guest_elf)],
                            stdin=slave, stdout=slave, stderr=slave, cwd=REPO)
    try:
        out = b""
        while seen not in out:
            ready, _, _ = select.select([master], [], [], 30)
            assert ready, out
            out += os.read(master, 4096)
        assert b"(Ctrl-A x quits)" in out
        assert not termios.tcgetattr(slave)[3] & termios.ICANON
        os.write(master, b"\x01x")
        assert proc.wait(timeout=30) == 0
        assert termios.tcgetattr(slave) == before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        os.close(slave)
