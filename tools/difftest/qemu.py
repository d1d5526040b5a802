"""Running qemu-system-riscv64 the way difftest and the ISA tests compare against it.

QEMU is configured as the machine it is compared with: `virt`, one hart,
128 MiB, and an `rv64` CPU without the extensions trapscope does not have
(H, Zba, Zbb, Zbc, Zbs), so misa, the device tree's ISA string and the set
of legal instructions agree. `-icount shift=0,sleep=off` makes QEMU's time
count executed instructions, so two runs of one program take the same path
even when the program reads the time.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path
from typing import List, Sequence

QEMU = "qemu-system-riscv64"
CPU = "rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false"
MEM_MIB = 128
DETERMINISM = ("-icount", "shift=0,sleep=off")
BIOS_NONE = "none"
BIOS_BUILTIN = "builtin"


class QemuError(Exception):
    """QEMU is missing or did not start; the message is one line."""


def qemu_binary() -> str:
    """The path of qemu-system-riscv64 (QemuError when it is not installed)."""
    path = shutil.which(QEMU)
    if path is None:
        raise QemuError(f"{QEMU} not found: run `tools/dev setup` (Debian package qemu-system-misc)")
    return path


def machine_args(elf: Path, bios: str, *, extra_machine: str = "") -> List[str]:
    """The QEMU arguments describing the compared machine running `elf`.

    `bios` is "none" (the ELF is an M-mode program at 0x80000000), "builtin"
    (QEMU's own default OpenSBI) or a firmware file; with a firmware the ELF
    is the S-mode payload.
    """
    qemu_bios = "default" if bios == BIOS_BUILTIN else bios
    return [qemu_binary(), "-machine", "virt" + extra_machine, "-cpu", CPU, "-smp", "1",
            "-m", f"{MEM_MIB}M", "-bios", qemu_bios, "-kernel", str(elf),
            "-display", "none", "-monitor", "none", "-nodefaults"]


def run(elf: Path, bios: str = BIOS_NONE, *, serial: str = "null", timeout: float = 300.0,
        extra: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """Run a program to its end on QEMU; returns the finished process (exit status = the guest's).

    Time counts instructions (-icount), so instret is exact, as on trapscope.
    """
    args = machine_args(elf, bios) + ["-serial", serial, *DETERMINISM, *extra]
    return subprocess.run(args, capture_output=True, timeout=timeout, check=False)


def dump_dtb(elf: Path, bios: str, out: Path) -> Path:
    """Write the device tree QEMU builds for this machine to `out` (-machine virt,dumpdtb)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    args = machine_args(elf, bios, extra_machine=f",dumpdtb={out}") + ["-serial", "null"]
    res = subprocess.run(args, capture_output=True, timeout=60, check=False)
    if res.returncode != 0 or not out.is_file():
        raise QemuError(f"QEMU could not dump its device tree: {res.stderr.decode(errors='replace').strip()}")
    return out


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen | None) -> None:
    """End a QEMU process we started (kill, then reap)."""
    if proc is None or proc.poll() is not None:
        return
    proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a kill is not refused
        pass
