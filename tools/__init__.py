"""Front ends: the `trapscope` CLI, the console, the monitor registry, repro scenarios, difftest, bench."""
