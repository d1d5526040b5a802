"""The real-RISC-V oracle: tests/fpu/oracle.c built with the cross gcc, run under qemu-riscv64.

`Oracle.run(cases)` sends cases in chunks to one long-lived process and
returns ``(result, fflags)`` per case. The binary is cached under
build/tests/fpu/ by the hash of its source, flags and compiler.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = HERE / "oracle.c"
CC = "riscv64-linux-gnu-gcc"
QEMU = "qemu-riscv64"
CFLAGS = ["-static", "-O2", "-Wall", "-Wextra", "-Werror"]
CHUNK = 1000

Case = Tuple[str, int, Sequence[int]]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: run tools/dev setup (it installs the Debian packages)")
    return path


def build_oracle() -> Path:
    """Build the oracle if its cached binary is missing; return its path."""
    cc = _tool(CC)
    version = subprocess.run([cc, "--version"], capture_output=True, text=True, check=True).stdout
    key = hashlib.sha256(SOURCE.read_bytes() + " ".join(CFLAGS).encode() + version.encode())
    out = ROOT / "build" / "tests" / "fpu" / f"oracle-{key.hexdigest()[:16]}"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
        subprocess.run([cc, *CFLAGS, "-o", str(tmp), str(SOURCE)], check=True)
        os.replace(tmp, out)
    return out


class Oracle:
    """One qemu-riscv64 process running the oracle; use as a context manager."""

    def __init__(self, binary: Path) -> None:
        self.proc = subprocess.Popen([_tool(QEMU), str(binary)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def __enter__(self) -> Oracle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the process and reap it."""
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()

    def run(self, cases: Sequence[Case]) -> List[Tuple[int, int]]:
        """The real instruction's ``(result, fflags)`` for each ``(name, rm, operands)``."""
        answers: List[Tuple[int, int]] = []
        for start in range(0, len(cases), CHUNK):
            answers += self._run_chunk(cases[start:start + CHUNK])
        return answers

    def _run_chunk(self, cases: Sequence[Case]) -> List[Tuple[int, int]]:
        lines = [f"{name} {rm:x} " + " ".join(f"{x:x}" for x in operands)
                 for name, rm, operands in cases]
        self.proc.stdin.write("\n".join(lines) + "\nsync\n")
        self.proc.stdin.flush()
        answers = []
        for _ in cases:
            line = self.proc.stdout.readline()
            if not line or line == "sync\n":
                raise RuntimeError(f"oracle died or lost sync (exit {self.proc.poll()})")
            result, flags = line.split()
            answers.append((int(result, 16), int(flags, 16)))
        if self.proc.stdout.readline() != "sync\n":
            raise RuntimeError("oracle answered more lines than it was asked")
        return answers


def disagreements(oracle: Oracle, cases: Sequence[Case],
                  mine: Callable[[str, int, Sequence[int]], Tuple[int, int]]) -> List[str]:
    """One line per case where ``mine`` and the oracle differ (result or fflags)."""
    out = []
    for (name, rm, operands), want in zip(cases, oracle.run(cases)):
        try:
            got = mine(name, rm, operands)
        except Exception as exc:  # a crash is a disagreement to report with its case
            got = (repr(exc), -1)
        if tuple(got) != want:
            args = " ".join(f"{x:#x}" for x in operands)
            shown = got[0] if isinstance(got[0], str) else f"{got[0]:#x}"
            out.append(f"{name} rm={rm} {args}: oracle {want[0]:#x} flags {want[1]:#x}, "
                       f"trapscope {shown} flags {got[1]:#x}")
    return out


def assert_agree(oracle: Oracle, cases: Sequence[Case],
                 mine: Callable[[str, int, Sequence[int]], Tuple[int, int]]) -> None:
    """Fail listing the first disagreements, if any."""
    bad = disagreements(oracle, cases, mine)
    assert not bad, f"{len(bad)} of {len(cases)} cases disagree:\n" + "\n".join(bad[:25])
