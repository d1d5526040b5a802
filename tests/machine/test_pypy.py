"""The machine core runs under PyPy 3.9 (.venv-pypy) and computes what CPython computes.

The probe programs of the QEMU-compared tests run in a PyPy process; their
result buffers must equal the ones this (CPython) process gets.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.machine import privprobe, semantics
from tests.machine.build import build
from tests.machine.qemu import run_on_machine

ROOT = Path(__file__).resolve().parents[2]
PYPY = ROOT / ".venv-pypy" / "bin" / "python"
WORKER = """
import sys
sys.path.insert(0, {root!r})
from tests.machine.qemu import run_on_machine
import hashlib
for elf, addr, size in {jobs!r}:
    data, _ = run_on_machine(__import__("pathlib").Path(elf), addr, size)
    print(hashlib.sha256(data).hexdigest())
print(sys.implementation.name, sys.version_info[:2])
"""


def test_pypy_runs_the_probes_like_cpython():
    if not PYPY.exists():
        pytest.fail(f"{PYPY} is missing: run tools/dev setup")
    jobs = []
    for name in ("integer", "compressed", "memory"):
        prog = semantics.PROGRAMS[name]()
        jobs.append((str(build(f"sem-{name}", prog.source())), semantics.RESULTS, 8 * len(prog.labels)))
    jobs.append((str(build("privprobe", privprobe.program().source())), privprobe.RESULTS, 0x4000))
    out = subprocess.run([str(PYPY), "-c", WORKER.format(root=str(ROOT), jobs=jobs)], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.split("\n")
    assert lines[len(jobs)].startswith("pypy (3, 9)")
    for (elf, addr, size), got in zip(jobs, lines):
        want = hashlib.sha256(run_on_machine(Path(elf), addr, size)[0]).hexdigest()
        assert got == want, elf
    assert sys.implementation.name == "cpython"
