"""Running the real things for the RSP tests: the guest build, `trapscope serve`,
QEMU's gdbstub, and gdb-multiarch in batch mode."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List, Optional, Sequence

REPO = Path(__file__).resolve().parents[2]
GUEST_DIR = Path(__file__).resolve().parent / "guest"
GUEST_FLAGS = ("-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-O1", "-ffreestanding",
               "-fno-pie", "-no-pie", "-nostdlib", "-static", "-g", "-Wall", "-Werror",
               "-Wl,--build-id=none")
GDB = "gdb-multiarch"
QEMU = "qemu-system-riscv64"
_LISTENING = re.compile(r"listening on (\S+):(\d+)")


def build_guest() -> Path:
    """The guest ELF (cross gcc, cached by content hash under build/tests/rsp)."""
    from trapscope.tools.demo.build import cross_build

    sources = [GUEST_DIR / "start.S", GUEST_DIR / "main.c"]
    return cross_build("rsp-guest", sources, linker_script=GUEST_DIR / "link.ld",
                       flags=GUEST_FLAGS, out_dir=REPO / "build" / "tests" / "rsp")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A `trapscope serve` process on a free port; stdout and stderr are collected."""

    def __init__(self, elf: Optional[Path], extra: Sequence[str] = (), smp: int = 2) -> None:
        """Serve `elf` in M-mode (--bios none), or with elf None the default kernel
        on the built-in SBI; `extra` options come last, so they can override."""
        bios = "none" if elf is not None else "builtin"
        cmd = [sys.executable, "-m", "trapscope.tools.cli", "serve", "--bios", bios,
               "--smp", str(smp), "--no-console", "--listen", "127.0.0.1:0", *extra]
        cmd += [str(elf)] if elf is not None else []
        # stdin is a pipe nobody writes: the guest's serial input stays empty.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=REPO)
        self.stdout: List[bytes] = []
        self.stderr: List[str] = []
        self._ready = threading.Event()
        self.port = 0
        threading.Thread(target=self._drain_err, daemon=True).start()
        threading.Thread(target=self._drain_out, daemon=True).start()
        if not self._ready.wait(60) or not self.port:
            self.close()
            raise RuntimeError("trapscope serve did not start:\n" + "".join(self.stderr))

    def _drain_err(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            self.stderr.append(line)
            match = _LISTENING.search(line)
            if match and not self.port:
                self.port = int(match.group(2))
                self._ready.set()
        self._ready.set()

    def _drain_out(self) -> None:
        assert self.proc.stdout is not None
        while True:
            chunk = self.proc.stdout.read1(4096)  # type: ignore[attr-defined]
            if not chunk:
                return
            self.stdout.append(chunk)

    def log(self) -> str:
        return "".join(self.stderr)

    def output(self) -> str:
        return b"".join(self.stdout).decode(errors="replace")

    def wait_log(self, text: str, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()


class Qemu:
    """qemu-system-riscv64 -machine virt -bios none -s -S on a free port."""

    def __init__(self, elf: Path, smp: int = 2) -> None:
        self.port = free_port()
        cmd = [QEMU, "-machine", "virt", "-bios", "none", "-smp", str(smp), "-m", "128M",
               "-nographic", "-monitor", "none", "-serial", "none", "-kernel", str(elf),
               "-S", "-gdb", f"tcp:127.0.0.1:{self.port}"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not _port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("QEMU did not start: " + self.proc.stderr.read().decode())
            time.sleep(0.02)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _port_open(port: int) -> bool:
    # Probe without connecting (a connection would be a debugger attaching):
    # the port is taken once binding it fails.
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


# gdb commands that send Ctrl-C (SIGINT to gdb itself, as a terminal would) once the target runs.
CTRL_C_SOON = """python
import os, signal, threading
def _interrupt_soon(event):
    gdb.events.cont.disconnect(_interrupt_soon)
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
gdb.events.cont.connect(_interrupt_soon)
end
"""


def run_gdb(port: int, elf: Path | None, script: str, timeout: float = 120,
            extended: bool = False) -> str:
    """Run `script` (gdb commands) in `gdb-multiarch -batch` connected to `port`; its output."""
    head = "set confirm off\nset pagination off\nset width 0\n"
    head += f"target {'extended-remote' if extended else 'remote'} 127.0.0.1:{port}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(head + script)
        path = f.name
    try:
        cmd = [GDB, "-nx", "-batch", "-x", path]
        if elf is not None:
            cmd.append(str(elf))
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                             env={**os.environ, "TERM": "dumb"})
    finally:
        os.unlink(path)
    return res.stdout + res.stderr


def symbol(elf: Path, name: str) -> int:
    """The address of a symbol in the guest (from readelf-free parsing with pyelftools)."""
    from elftools.elf.elffile import ELFFile

    with open(elf, "rb") as f:
        table = ELFFile(f).get_section_by_name(".symtab")
        for sym in table.iter_symbols():
            if sym.name == name:
                return sym["st_value"]
    raise KeyError(name)
