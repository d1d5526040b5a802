"""Every unprivileged instruction against QEMU 7.2, result for result.

The probe programs of `semantics.py` run on qemu-system-riscv64 and on the
machine, once with every block interpreted and once with every block
compiled (the machine's two execution tiers); every result slot (register values, FP results with their NaN
boxing, the FP flags, memory after stores and atomics) must be equal.
"""

from __future__ import annotations

import pytest

from tests.machine import semantics
from tests.machine.build import build
from tests.machine.qemu import TIERS, run_on_machine, run_on_qemu


@pytest.mark.parametrize("tier", sorted(TIERS))
@pytest.mark.parametrize("name", sorted(semantics.PROGRAMS))
def test_results_match_qemu(name, tier):
    prog = semantics.PROGRAMS[name]()
    elf = build(f"sem-{name}", prog.source())
    size = 8 * len(prog.labels)
    want, _ = run_on_qemu(elf, semantics.RESULTS, size)
    got, _ = run_on_machine(elf, semantics.RESULTS, size, tier=tier)
    bad = []
    for i, label in enumerate(prog.labels):
        q = int.from_bytes(want[8 * i:8 * i + 8], "little")
        m = int.from_bytes(got[8 * i:8 * i + 8], "little")
        if q != m:
            bad.append(f"{label}: qemu {q:#x}, ours {m:#x}")
    assert not bad, f"{len(bad)} of {len(prog.labels)} differ:\n" + "\n".join(bad[:60])
