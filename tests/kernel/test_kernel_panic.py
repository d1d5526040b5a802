"""panic() leaves what the monitor needs in guest memory, found by DWARF name:
`panic_record` (message, hart, task, caller), `klog` (the log ring, holding
the boot log), and every hart halted (`cpus[i].halted`, its pc in
panic_halt_loop, no more timer ticks).  Read through QEMU's gdbstub with
gdb-multiarch, and on trapscope through the machine's debug interface.

The panic is asked for by /bin/kpanic (trapscope's kinfo call), after it
ran /tests/efault, whose two calls of the unknown system call 999 must
leave exactly one line in the log."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
from kdwarf import KernelSymbols, klog_text
from kernel_runner import QemuSession, gdb_batch
from trapscope.machine.board import Machine
from trapscope.machine.config import MachineConfig
from trapscope.machine.debug import StopReason

MESSAGE = "boom (asked by pid 1)"
PRINTED_RE = re.compile(r"\npanic: hart (\d+), task (\d+), called from (0x[0-9a-f]+)\n")
BACKTRACE_RE = re.compile(r"^  #(\d+) (0x[0-9a-f]+)$", re.M)


class Regions:
    """Guest memory copied out in pieces: read(addr, n) from whichever holds it."""

    def __init__(self) -> None:
        self.pieces: Dict[int, bytes] = {}

    def read(self, addr: int, n: int) -> bytes:
        for base, data in self.pieces.items():
            if base <= addr and addr + n <= base + len(data):
                return data[addr - base:addr - base + n]
        raise KeyError(f"{addr:#x}+{n} was not copied")


def check_panic(syms: KernelSymbols, read: Callable[[int, int], bytes], output: str,
                nharts: int, pcs: List[int]) -> List[int]:
    """Everything the monitor relies on after a panic; returns each hart's ticks."""
    printed = PRINTED_RE.search(output)
    assert printed, output
    rec = syms.address("panic_record")
    assert syms.read_int(read, rec, "panic_record", "active") == 1
    msg = syms.read_bytes(read, rec, "panic_record", "msg").split(b"\0")[0].decode()
    assert msg == MESSAGE
    hart = syms.read_int(read, rec, "panic_record", "hart")
    tid = syms.read_int(read, rec, "panic_record", "tid")
    epc = syms.read_int(read, rec, "panic_record", "epc")
    assert (hart, tid, epc) == (int(printed.group(1)), 1, int(printed.group(3), 16)), output
    assert syms.function_at(epc) == "sys_kinfo"
    # frame pointers are kept: the printed backtrace walks panic's callers
    frames = [int(a, 16) for _, a in BACKTRACE_RE.findall(output[printed.end():])]
    assert [syms.function_at(a) for a in frames[:4]] == [
        "panic", "sys_kinfo", "syscall", "usertrap"], output
    loop, loop_size = syms.address("panic_halt_loop"), syms.size("panic_halt_loop")
    cpus, stride = syms.address("cpus"), syms.struct_size("cpu")
    ticks = []
    for h in range(nharts):
        base = cpus + h * stride
        assert syms.read_int(read, base, "cpu", "online") == 1, h
        assert syms.read_int(read, base, "cpu", "halted") == 1, f"hart {h} did not halt"
        assert loop <= pcs[h] < loop + loop_size, f"hart {h} at {pcs[h]:#x}"
        ticks.append(syms.read_int(read, base, "cpu", "ticks"))
    log = klog_text(syms, read)
    assert re.match(r"\ntrapscope kernel \(boot hart \d\)\n", log), log
    assert f"[kernel] {nharts} harts, 128 MiB RAM at 0x80000000" in log, log
    assert "[kernel] starting init: /bin/kpanic\n" in log, log
    assert f"\npanic: {MESSAGE}\n" in log, log
    assert printed.group(0) in log, log
    return ticks


def gdb_snapshot(elf: Path, port: int, syms: KernelSymbols, dump_dir: Path,
                 nharts: int) -> Tuple[Regions, List[int]]:
    """Attach gdb-multiarch, copy out panic_record, klog and cpus, and each hart's pc."""
    regions = Regions()
    commands = []
    for name in ("panic_record", "klog", "cpus"):
        start = syms.address(name)
        commands.append(f"dump binary memory {dump_dir / name}.bin {start:#x} "
                        f"{start + syms.size(name):#x}")
    commands.append('thread apply all printf "pc of %d: %#lx\\n", $_thread, $pc')
    out = gdb_batch(elf, port, commands)
    for name in ("panic_record", "klog", "cpus"):
        regions.pieces[syms.address(name)] = (dump_dir / f"{name}.bin").read_bytes()
    pcs = {int(t): int(pc, 16) for t, pc in re.findall(r"pc of (\d+): (0x[0-9a-f]+)", out)}
    assert sorted(pcs) == list(range(1, nharts + 1)), out
    return regions, [pcs[t + 1] for t in range(nharts)]


@pytest.mark.parametrize("smp", [2, 4])
def test_panic_record_klog_and_halted_harts_through_qemus_gdbstub(kernel_elf, tmp_path, smp):
    syms = KernelSymbols(kernel_elf)
    with QemuSession(kernel_elf, "init=/bin/kpanic boom /tests/efault", smp=smp) as q:
        q.wait_for(b"called from")
        q.wait_for(b"\n  #3 ")   # the backtrace is printed
        output = q.output()
        assert "PASS efault" in output, output
        regions, pcs = gdb_snapshot(kernel_elf, q.port, syms, tmp_path, smp)
        ticks = check_panic(syms, regions.read, output, smp, pcs)
        log = klog_text(syms, regions.read)
        assert log.count("unknown syscall 999") == 1, log
        assert "[kernel] pid " in log and "(efault): unknown syscall 999, returning -ENOSYS" in log
        # The harts stay halted: while the guest runs on, nothing moves.
        time.sleep(0.5)
        regions, pcs = gdb_snapshot(kernel_elf, q.port, syms, tmp_path, smp)
        assert check_panic(syms, regions.read, q.output(), smp, pcs) == ticks
        assert q.output() == output


def test_panic_on_trapscope_read_through_the_debug_interface(kernel_elf, tmp_path):
    syms = KernelSymbols(kernel_elf)
    serial = tmp_path / "serial.txt"
    machine = Machine(MachineConfig(smp=2, kernel=str(kernel_elf), serial=f"file:{serial}",
                                    append="init=/bin/kpanic boom"))
    try:
        debug = machine.debug
        debug.add_breakpoint(syms.address("panic_halt_loop"))
        halted = set()
        while len(halted) < 2:
            stop = debug.cont(frozen=frozenset(halted), max_insns=100_000_000)
            assert stop.reason is StopReason.BREAKPOINT, (stop, serial.read_text())
            halted.add(stop.hart)

        def read(addr: int, n: int) -> bytes:
            data = debug.read_memory(0, addr, n, physical=True)
            assert isinstance(data, bytes), data
            return data

        pcs = [debug.read_pc(h) for h in range(2)]
        check_panic(syms, read, serial.read_text(), 2, pcs)
    finally:
        machine.close()
