"""The programs difftest runs: the ISA tests and the S-mode payload for OpenSBI.

The ISA tests are the assembly files in tests/isa/ (one per area, sharing
tests/isa/isa.h and tests/isa/link.ld); the payload lives beside this module
in payload/. Each is built with the cross gcc into build/, under a name that
hashes everything the build reads (the source, every header, the linker
script, the flags and the compiler), so an unchanged program is never rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List, Sequence

REPO = Path(__file__).resolve().parents[2]
ISA_DIR = REPO / "tests" / "isa"
PAYLOAD_DIR = Path(__file__).resolve().parent / "payload"
BUILD = REPO / "build" / "tests" / "isa"
CROSS_GCC = "riscv64-linux-gnu-gcc"
FLAGS = ("-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-nostdlib", "-nostartfiles",
         "-static", "-no-pie", "-fno-pic", "-g", "-Wl,--build-id=none")

# ISA tests whose passing depends on interrupt timing: difftest cannot
# compare them instruction by instruction (see tools/difftest/__init__.py).
TIMING_DEPENDENT = ("interrupts", "plic")
# ISA tests built a second time with -DEXIT_HTIF: they report through Spike's
# HTIF tohost (QEMU's virt has no HTIF, so only trapscope runs that build).
HTIF_TESTS = ("rv64i", "rv64m")


class BuildError(Exception):
    """The cross compiler is missing or rejected a program; the message is one line."""


def isa_test_names() -> List[str]:
    """Names of all ISA tests (tests/isa/NAME.S), sorted."""
    return sorted(p.stem for p in ISA_DIR.glob("*.S"))


def build_isa_test(name: str, *, htif: bool = False) -> Path:
    """Build tests/isa/NAME.S (with -DEXIT_HTIF for the HTIF variant); returns the ELF."""
    src = ISA_DIR / f"{name}.S"
    if not src.is_file():
        raise BuildError(f"no ISA test named {name!r} (no {src})")
    defines = ("-DEXIT_HTIF",) if htif else ()
    return cross_build(f"{name}-htif" if htif else name, src, ISA_DIR, ISA_DIR / "link.ld", defines)


def build_sbi_payload() -> Path:
    """Build the S-mode payload (linked at 0x80200000) that OpenSBI's fw_jump starts."""
    return cross_build("sbi_payload", PAYLOAD_DIR / "sbi_payload.S", PAYLOAD_DIR,
                       PAYLOAD_DIR / "link.ld", ())


def _digest(src: Path, include_dir: Path, linker_script: Path, flags: Sequence[str], gcc: str) -> str:
    h = hashlib.sha256()
    inputs = [src, linker_script, *sorted(include_dir.glob("*.h"))]
    for path in inputs:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    h.update("\0".join(flags).encode() + b"\0" + gcc.encode())
    return h.hexdigest()[:16]


def cross_build(name: str, src: Path, include_dir: Path, linker_script: Path,
                defines: Sequence[str]) -> Path:
    """Assemble and link one program into build/tests/isa/NAME-HASH.elf unless it exists."""
    gcc = shutil.which(CROSS_GCC)
    if gcc is None:
        raise BuildError(f"{CROSS_GCC} not found: run `tools/dev setup` to install the cross compiler")
    flags = (*FLAGS, *defines, f"-I{include_dir}", "-T", str(linker_script))
    elf = BUILD / f"{name}-{_digest(src, include_dir, linker_script, flags, gcc)}.elf"
    if elf.exists():
        return elf
    BUILD.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".elf", dir=BUILD)
    os.close(fd)
    res = subprocess.run([gcc, *flags, "-o", tmp, str(src)], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        os.unlink(tmp)
        lines = res.stderr.strip().splitlines() or ["(no message)"]
        first = next((line for line in lines if "rror" in line), lines[0])
        raise BuildError(f"building {name} failed: {first}")
    os.replace(tmp, elf)
    return elf
