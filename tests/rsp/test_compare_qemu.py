"""The same gdb script against QEMU's gdbstub and against trapscope: the same
register values at the same breakpoints and steps."""

from __future__ import annotations

import re

from tests.rsp.harness import Qemu, Served, run_gdb

REGISTERS = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3",
             "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
             "t3", "t4", "t5", "t6", "pc", "mscratch", "mtvec", "mepc", "mcause"]

SCRIPT = f"""
break checkpoint
break fib
python
import gdb
NAMES = {REGISTERS!r}
def dump(tag):
    frame = gdb.selected_frame()
    values = " ".join("%s=%#x" % (n, int(frame.read_register(n)) & (2**64 - 1)) for n in NAMES)
    print("REGS %s %s" % (tag, values))
for i in range(6):
    gdb.execute("continue", to_string=True)
    dump("stop%d" % i)
gdb.execute("delete", to_string=True)
for i in range(25):
    gdb.execute("stepi", to_string=True)
    dump("step%d" % i)
end
"""


def registers_at_stops(output: str) -> list:
    return re.findall(r"^REGS .*$", output, re.M)


def test_same_registers_as_qemu_at_the_same_stops(guest_elf):
    qemu = Qemu(guest_elf)
    try:
        expected = registers_at_stops(run_gdb(qemu.port, guest_elf, SCRIPT))
    finally:
        qemu.close()
    served = Served(guest_elf)
    try:
        got = registers_at_stops(run_gdb(served.port, guest_elf, SCRIPT))
    finally:
        served.close()
    assert len(expected) == 6 + 25, expected
    assert "a0=0x4" in expected[4]  # checkpoint(4)
    assert got == expected
