"""The RV64GC `virt` machine. Knows nothing of gdb or of the kernel."""
