"""Run the guest kernel on QEMU (or on trapscope) with a hard timeout.

    result = run_qemu(elf, append="init=tests", smp=2)
    assert result.status == 0, result.transcript()

The child is killed on timeout, and as soon as the kernel panics; the full
serial transcript is kept for failure messages.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Sequence, Tuple

QEMU = "qemu-system-riscv64"
OPENSBI_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"

PASS_RE = re.compile(r"^(PASS|FAIL) (\S+)", re.M)
SUMMARY_RE = re.compile(r"^tests: (\d+) passed, (\d+) failed$", re.M)
FRAMES_RE = re.compile(r"^frames: before (\d+) after (\d+)", re.M)


@dataclass
class RunResult:
    """What a run printed and how it ended."""

    command: List[str]
    output: str
    status: int | None          # exit status, None if killed
    timed_out: bool = False
    panicked: bool = False
    seconds: float = 0.0
    notes: List[str] = field(default_factory=list)

    def transcript(self) -> str:
        """Everything needed to understand a failure."""
        how = "timed out" if self.timed_out else "panicked" if self.panicked else (
            f"exit status {self.status}")
        return f"$ {' '.join(self.command)}\n[{how} after {self.seconds:.1f}s]\n{self.output}"

    def verdicts(self) -> List[str]:
        """The `PASS name` / `FAIL name` lines, in order."""
        return [f"{m.group(1)} {m.group(2)}" for m in PASS_RE.finditer(self.output)]

    def summary(self) -> tuple | None:
        m = SUMMARY_RE.search(self.output)
        return (int(m.group(1)), int(m.group(2))) if m else None

    def frames(self) -> tuple | None:
        m = FRAMES_RE.search(self.output)
        return (int(m.group(1)), int(m.group(2))) if m else None


def require(tool: str) -> str:
    """Path of a required tool; a missing one is a setup failure."""
    path = shutil.which(tool)
    if not path:
        raise RuntimeError(f"{tool} is not installed: run tools/dev setup")
    return path


def run_command(cmd: Sequence[str], timeout: float,
                interact: Sequence[Tuple[bytes, bytes]] = ()) -> RunResult:
    """Run cmd, collecting stdout+stderr; kill it on timeout or on a kernel panic.

    interact: (wait_for, send) pairs, in order: when the output shows
    wait_for (after the previous one), send goes to the guest's input.
    """
    start = time.monotonic()
    proc = subprocess.Popen(list(cmd), stdin=subprocess.PIPE if interact else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    chunks: List[bytes] = []
    panicked = threading.Event()
    script = list(interact)

    def reader() -> None:
        assert proc.stdout is not None
        tail = b""
        seen = 0   # output already matched by the script
        while True:
            data = proc.stdout.read1(65536)
            if not data:
                return
            chunks.append(data)
            tail = (tail + data)[-4096:]   # QEMU writes the serial port a byte at a time
            if b"\npanic: " in tail and b"called from" in tail:
                panicked.set()
            while script:
                text = b"".join(chunks)
                at = text.find(script[0][0], seen)
                if at < 0:
                    break
                seen = at + len(script[0][0])
                assert proc.stdin is not None
                proc.stdin.write(script.pop(0)[1])
                proc.stdin.flush()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    timed_out = False
    deadline = start + timeout
    while proc.poll() is None:
        if panicked.is_set():
            time.sleep(0.5)   # let the backtrace through
            break
        if time.monotonic() > deadline:
            timed_out = True
            break
        time.sleep(0.05)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    t.join(timeout=5)
    output = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    status = None if (timed_out or panicked.is_set()) else proc.returncode
    return RunResult(list(cmd), output, status, timed_out, panicked.is_set(),
                     time.monotonic() - start)


def qemu_command(elf: Path, append: str = "init=tests", smp: int = 2, mem: int = 128,
                 bios: str = "default") -> List[str]:
    return [require(QEMU), "-machine", "virt", "-smp", str(smp), "-m", f"{mem}M",
            "-nographic", "-bios", bios, "-kernel", str(elf), "-append", append,
            "-monitor", "none", "-serial", "stdio"]


def run_qemu(elf: Path, append: str = "init=tests", smp: int = 2, mem: int = 128,
             timeout: float = 120, bios: str = "default",
             interact: Sequence[Tuple[bytes, bytes]] = ()) -> RunResult:
    """Boot elf on `qemu-system-riscv64 -machine virt` with the default OpenSBI."""
    return run_command(qemu_command(elf, append, smp, mem, bios), timeout, interact)


def run_trapscope(elf: Path, append: str = "init=tests", smp: int = 2,
                  bios: str | None = None, timeout: float = 900,
                  interact: Sequence[Tuple[bytes, bytes]] = (), mem: int = 128) -> RunResult:
    """Boot elf on trapscope's own machine (`trapscope run`); interact as for run_qemu
    (the input goes to the guest through `trapscope run`'s stdin)."""
    cmd = [sys.executable, "-m", "trapscope.tools.cli", "run", "--smp", str(smp),
           "--mem", str(mem), "--append", append]
    if bios:
        cmd += ["--bios", bios]
    cmd.append(str(elf))
    return run_command(cmd, timeout, interact)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QemuSession:
    """QEMU running the kernel in the background with its gdbstub on a port.

        with QemuSession(elf, "init=...", smp=2) as q:
            q.wait_for(b"called from")
            out = gdb_batch(elf, q.port, ["info threads"])

    The process is killed when the block ends."""

    def __init__(self, elf: Path, append: str, smp: int = 2, mem: int = 128) -> None:
        self.port = free_port()
        self.command = qemu_command(elf, append, smp, mem) + [
            "-gdb", f"tcp:127.0.0.1:{self.port}"]
        self._chunks: List[bytes] = []
        self._proc: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None

    def __enter__(self) -> QemuSession:
        self._proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        while True:
            data = self._proc.stdout.read1(65536)
            if not data:
                return
            self._chunks.append(data)

    def output(self) -> str:
        """The serial output so far."""
        return b"".join(self._chunks).decode("utf-8", "replace").replace("\r\n", "\n")

    def wait_for(self, text: bytes, timeout: float = 60) -> None:
        """Wait until the output shows text; fail with the transcript if it never does."""
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        while text not in b"".join(self._chunks):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} from {' '.join(self.command)}\n{self.output()}")
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
            if self._reader is not None:
                self._reader.join(timeout=5)
            assert self._proc.stdout is not None
            self._proc.stdout.close()


def gdb_batch(elf: Path, port: int, commands: Sequence[str], timeout: float = 60) -> str:
    """Run gdb-multiarch in batch mode against 127.0.0.1:port with elf's symbols;
    its output.  It attaches (stopping the target), runs commands and detaches."""
    cmd = [require("gdb-multiarch"), "-batch", "-nx", "-ex", "set pagination off",
           "-ex", "set confirm off", "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands:
        cmd += ["-ex", c]
    cmd += ["-ex", "detach", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
    return proc.stdout + proc.stderr


# The shell alone (`/init shell`) driven through the console: line input with
# echo, backspace and Ctrl-U editing, a program run with the typed words, and
# `exit 3` as the run's exit status.
SHELL_APPEND = "init=/init shell"
SHELL_SESSION = [
    (b"$ ", b"echo typed at   the console\r"),
    (b"$ ", b"echo abX\x7fc\r"),
    (b"$ ", b"echo junk\x15echo kept\r"),
    (b"$ ", b"ls /etc\r"),
    (b"$ ", b"exit 3\r"),
]


def check_shell_session(result: RunResult) -> None:
    """What SHELL_SESSION must have shown."""
    out = result.output
    assert result.status == 3, result.transcript()
    assert "PASS" not in out, result.transcript()   # no tests ran first
    assert "trapscope shell:" in out, result.transcript()
    # the kernel echoes each typed line, then echo prints its arguments
    assert "$ echo typed at   the console\ntyped at the console\n" in out, result.transcript()
    assert "$ echo abX\b \bc\nabc\n" in out, result.transcript()
    assert "\nkept\n" in out and "junk\n" not in out, result.transcript()
    assert "$ ls /etc\ntests\n" in out, result.transcript()
    assert "[kernel] init exited with status 3" in out, result.transcript()
