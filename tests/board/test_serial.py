"""Host sides of the UART: --serial parsing, a file, a real TCP port on 127.0.0.1, the quit key."""

import os
import pty
import socket
import sys
import termios
import threading

import pytest
from trapscope.machine.board import Machine
from trapscope.machine.config import UART0_BASE, UART0_DECODED, MachineConfig
from trapscope.machine.devices.serial import SerialSpecError, open_serial, parse_serial
from trapscope.machine.devices.uart import Uart

from . import guests


class Posted:
    """A stand-in for sched.post that runs what it is given at once, recording it."""

    def __init__(self):
        self.count = 0
        self.event = threading.Event()

    def __call__(self, fn):
        self.count += 1
        fn()
        self.event.set()


def test_parse_serial():
    assert parse_serial("stdio") == ("stdio", None)
    assert parse_serial("none") == ("none", None)
    assert parse_serial("file:/tmp/x") == ("file", "/tmp/x")
    assert parse_serial("tcp:127.0.0.1:4444") == ("tcp", ("127.0.0.1", 4444))
    assert parse_serial("tcp::4444") == ("tcp", ("127.0.0.1", 4444))
    for bad in ("", "tty", "file:", "tcp:host", "tcp:h:99999", "tcp:h:x"):
        with pytest.raises(SerialSpecError):
            parse_serial(bad)


def test_file_serial(tmp_path):
    uart = Uart(UART0_BASE, UART0_DECODED)
    path = tmp_path / "out.txt"
    backend = open_serial(f"file:{path}", uart, Posted(), lambda: None)
    for ch in b"to the file\n":
        uart.write(0, 1, ch)
    backend.close()
    uart.write(0, 1, ord("!"))  # after close: not written
    assert path.read_bytes() == b"to the file\n"


def test_tcp_serial_round_trip():
    uart = Uart(UART0_BASE, UART0_DECODED)
    post = Posted()
    backend = open_serial("tcp:127.0.0.1:0", uart, post, lambda: None)
    try:
        client = socket.create_connection(backend.address, timeout=10)
        client.sendall(b"typed")
        assert post.event.wait(10)
        while len(uart.pending_input) + len(uart.rx) < 5:
            post.event.clear()
            assert post.event.wait(10)
        got = bytes(uart.read(0, 1) for _ in range(5))
        assert got == b"typed"
        for ch in b"echo":
            uart.write(0, 1, ch)
        data = b""
        while len(data) < 4:
            data += client.recv(16)
        assert data == b"echo"
        client.close()
    finally:
        backend.close()
    assert not backend.thread.is_alive()


def test_none_serial_drops_output():
    uart = Uart(UART0_BASE, UART0_DECODED)
    backend = open_serial("none", uart, Posted(), lambda: None)
    uart.write(0, 1, ord("x"))
    backend.close()
    assert uart.output_listeners == []


def test_the_quit_key_runs_the_action_the_runs_owner_chose(monkeypatch):
    # The machine's terminal is a pty: Ctrl-A x typed there runs the action set
    # with set_quit_action, through the same serial connection (never reopened).
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    stdin, stdout = os.fdopen(os.dup(slave), "r"), os.fdopen(os.dup(slave), "w")
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setattr(sys, "stdout", stdout)
    machine = Machine(MachineConfig(smp=1, mem_mib=16, kernel=str(guests.echo()), serial="stdio"))
    try:
        backend = machine.serial
        assert not termios.tcgetattr(slave)[3] & termios.ICANON  # raw while the machine has it
        quits = threading.Event()
        machine.set_quit_action(quits.set)
        os.write(master, b"\x01x")
        assert quits.wait(30)
        assert machine.serial is backend
        assert not termios.tcgetattr(slave)[3] & termios.ICANON
        machine.close()
        assert termios.tcgetattr(slave) == before
    finally:
        machine.close()
        for f in (stdin, stdout):
            f.close()
        os.close(master)
        os.close(slave)
