"""Host sides of the UART: --serial parsing, a file, a real TCP port on 127.0.0.1."""

import socket
import threading

import pytest
from trapscope.machine.config import UART0_BASE, UART0_DECODED
from trapscope.machine.devices.serial import SerialSpecError, open_serial, parse_serial
from trapscope.machine.devices.uart import Uart


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
