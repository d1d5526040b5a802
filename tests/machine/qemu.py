"""Running probe programs on the real QEMU and on our machine, and reading their results.

A probe program runs bare-metal (`-bios none`, M-mode at 0x8000_0000),
writes its results to a memory buffer, prints "DONE" on the UART
(0x1000_0000) and spins. On QEMU the buffer is saved with the monitor's
`pmemsave`; on our machine it is read from RAM. QEMU results are cached
under build/ by the hash of the ELF and the QEMU version.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Tuple

from trapscope.machine.debug import StopReason
from trapscope.tools.bench.harness import MiniMachine

from tests.machine.build import OUT

QEMU = "qemu-system-riscv64"
# QEMU 7.2's default rv64 CPU has the H extension; the machine does not (misa = IMAFDCSU).
CPU = "rv64,h=false"
TIMEOUT = 30.0


def _qemu_version() -> str:
    return subprocess.run([QEMU, "--version"], check=True, capture_output=True, text=True).stdout


def _monitor(sock_path: str, command: str) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock_path)
        s.settimeout(TIMEOUT)
        s.sendall(command.encode() + b"\n")
        buf = b""
        # The monitor echoes the command and prints a prompt when it is done.
        while buf.count(b"(qemu)") < 2:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk


def run_on_qemu(elf: Path, addr: int, size: int) -> Tuple[bytes, str]:
    """(result buffer, UART output) of a probe program on QEMU."""
    key = hashlib.sha256(elf.read_bytes() + _qemu_version().encode() + f"{CPU}:{addr}:{size}".encode())
    cache = OUT / "qemu-cache" / key.hexdigest()[:20]
    if (cache / "dump.bin").exists():
        return (cache / "dump.bin").read_bytes(), (cache / "uart.txt").read_text()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "mon.sock")
        dump = os.path.join(tmp, "dump.bin")
        proc = subprocess.Popen(
            [QEMU, "-machine", "virt", "-cpu", CPU, "-bios", "none", "-smp", "1", "-m", "128M", "-display", "none",
             "-serial", "stdio", "-monitor", f"unix:{sock},server=on,wait=off", "-kernel", str(elf)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        try:
            out = _read_until_done(proc)
            _monitor(sock, f'pmemsave {addr:#x} {size} "{dump}"')
            data = Path(dump).read_bytes()
        finally:
            proc.kill()
            proc.wait()
    (cache / "dump.bin").write_bytes(data)
    (cache / "uart.txt").write_text(out)
    return data, out


def _read_until_done(proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + TIMEOUT
    out = b""
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    while b"DONE" not in out:
        if proc.poll() is not None:
            raise RuntimeError(f"QEMU exited early ({proc.returncode}): {out.decode(errors='replace')}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"QEMU probe timed out: {out.decode(errors='replace')}")
        chunk = proc.stdout.read()
        if chunk:
            out += chunk
        else:
            time.sleep(0.01)
    return out.decode(errors="replace")


TIERS = {"interpreted": 1 << 30, "compiled": 0}  # CodeCache.hot for each execution tier


def run_on_machine(elf: Path, addr: int, size: int, max_insns: int = 50_000_000,
                   tier: str = "") -> Tuple[bytes, str]:
    """(result buffer, console output) of a probe program on our machine.

    `tier` forces every block to be interpreted or compiled (default: as usual).
    """
    m = MiniMachine(ram_mib=128)
    if tier:
        m.sched.code.hot = TIERS[tier]
    m.load(str(elf))

    def poll() -> None:
        if b"DONE" in m.console.out:
            m.sched.request_exit(0)
    m.sched.add_poll(poll)
    stop = m.run(max_insns=max_insns)
    assert stop.reason is StopReason.EXITED, (stop, m.console.out.decode(errors="replace"))
    data = m.debug.read_memory(0, addr, size, physical=True)
    assert isinstance(data, bytes)
    return data, m.console.out.decode(errors="replace")
