"""The top-level gdbinit: symbols, attach, and one `k<name>` per monitor command."""

from __future__ import annotations

import os
import re
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


def test_the_main_job_serves_the_kernel_and_gdbinit_debugs_it():
    """README's main job without an ELF: serve builds and boots the default
    kernel on the built-in SBI; gdbinit with no settings loads its symbols."""
    served = Served(None, extra=("--append", "init=/bin/true"))
    try:
        env = {**os.environ, "TERM": "dumb", "TRAPSCOPE_GDB": f"127.0.0.1:{served.port}"}
        env.pop("TRAPSCOPE_ELF", None)
        cmds = ["break start", "break start_secondary", "continue", "print/x $pc",
                "info symbol $pc", "continue", "thread", "print hartid", "kharts", "detach"]
        res = subprocess.run([GDB, "-nx", "-batch", "-x", str(REPO / "gdbinit"),
                              *[a for c in cmds for a in ("-ex", c)]],
                             capture_output=True, text=True, timeout=120, cwd=REPO, env=env,
                             check=False)
        out = res.stdout + res.stderr
    finally:
        served.close()
    assert "Breakpoint 1, start (hartid=0" in out, out
    assert "start in section .text" in out, out
    assert "Breakpoint 2, start_secondary (hartid=1" in out, out
    assert "[Current thread is 2 " in out and "$2 = 1" in out, out
    at = int(re.search(r"Breakpoint 2 at 0x([0-9a-f]+)", out).group(1), 16)
    assert re.search(rf"\n1 +\w+ +S +0x0*{at:x} ", out), out  # kharts: hart 1 in S-mode there
