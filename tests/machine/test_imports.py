"""Every machine module imports on its own, first, in a fresh interpreter.

A script that starts with `import trapscope.machine.board` (or `from
trapscope.machine.debug import Debug`) must work without anything else
imported before it: an import cycle inside machine/ would break exactly
that, while the test suite, which imports everything, would not notice.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MACHINE = Path(__file__).resolve().parents[2] / "machine"

# One interpreter; each module is imported in a child forked before anything of
# trapscope was imported, so every child imports its module first.
CHECK = """
import os, sys, traceback
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            if name.endswith(":Debug"):
                from trapscope.machine.debug import Debug  # noqa: F401
            else:
                __import__(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1] != 0:
        failed.append(name)
print("failed:", " ".join(failed))
"""


def machine_modules():
    """trapscope.machine and every module and package under it."""
    names = []
    for path in sorted(MACHINE.rglob("*.py")):
        parts = path.relative_to(MACHINE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(("trapscope", "machine") + parts))
    return names


def test_each_machine_module_imports_first_in_a_fresh_interpreter():
    names = machine_modules()
    assert "trapscope.machine.board" in names and "trapscope.machine.isa.table" in names
    names.append("trapscope.machine.debug:Debug")
    res = subprocess.run([sys.executable, "-c", CHECK, *names], capture_output=True, text=True,
                         timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "failed:", res.stdout + res.stderr
