"""Tests of the board: devices, device tree, firmware, `trapscope run`."""
