"""difftest: one program on qemu-system-riscv64 and on trapscope, compared in lockstep.

    engine.py     the comparison (method and limits in its docstring)
    trace.py      QEMU's record of every instruction it executes
    positions.py  instruction indexes, and how both machines reach one
    qemu_side.py  QEMU under its gdbstub        our_side.py  trapscope through Debug
    syncs.py      values taken from QEMU (counters; SBI results with --bios builtin)
    pinpoint.py   replay to the first differing instruction
    report.py     the text report           model.py  options and results
    rsp.py        a minimal RSP client      qemu.py   QEMU's command line
    guests.py     building the ISA tests and the S-mode payload (payload/)
"""
