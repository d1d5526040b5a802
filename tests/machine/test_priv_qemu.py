"""The privileged architecture against QEMU 7.2: traps, modes, delegation,
interrupts, Sv39 faults and A/D updates, MPRV, FENCE.I (see privprobe.py)."""

from __future__ import annotations

import pytest

from tests.machine import privprobe
from tests.machine.build import build
from tests.machine.qemu import TIERS, run_on_machine, run_on_qemu

SIZE = 0x4000


def _words(data: bytes):
    return [int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data), 8)]


@pytest.mark.parametrize("tier", sorted(TIERS))
def test_privileged_behaviour_matches_qemu(tier):
    elf = build("privprobe", privprobe.program().source())
    want = _words(run_on_qemu(elf, privprobe.RESULTS, SIZE)[0])
    got = _words(run_on_machine(elf, privprobe.RESULTS, SIZE, tier=tier)[0])
    assert any(want), "the probe recorded nothing"
    for i, (q, m) in enumerate(zip(want, got)):
        if q != m:
            # Show the record around the first difference; units end with 0xdead00NN markers.
            unit = next((w - 0xDEAD0000 for w in reversed(want[:i]) if w >> 16 == 0xDEAD), 0) + 1
            lo = max(0, i - 6)
            rows = "\n".join(f"{j:5d}: qemu {want[j]:#018x}  ours {got[j]:#018x}"
                             for j in range(lo, min(len(want), i + 6)))
            raise AssertionError(f"first difference at word {i} (unit {unit}):\n{rows}")
