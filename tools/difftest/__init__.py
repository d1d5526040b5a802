"""difftest: one program on qemu-system-riscv64 and on trapscope, compared in lockstep.

See `trapscope.tools.difftest.engine` for the method and its limits.
"""
