"""Build small bare-metal RISC-V programs with the cross gcc, cached by content hash.

`cross_build` compiles and links a handful of C/assembly files into one
static ELF under `build/` (the path names a hash of the sources, the flags
and the compiler), so a second call with the same inputs costs nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from trapscope.tools.errors import UserError

CROSS_GCC = "riscv64-linux-gnu-gcc"
REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
BARE_FLAGS = ("-march=rv64imac_zicsr_zifencei", "-mabi=lp64", "-mcmodel=medany", "-O2",
              "-ffreestanding", "-fno-pie", "-no-pie", "-nostdlib", "-static", "-g",
              "-Wall", "-Werror", "-Wl,--build-id=none")


def _digest(sources: Sequence[Path], flags: Sequence[str]) -> str:
    h = hashlib.sha256()
    for src in sources:
        h.update(src.name.encode() + b"\0" + src.read_bytes() + b"\0")
    h.update("\0".join(flags).encode())
    h.update(shutil.which(CROSS_GCC).encode())
    return h.hexdigest()[:16]


def cross_build(name: str, sources: Sequence[Path], *, linker_script: Path,
                flags: Sequence[str] = BARE_FLAGS, out_dir: Path = BUILD / "guests") -> Path:
    """Compile and link `sources` into `<out_dir>/<name>-<hash>.elf` unless it exists."""
    if shutil.which(CROSS_GCC) is None:
        raise UserError(f"{CROSS_GCC} not found: run `tools/dev setup` to install the cross compiler")
    inputs = [Path(s) for s in sources] + [Path(linker_script)]
    elf = Path(out_dir) / f"{name}-{_digest(inputs, flags)}.elf"
    if elf.exists():
        return elf
    elf.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".elf", dir=elf.parent)
    os.close(fd)
    cmd = [CROSS_GCC, *flags, "-T", str(linker_script), "-o", tmp, *map(str, sources)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        lines = res.stderr.strip().splitlines() or ["(no message)"]
        first = next((line for line in lines if "error" in line), lines[0])
        raise UserError(f"building {name} failed: {first}")
    os.replace(tmp, elf)
    return elf
