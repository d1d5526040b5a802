"""`trapscope bench rsp`: the RSP server against QEMU's gdbstub, measured in the same run.

Both stubs serve the same small bare-metal loop (built with the cross gcc)
over loopback. A raw RSP client measures single-step round trips per second
(``vCont;s``), the ``g`` round trip, and memory-read throughput (each stub
read in the largest chunk its PacketSize allows); then gdb-multiarch's own
``stepi`` rate is measured with a gdb Python loop. Each stub is used in its
best mode (QEMU offers no no-ack mode; trapscope does).

The stubs are measured alternately for `--rounds` rounds and each figure is
the best a stub reached (the machine this runs on is shared, so the best of
several rounds is the figure least disturbed by other load).

Entry point: `main(argv) -> int` (the `bench` command dispatches `rsp` here).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence

from trapscope.rspserver.client import RspClient

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build" / "bench" / "rsp"
RAM_BASE = 0x80000000

GUEST_S = """\
/* The RSP benchmark's guest: a loop that keeps registers and memory changing. */
    .section .text.start
    .globl _start
_start:
    li    t0, 0
    li    t1, 0
    la    t2, scratch
1:  addi  t0, t0, 1
    add   t1, t1, t0
    sd    t1, 0(t2)
    xori  t3, t1, 0x55
    j     1b
    .bss
    .balign 8
scratch:
    .space 64
"""
GUEST_LD = """\
OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS
{
    . = 0x80000000;
    .text : { *(.text.start) *(.text .text.*) }
    .bss : { *(.bss .bss.*) }
}
"""
GUEST_FLAGS = ("-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-nostdlib", "-static",
               "-fno-pie", "-no-pie", "-g", "-Wl,--build-id=none")

# What the issue asks of trapscope (and what QEMU 7.2 measured here when it was written).
TARGETS = {"steps_per_s": 10_000, "g_us": 50, "read_mb_s": 50, "gdb_stepi_per_s": 1_000}


def build_guest() -> Path:
    """The benchmark guest ELF (cached by content hash)."""
    from trapscope.tools.demo.build import cross_build

    OUT.mkdir(parents=True, exist_ok=True)
    src, ld = OUT / "guest.S", OUT / "guest.ld"
    for path, text in ((src, GUEST_S), (ld, GUEST_LD)):
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return cross_build("rsp-bench", [src], linker_script=ld, flags=GUEST_FLAGS, out_dir=OUT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the two stubs ----------------------------------------------------------------------
def start_qemu(elf: Path, port: int) -> subprocess.Popen:
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-bios", "none", "-smp", "1", "-m", "128M",
           "-nographic", "-monitor", "none", "-serial", "none", "-kernel", str(elf),
           "-S", "-gdb", f"tcp:127.0.0.1:{port}"]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def start_trapscope(elf: Path, port: int, python: str) -> subprocess.Popen:
    cmd = [python, "-m", "trapscope.tools.cli", "serve", "--bios", "none", "--smp", "1",
           "--no-console", "--serial", "none", "--listen", f"127.0.0.1:{port}", str(elf)]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=REPO)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- measurements with a raw client ------------------------------------------------------
def _rate(n: int, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


def measure_raw(port: int, steps: int, g_count: int, read_bytes: int) -> Dict[str, float]:
    with RspClient("127.0.0.1", port, timeout=60) as c:
        c.request(b"Hg1")
        step_s = _rate(steps, lambda: c.resume(b"vCont;s:1"))
        g_s = _rate(g_count, lambda: c.request(b"g"))
        chunk = min(int(c.features.get("PacketSize", "1000"), 16) // 2, 0x10000)
        reads = max(1, read_bytes // chunk)
        addrs = [RAM_BASE + (i * chunk) % (64 << 20) for i in range(reads)]
        it = iter(addrs)
        read_s = _rate(reads, lambda: c.request(b"m%x,%x" % (next(it), chunk)))
    return {
        "steps_per_s": steps / step_s,
        "g_us": g_s / g_count * 1e6,
        "read_mb_s": reads * chunk / read_s / 1e6,
        "read_chunk": chunk,
    }


GDB_LOOP = """\
import time
import gdb
gdb.execute("target remote 127.0.0.1:{port}", to_string=True)
gdb.execute("stepi", to_string=True)
t = time.perf_counter()
for _ in range({n}):
    gdb.execute("stepi", to_string=True)
dt = time.perf_counter() - t
print("STEPI-RATE %f" % ({n} / dt))
gdb.execute("detach", to_string=True)
"""


def measure_gdb(port: int, elf: Path, n: int) -> float:
    """gdb's own stepi rate (a gdb Python loop) against the stub on `port`."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(GDB_LOOP.format(port=port, n=n))
        script = f.name
    try:
        res = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", "set confirm off",
                              "-ex", f"file {elf}", "-x", script],
                             capture_output=True, text=True, timeout=600, check=False)
    finally:
        os.unlink(script)
    for line in res.stdout.splitlines():
        if line.startswith("STEPI-RATE "):
            return float(line.split()[1])
    raise RuntimeError(f"gdb stepi loop failed: {res.stderr.strip()[-400:]}")


def measure(stub: str, elf: Path, args: argparse.Namespace) -> Dict[str, float]:
    """Start the stub twice (raw client, then gdb) and measure it."""
    results: Dict[str, float] = {}
    for what in ("raw", "gdb"):
        port = free_port()
        proc = start_qemu(elf, port) if stub == "qemu" else start_trapscope(elf, port, args.python)
        try:
            if what == "raw":
                results.update(measure_raw(port, args.steps, args.g_count, args.read_bytes))
            else:
                results["gdb_stepi_per_s"] = measure_gdb(port, elf, args.stepi)
        finally:
            stop(proc)
    return results


def best(into: Dict[str, float], new: Dict[str, float]) -> None:
    """Keep the better value of each figure (lower for `g`, higher for the rest)."""
    for key, value in new.items():
        if key not in into:
            into[key] = value
        elif key == "g_us":
            into[key] = min(into[key], value)
        elif key != "read_chunk":
            into[key] = max(into[key], value)


# -- report -----------------------------------------------------------------------------
ROWS = (
    ("steps_per_s", "single-step round trips (vCont;s)", "steps/s", True),
    ("g_us", "`g` round trip", "µs", False),
    ("read_mb_s", "memory reads", "MB/s", True),
    ("gdb_stepi_per_s", "gdb `stepi` (gdb Python loop)", "stepi/s", True),
)


def table(qemu: Dict[str, float], ours: Dict[str, float]) -> str:
    lines = ["| measure | QEMU 7.2 gdbstub | trapscope | trapscope / QEMU | target |",
             "|---|---:|---:|---:|---:|"]
    for key, label, unit, higher_better in ROWS:
        q, t = qemu[key], ours[key]
        ratio = t / q if higher_better else q / t
        target = TARGETS[key]
        sign = ">=" if higher_better else "<="
        lines.append(f"| {label} | {q:,.1f} {unit} | {t:,.1f} {unit} | {ratio:.2f}x | {sign} {target:,} {unit} |")
    lines.append(f"\nmemory reads in chunks of {qemu['read_chunk']:.0f} bytes (QEMU) and "
                 f"{ours['read_chunk']:.0f} bytes (trapscope), as each stub's PacketSize allows; "
                 "ratios > 1 mean trapscope is better.")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="trapscope bench rsp", description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=3000, help="single steps per stub (default 3000)")
    parser.add_argument("--g-count", type=int, default=3000, help="`g` round trips (default 3000)")
    parser.add_argument("--read-bytes", type=int, default=16 << 20, help="bytes to read (default 16 MiB)")
    parser.add_argument("--stepi", type=int, default=400, help="gdb stepi count (default 400)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter that runs `trapscope serve` (default: this one)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds, alternating the stubs; the best figure of each counts (default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table (or JSON). Returns the exit status."""
    args = parse_args(argv)
    for tool in ("qemu-system-riscv64", "gdb-multiarch"):
        if shutil.which(tool) is None:
            print(f"trapscope bench rsp: {tool} not found (run tools/dev setup)", file=sys.stderr)
            return 2
    elf = build_guest()
    qemu: Dict[str, float] = {}
    ours: Dict[str, float] = {}
    for _ in range(args.rounds):
        best(qemu, measure("qemu", elf, args))
        best(ours, measure("trapscope", elf, args))
    if args.json:
        print(json.dumps({"qemu": qemu, "trapscope": ours}, indent=2))
    else:
        print(table(qemu, ours))
    return 0


def run(args: List[str]) -> int:
    """Alias of `main` for dispatchers that call `run`."""
    return main(args)


if __name__ == "__main__":
    sys.exit(main())
