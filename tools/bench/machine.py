"""`trapscope bench machine`: the machine's speed on CPU-bound guests, against QEMU in the same run.

Three bare-metal programs (tools/bench/programs: integer, memory/paging in
U-mode under Sv39, trap round trips) run on the machine under CPython and
under PyPy (.venv-pypy) and on `qemu-system-riscv64 -machine virt -bios none`.
Each program repeats its work `iterations` times (patched into a copy of
the ELF). The machine's instruction count is exact; QEMU runs the same
instruction stream, so its count is known too, and its speed is measured
from two runs of different lengths, which cancels QEMU's start-up time.
Both must print the same checksum.

Entry point: `main(argv) -> int`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

REPO = Path(__file__).resolve().parents[2]
SRC = Path(__file__).resolve().parent / "programs"
OUT = REPO / "build" / "bench" / "machine"
PROGRAMS = ("integer", "memory", "trap")
# iterations on the machine (PyPy runs PYPY_FACTOR times longer, past its JIT
# warm-up), and on QEMU (two runs: the difference is timed)
ITERATIONS = {"integer": 12, "memory": 24, "trap": 12}
PYPY_FACTOR = 3
QEMU_ITERATIONS = {"integer": (100, 1100), "memory": (100, 1100), "trap": (200, 2200)}
CFLAGS = ("-march=rv64gc", "-mabi=lp64d", "-O2", "-nostdlib", "-nostartfiles", "-static", "-Wl,--build-id=none",
          "-mcmodel=medany", "-fno-pic", "-no-pie", "-ffreestanding", "-fno-jump-tables",
          "-fno-tree-loop-distribute-patterns")


def build(name: str) -> Path:
    """Build one program (cached by the hash of its sources and flags)."""
    files = [SRC / "start.S", SRC / "bench.h", SRC / "link.ld", SRC / f"{name}.c"]
    key = hashlib.sha256(b"".join(f.read_bytes() for f in files) + " ".join(CFLAGS).encode())
    elf = OUT / f"{name}-{key.hexdigest()[:16]}.elf"
    if not elf.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = elf.with_suffix(".tmp")
        subprocess.run(["riscv64-linux-gnu-gcc", *CFLAGS, "-T", str(SRC / "link.ld"), "-o", str(tmp),
                        str(SRC / "start.S"), str(SRC / f"{name}.c")], check=True)
        tmp.rename(elf)
    return elf


def with_iterations(elf: Path, n: int) -> Path:
    """A copy of the ELF whose `iterations` variable is n."""
    from elftools.elf.elffile import ELFFile

    out = elf.with_name(f"{elf.stem}-x{n}.elf")
    if out.exists():
        return out
    data = bytearray(elf.read_bytes())
    with open(elf, "rb") as fh:
        e = ELFFile(fh)
        sym = e.get_section_by_name(".symtab").get_symbol_by_name("iterations")[0]
        sec = e.get_section(sym["st_shndx"])
        off = sec["sh_offset"] + sym["st_value"] - sec["sh_addr"]
    data[off:off + 8] = n.to_bytes(8, "little")
    out.write_bytes(bytes(data))
    return out


def worker(elf: str) -> Dict[str, object]:
    """Run one ELF on the machine in this process: instructions, seconds, output."""
    from trapscope.machine.debug import StopReason
    from trapscope.tools.bench.harness import MiniMachine

    m = MiniMachine(ram_mib=128)
    m.load(elf)
    t0, c0 = time.perf_counter(), time.process_time()
    stop = m.run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"insns": m.sched.total_insns(), "seconds": seconds, "cpu": cpu,
            "output": m.console.out.decode(errors="replace"),
            "ok": stop.reason is StopReason.EXITED and stop.exit_code == 0}


def run_worker(python: str, elf: Path) -> Dict[str, object]:
    res = subprocess.run([python, "-m", "trapscope.tools.bench.machine", "--worker", str(elf)],
                         check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(res.stdout)


def run_qemu(elf: Path) -> Tuple[float, str]:
    """(wall seconds, UART output) of one QEMU run."""
    t0 = time.perf_counter()
    res = subprocess.run(["qemu-system-riscv64", "-machine", "virt", "-bios", "none", "-nographic",
                          "-m", "128M", "-kernel", str(elf)], capture_output=True, timeout=600,
                         stdin=subprocess.DEVNULL)
    return time.perf_counter() - t0, res.stdout.decode(errors="replace")


def measure(name: str, pythons: Dict[str, str], scale: float) -> Dict[str, object]:
    elf = build(name)
    n = max(1, int(ITERATIONS[name] * scale))
    row: Dict[str, object] = {"program": name}
    one = run_worker(pythons["cpython"], with_iterations(elf, 1))
    two = run_worker(pythons["cpython"], with_iterations(elf, 2))
    per_iter = int(two["insns"]) - int(one["insns"])
    base = int(one["insns"]) - per_iter
    for label, python in pythons.items():
        r = run_worker(python, with_iterations(elf, n * (PYPY_FACTOR if label == "pypy" else 1)))
        row[label] = {"insns": r["insns"], "seconds": r["seconds"], "cpu": r["cpu"],
                      "output": r["output"], "ok": r["ok"]}
    lo, hi = (max(1, int(k * scale)) for k in QEMU_ITERATIONS[name])
    t_lo, out_lo = run_qemu(with_iterations(elf, lo))
    t_hi, out_hi = run_qemu(with_iterations(elf, hi))
    row["qemu"] = {"insns": base + per_iter * hi, "seconds": max(t_hi - t_lo, 1e-9),
                   "mips_insns": per_iter * (hi - lo)}
    check = run_worker(pythons["cpython"], with_iterations(elf, lo))
    row["same_output"] = check["output"].strip() == out_lo.strip() and bool(check["output"])
    return row


def _mips(r: Dict[str, object], key: str = "insns", cpu: bool = False) -> float:
    """Millions of instructions per (wall-clock, or this process's CPU) second."""
    return float(r[key]) / float(r["cpu" if cpu else "seconds"]) / 1e6  # type: ignore[arg-type]


NAMES = {"cpython": "CPython", "pypy": "PyPy", "qemu": "QEMU"}


def table(rows: List[Dict[str, object]], pythons: Sequence[str]) -> str:
    """The results as a Markdown table: instructions, seconds, MIPS per engine, ratios."""
    head = ["program"]
    for p in pythons:
        head += [f"{NAMES[p]} instructions", f"{NAMES[p]} s", f"{NAMES[p]} MIPS", f"{NAMES[p]} CPU MIPS"]
    head += ["QEMU instructions", "QEMU s", "QEMU MIPS"]
    head += [f"QEMU/{NAMES[p]}" for p in pythons] + ["checksum"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        q = row["qemu"]
        q_mips = _mips(q, "mips_insns")  # type: ignore[arg-type]
        cells = [str(row["program"])]
        for p in pythons:
            r = row[p]
            cells += [f"{r['insns']:,}", f"{r['seconds']:.2f}", f"{_mips(r):.1f}",  # type: ignore[index,arg-type]
                      f"{_mips(r, cpu=True):.1f}"]  # type: ignore[arg-type]
        cells += [f"{q['mips_insns']:,}", f"{q['seconds']:.2f}", f"{q_mips:,.0f}"]  # type: ignore[index]
        cells += [f"{q_mips / _mips(row[p]):,.0f}x" for p in pythons]  # type: ignore[arg-type]
        same = row["same_output"] and all(row[p]["ok"] for p in pythons)  # type: ignore[index]
        cells.append("same as QEMU" if same else "DIFFERS")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="trapscope bench machine", description=__doc__.split("\n\n")[0])
    p.add_argument("programs", nargs="*", choices=[[], *PROGRAMS], default=[], metavar="PROGRAM",
                   help=f"which programs ({', '.join(PROGRAMS)}; default all)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every iteration count")
    p.add_argument("--no-pypy", action="store_true", help="skip the PyPy runs")
    p.add_argument("--json", action="store_true", help="print the raw measurements as JSON")
    p.add_argument("--worker", metavar="ELF", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table (or one worker run, internally)."""
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    pythons = {"cpython": sys.executable}
    pypy = REPO / ".venv-pypy" / "bin" / "python"
    if not args.no_pypy and pypy.exists():
        pythons["pypy"] = str(pypy)
    rows = [measure(name, pythons, args.scale) for name in (args.programs or PROGRAMS)]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(table(rows, list(pythons)))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\n{os.uname().machine}, {os.cpu_count()} cores, load average {load}; CPython "
              f"{sys.version.split()[0]}; PyPy runs {PYPY_FACTOR}x the iterations (past JIT warm-up); "
              "CPU MIPS: per second of the run's own CPU time (less sensitive to a busy machine); "
              "QEMU: the difference of two runs of different lengths (its start-up cancels)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
