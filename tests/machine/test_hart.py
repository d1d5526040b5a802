"""Hart.reset: the architectural state returns to power-on, the lines devices drive stay."""

from __future__ import annotations

from trapscope.machine.debug import StopReason
from trapscope.tools.bench.harness import MiniMachine

from tests.machine.build import build

DIRTY = """
.section .text.init
.globl _start
_start:
  li s11, 0x5eed
  li t0, 0x2000
  csrs mstatus, t0
  fmv.d.x f31, s11
  csrw mscratch, s11
  li t0, 1 << 9
  csrw mie, t0
  csrsi mip, 2
1: j 1b
"""

SEIP, SSIP, MTIP = 1 << 9, 1 << 1, 1 << 7


def test_reset_clears_the_architectural_state_but_keeps_device_lines():
    m = MiniMachine()
    m.load(str(build("dirty-hart", DIRTY)))
    h = m.harts[0]
    assert m.run(max_insns=50).reason is StopReason.INSN_LIMIT
    assert h.x[27] == 0x5EED and h.f[31] == 0x5EED and h.mie == SEIP
    h.set_irq(9, True)  # the PLIC holds SEIP high
    h.mtimecmp = 1 << 40  # the CLINT's compare register, far ahead: MTIP low
    h.reset(0x80000000)
    assert h.pc == 0x80000000 and h.priv == 3
    assert h.x[27] == 0 and h.f[31] == 0 and h.mscratch == 0 and h.mie == 0
    assert h.mip_value() & SEIP  # still asserted by the device
    assert not h.mip_value() & (SSIP | MTIP)  # the software bit went with the reset
    assert h.mtimecmp == 1 << 40
    h.set_irq(9, False)  # the device lowers it: the hart follows
    assert not h.mip_value() & SEIP
