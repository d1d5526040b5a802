"""The top-level gdbinit: symbols, attach, and one `k<name>` per monitor command."""

from __future__ import annotations

import os
import subprocess

from tests.rsp.harness import GDB, REPO, Served, build_guest


def run_gdbinit(port: int, elf, commands) -> str:
    env = {**os.environ, "TERM": "dumb", "TRAPSCOPE_GDB": f"127.0.0.1:{port}",
           "TRAPSCOPE_ELF": str(elf)}
    cmd = [GDB, "-nx", "-batch", "-x", str(REPO / "gdbinit")]
    for c in commands:
        cmd += ["-ex", c]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO, env=env,
                         check=False)
    return res.stdout + res.stderr


def test_gdbinit_attaches_with_symbols_and_defines_monitor_aliases():
    elf = build_guest()
    served = Served(elf)
    try:
        out = run_gdbinit(served.port, elf, [
            "help user-defined", "kharts", "kregs 1", "info address main",
            "break main", "continue", "info symbol $pc", "detach"])
    finally:
        served.close()
    # every monitor command the server lists has its k-alias, documented by its summary
    for name in ("kharts", "kregs", "kx", "kcatch", "kphys", "kreset", "khelp"):
        assert f"\n{name} -- " in out, out
    assert "(monitor harts)" in out
    # the aliases run the monitor commands on the server
    assert "hart state" in out and "\n1    " in out, out
    assert "hart 1, M-mode" in out, out
    # the ELF's symbols were loaded before the attach
    assert 'Symbol "main" is a function at address' in out, out
    assert "main in section .text" in out, out


def test_gdbinit_says_when_the_symbols_are_missing(tmp_path):
    served = Served(build_guest())
    try:
        out = run_gdbinit(served.port, tmp_path / "nothing.elf", ["kharts", "detach"])
    finally:
        served.close()
    assert "no symbols" in out and "trapscope build" in out, out
    assert "hart state" in out, out
