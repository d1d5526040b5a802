"""The host side of the guest UART: the terminal, a TCP port, a file, or nothing.

`open_serial(spec, uart, post, on_quit)` connects a `Uart` to
  "stdio"          stdout, and stdin as input. When stdin is a terminal it
                   is put in raw mode (output post-processing kept, so "\\n"
                   still starts a new line), Ctrl-C goes to the guest, and
                   Ctrl-A x calls `on_quit` in the reader thread (Ctrl-A
                   Ctrl-A sends one Ctrl-A), as QEMU's quit key; the Machine
                   passes its quit action, which the run's owner chooses.
  "tcp:HOST:PORT"  a listening socket; one client at a time gets the output
                   and sends input (output with no client is dropped).
  "file:PATH"      output written to PATH; no input.
  "none"           output dropped; no input.
Input is never fed to the UART from the reader thread: every chunk goes
through `post` (the scheduler's thread-safe `post`), so it arrives at a
block boundary in the machine thread and can be timestamped and replayed.
"""

from __future__ import annotations

import os
import selectors
import socket
import sys
import threading
from typing import Any, BinaryIO, Callable, List, Tuple

CTRL_A = 0x01

Post = Callable[[Callable[[], None]], None]


class SerialSpecError(ValueError):
    """A --serial value that does not parse; the message is one line."""


def parse_serial(spec: str) -> Tuple[str, Any]:
    """("stdio"|"none", None), ("file", path) or ("tcp", (host, port))."""
    if spec in ("stdio", "none"):
        return spec, None
    if spec.startswith("file:") and len(spec) > 5:
        return "file", spec[5:]
    if spec.startswith("tcp:"):
        host, sep, port = spec[4:].rpartition(":")
        if sep and port.isdigit() and 0 <= int(port) < 65536:
            return "tcp", (host or "127.0.0.1", int(port))
    raise SerialSpecError(f"bad --serial value {spec!r}: use stdio, tcp:HOST:PORT, file:PATH or none")


class Backend:
    """A connection of the UART to the host; `close()` undoes everything."""

    def close(self) -> None:
        """Stop threads, close files and sockets, restore the terminal."""


class _Reader:
    """A thread that reads a file descriptor until stopped, feeding `on_data`."""

    def __init__(self, fd: int, on_data: Callable[[bytes], None], name: str) -> None:
        self.fd = fd
        self.on_data = on_data
        self._wake_r, self._wake_w = os.pipe()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        sel = selectors.DefaultSelector()
        try:
            sel.register(self.fd, selectors.EVENT_READ)
        except (OSError, ValueError):
            sel.close()
            self._read_file()  # a regular file (or /dev/null): reads never block
            return
        sel.register(self._wake_r, selectors.EVENT_READ)
        try:
            while True:
                ready = [key.fd for key, _ in sel.select()]
                if self._wake_r in ready or not self._read_once():
                    return
        except OSError:
            return
        finally:
            sel.close()

    def _read_file(self) -> None:
        try:
            while self._read_once():
                pass
        except OSError:
            return

    def _read_once(self) -> bool:
        data = os.read(self.fd, 4096)
        if data:
            self.on_data(data)
        return bool(data)

    def stop(self) -> None:
        os.write(self._wake_w, b"x")
        self.thread.join(timeout=5)
        os.close(self._wake_r)
        os.close(self._wake_w)


class StdioSerial(Backend):
    """The terminal: stdout for output, stdin (raw when a tty) for input."""

    def __init__(self, uart: Any, post: Post, on_quit: Callable[[], None]) -> None:
        self.uart = uart
        self.post = post
        self.on_quit = on_quit
        self.out: BinaryIO = sys.stdout.buffer
        self._saved_tty: List[Any] | None = None
        self._escape = False
        uart.output_listeners.append(self._write)
        self._reader: _Reader | None = None
        try:
            fd = sys.stdin.fileno()
        except (OSError, ValueError):
            return
        if os.isatty(fd):
            self._raw_mode(fd)
        self._reader = _Reader(fd, self._input, "trapscope-serial-stdin")

    def _raw_mode(self, fd: int) -> None:
        import termios
        import tty
        self._saved_tty = termios.tcgetattr(fd)
        tty.setraw(fd)
        attrs = termios.tcgetattr(fd)
        attrs[1] |= termios.OPOST | termios.ONLCR
        termios.tcsetattr(fd, termios.TCSANOW, attrs)

    def _write(self, data: bytes) -> None:
        try:
            self.out.write(data)
            self.out.flush()
        except (OSError, ValueError):
            pass  # stdout went away; the guest does not care

    def _input(self, data: bytes) -> None:
        out = bytearray()
        for byte in data:
            if self._escape:
                self._escape = False
                if byte in (ord("x"), ord("X")):
                    self.on_quit()
                    return
                if byte == CTRL_A:
                    out.append(CTRL_A)
            elif byte == CTRL_A and self._saved_tty is not None:
                self._escape = True
            else:
                out.append(byte)
        if out:
            self.post(lambda chunk=bytes(out): self.uart.inject(chunk))

    def close(self) -> None:
        if self._write in self.uart.output_listeners:
            self.uart.output_listeners.remove(self._write)
        if self._reader is not None:
            self._reader.stop()
        if self._saved_tty is not None:
            import termios
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved_tty)
            self._saved_tty = None


class FileSerial(Backend):
    """Output into a file."""

    def __init__(self, uart: Any, path: str) -> None:
        self.uart = uart
        self.file = open(path, "wb", buffering=0)  # noqa: SIM115
        uart.output_listeners.append(self.file.write)

    def close(self) -> None:
        if self.file.write in self.uart.output_listeners:
            self.uart.output_listeners.remove(self.file.write)
        self.file.close()


class TcpSerial(Backend):
    """A listening TCP port; one client at a time is the guest's terminal."""

    def __init__(self, uart: Any, post: Post, host: str, port: int) -> None:
        self.uart = uart
        self.post = post
        self.listener = socket.create_server((host, port))
        self.address = self.listener.getsockname()[:2]
        self.client: socket.socket | None = None
        self._lock = threading.Lock()
        self._closed = False
        uart.output_listeners.append(self._write)
        self.thread = threading.Thread(target=self._serve, name="trapscope-serial-tcp", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self.client = conn
            self._pump(conn)
            with self._lock:
                self.client = None
            conn.close()

    def _pump(self, conn: socket.socket) -> None:
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            self.post(lambda chunk=data: self.uart.inject(chunk))

    def _write(self, data: bytes) -> None:
        with self._lock:
            client = self.client
        if client is not None:
            try:
                client.sendall(data)
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        if self._write in self.uart.output_listeners:
            self.uart.output_listeners.remove(self._write)
        with self._lock:
            if self.client is not None:
                self.client.shutdown(socket.SHUT_RDWR)
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=5)


def open_serial(spec: str, uart: Any, post: Post, on_quit: Callable[[], None]) -> Backend:
    """Connect the UART as `spec` says (see the module docstring)."""
    kind, arg = parse_serial(spec)
    if kind == "stdio":
        return StdioSerial(uart, post, on_quit)
    if kind == "file":
        return FileSerial(uart, arg)
    if kind == "tcp":
        return TcpSerial(uart, post, *arg)
    return Backend()
