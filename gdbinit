# trapscope's gdb command file.
#
#   gdb-multiarch -x gdbinit            (from the repository's top directory)
#
# It loads the kernel's symbols, attaches to `trapscope serve` and defines a
# `k<name>` command for every monitor command the server offers (`kharts`,
# `kregs`, `kx`, `kcatch`, ...): `kharts --json` is `monitor harts --json`.
# `help user-defined` lists them after the attach.
#
# Environment (all optional):
#   TRAPSCOPE_GDB  HOST:PORT of the server  (default 127.0.0.1:1234)
#   TRAPSCOPE_ELF  the ELF whose symbols to load (default kernel/build/kernel.elf)

set pagination off
set confirm off
set architecture riscv:rv64

python
import os
import gdb


def _trapscope_attach() -> None:
    elf = os.environ.get("TRAPSCOPE_ELF", "kernel/build/kernel.elf")
    where = os.environ.get("TRAPSCOPE_GDB", "127.0.0.1:1234")
    if os.path.exists(elf):
        gdb.execute("file " + elf)
    else:
        print("gdbinit: no symbols: %s does not exist (run `trapscope build`)" % elf)
    gdb.execute("target remote " + where)


class _MonitorAlias(gdb.Command):
    """Run a trapscope monitor command (see `monitor help`)."""

    def __init__(self, name: str, summary: str) -> None:
        self.__doc__ = "%s (monitor %s). Arguments go to the monitor command." % (summary, name)
        super().__init__("k" + name, gdb.COMMAND_USER)
        self.monitor = name

    def invoke(self, arg: str, from_tty: bool) -> None:
        gdb.execute(("monitor %s %s" % (self.monitor, arg)).strip())


def _trapscope_aliases() -> None:
    """One `k<name>` per line `  NAME  SUMMARY` of the server's `monitor help`."""
    listing = gdb.execute("monitor help", to_string=True)
    for line in listing.splitlines():
        if not line.startswith("  "):
            continue
        name, _, summary = line.strip().partition(" ")
        if name:
            _MonitorAlias(name, summary.strip())


_trapscope_attach()
_trapscope_aliases()
end
