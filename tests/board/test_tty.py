"""`trapscope run` on a terminal: raw mode, Ctrl-C to the guest, Ctrl-A x to quit, tty restored."""

import os
import pty
import select
import subprocess
import sys
import termios
import time

from . import guests


def read_until(fd, marker, limit=120.0):
    """Read from the pty master until `marker` shows up (bounded by `limit` seconds of waiting)."""
    data = b""
    deadline = time.monotonic() + limit
    while marker not in data:
        left = deadline - time.monotonic()
        assert left > 0, f"{marker!r} never came; got {data!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data


def spawn(*args):
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen([sys.executable, "-m", "trapscope.tools.cli", "run", *map(str, args)],
                            stdin=slave, stdout=slave, stderr=subprocess.PIPE)
    return proc, master, slave, before


def finish(proc, master, slave):
    try:
        status = proc.wait(timeout=120)
        err = proc.stderr.read().decode()
    finally:
        proc.stderr.close()
    return status, err


def test_raw_mode_ctrl_c_reaches_the_guest_and_echo_works():
    proc, master, slave, before = spawn("--smp", "1", guests.echo())
    try:
        read_until(master, b"ready")
        raw = termios.tcgetattr(slave)
        assert not raw[3] & termios.ICANON and not raw[3] & termios.ISIG
        os.write(master, b"\x03")
        read_until(master, b"<ctrl-c>")
        os.write(master, b"hi")
        read_until(master, b"hi")
        os.write(master, b"q")
        out = read_until(master, b"bye")
        status, err = finish(proc, master, slave)
        assert status == 0, err
        assert b"\r\n" in out  # output post-processing kept: newlines start a line
        assert termios.tcgetattr(slave) == before
    finally:
        proc.kill()
        os.close(master)
        os.close(slave)


def test_ctrl_a_x_quits_and_restores_the_terminal():
    proc, master, slave, before = spawn("--smp", "1", guests.echo())
    try:
        read_until(master, b"ready")
        os.write(master, b"\x01x")
        status, err = finish(proc, master, slave)
        assert status == 130
        assert "stopped (halted)" in err
        assert termios.tcgetattr(slave) == before
    finally:
        proc.kill()
        os.close(master)
        os.close(slave)
