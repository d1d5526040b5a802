"""Real gdb-multiarch sessions (batch mode) against `trapscope serve` running the guest."""

from __future__ import annotations

import re

import pytest

from tests.rsp.harness import CTRL_C_SOON, Served, run_gdb, symbol


@pytest.fixture
def served(guest_elf):
    s = Served(guest_elf)
    yield s
    s.close()


def test_registers_breakpoints_stepping_memory(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
info registers pc
info registers priv
info registers mscratch
break checkpoint
continue
info registers a0
info registers mscratch
stepi
info registers pc
x/2xg &source
set var source = 42
print source
set $t5 = 0x1234
print/x $t5
print ratio
print/x $fcsr
finish
""")
    assert re.search(r"pc\s+0x1000\s", out)
    assert re.search(r"priv\s+0x3\s+prv:3 \[Machine\]", out)
    assert re.search(r"Thread 1 \"hart0\" hit Breakpoint 1, checkpoint \(i=i@entry=0\)", out)
    assert re.search(r"a0\s+0x0\s+0", out)
    assert re.search(r"mscratch\s+0x5ca1ab1e", out)
    checkpoint = symbol(guest_elf, "checkpoint")
    pcs = [int(v, 16) for v in re.findall(r"^pc\s+(0x[0-9a-f]+)", out, re.M)]
    assert pcs[0] == 0x1000 and pcs[-1] != checkpoint and checkpoint < pcs[-1] < checkpoint + 16
    source = symbol(guest_elf, "source")
    assert re.search(rf"0x{source:x} <source>:\s+0x0000000000000007", out)
    assert "$1 = 42" in out
    assert "$2 = 0x1234" in out
    assert "$3 = 1.5" in out
    assert "Value returned is $5 = 1" in out  # finish: checkpoint(0) returned 1


def test_watchpoints_hit_with_the_right_address(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
watch counter
watch mixed
continue
continue
delete
rwatch source
continue
delete
awatch mixed
continue
continue
""")
    hits = re.findall(r"hit (Hardware (?:read |access \(read/write\) )?watchpoint \d+: \w+)", out)
    assert hits == [
        "Hardware watchpoint 1: counter",
        "Hardware watchpoint 2: mixed",
        "Hardware read watchpoint 3: source",
        "Hardware access (read/write) watchpoint 4: mixed",
        "Hardware access (read/write) watchpoint 4: mixed",
    ]
    assert "Old value = 0\nNew value = 1" in out  # counter += 1
    assert "Old value = 0\nNew value = 2" in out  # mixed += 2
    assert "Value = 7" in out  # source read


def test_threads_are_harts(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
break fib
continue
info threads
thread 2
info registers pc
set scheduler-locking step
stepi
info registers pc
thread 1
bt 2
""")
    assert re.search(r"\*? 1\s+Thread 1 \"hart0\" \(hart 0, running, M-mode, pc=0x[0-9a-f]+\)", out)
    assert re.search(r"2\s+Thread 2 \"hart1\" \(hart 1, running, M-mode, pc=0x[0-9a-f]+\)", out)
    assert "[Switching to thread 2 (Thread 2)]" in out
    pcs = re.findall(r"^pc\s+(0x[0-9a-f]+)", out, re.M)
    assert len(pcs) == 2 and pcs[0] != pcs[1]
    # with scheduler-locking, stepping hart 1 (vCont;c:2 over gdb's step breakpoint) left hart 0 alone
    assert re.search(r"#0  fib \(n=n@entry=12\).*\n#1  0x[0-9a-f]+ in main \(\)", out)


def test_monitor_commands_through_gdb(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
monitor help
monitor harts
monitor regs 1
monitor x 0x80000000 16
monitor nosuch
monitor phys on
monitor phys off
""")
    assert "trapscope monitor commands" in out and "catch" in out and "harts" in out
    assert re.search(r"^0\s+running\s+M\s+0x0000000000001000", out, re.M)
    assert "hart 1, M-mode, pc 0x0000000000001000" in out
    assert re.search(r"0x0000000080000000: f3 22 40 f1", out)
    assert "unknown monitor command 'nosuch'" in out
    assert "memory accesses use physical addresses" in out


def test_catch_trap_stops_at_the_ecall(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
monitor catch trap ecall
continue
x/i $pc
monitor catch trap none
""")
    assert "stopping at trap entry for: user-ecall (8), supervisor-ecall (9), machine-ecall (11)" in out
    assert "is about to take a trap: machine-ecall (cause 0xb)" in out
    assert re.search(r"=> 0x[0-9a-f]+ <trigger_ecall(\+\d+)?>:\s+ecall", out)
    assert "stopping at trap entry for: nothing" in out


def test_ctrl_c_interrupts_a_running_guest(served, guest_elf):
    # Run main to its end first, so the interrupt finds the harts in their endless loops
    # however slowly the machine runs.
    out = run_gdb(served.port, guest_elf, """
break after_main
continue
delete
""" + CTRL_C_SOON + """
continue
info threads
""")
    assert re.search(r"received signal SIGINT, Interrupt", out)
    assert re.search(r"Thread 1 \"hart0\" .*spin_loop", out)
    assert re.search(r"Thread 2 \"hart1\" .*park_loop", out)


def test_exit_is_reported(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
set var poweroff_at_end = 1
continue
""")
    assert "[Inferior 1 (Remote target) exited normally]" in out


def test_detach_then_a_new_gdb_finds_the_machine_where_it_was(served, guest_elf):
    first = run_gdb(served.port, guest_elf, """
break checkpoint
continue
continue
detach
""")
    assert "checkpoint (i=i@entry=1)" in first
    assert "detached" in first
    second = run_gdb(served.port, guest_elf, """
info breakpoints
print i
break checkpoint
continue
""")
    assert "No breakpoints or watchpoints." in second
    assert "$1 = 1" in second  # still stopped in checkpoint(1)
    assert "checkpoint (i=i@entry=2)" in second
    assert served.wait_log("detached")
    assert served.log().count("attached") >= 2


def test_the_memory_map_keeps_gdb_off_device_registers(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
info mem
x/xw 0x80000000
x/xw 0x10000000
""")
    assert "Using memory regions provided by the target." in out
    assert re.search(r"0x0000000080000000 0x0000000088000000 rw", out)
    assert re.search(r"0x0000000000001000 0x0000000000010000 ro", out)
    assert "Cannot access memory at address 0x10000000" in out
    assert re.search(r"0x80000000 <_start>:\s+0xf14022f3", out)


def test_run_restarts_the_machine_and_kill_resets_it(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
break checkpoint
continue
continue
print i
run
print i
kill
""", extended=True)
    assert "$1 = 1" in out  # the second checkpoint
    assert "$2 = 0" in out  # after `run`, the program started over
    assert "[Inferior 1 (Remote target) killed]" in out
    second = run_gdb(served.port, guest_elf, "info registers pc\n")
    assert re.search(r"pc\s+0x1000\s", second)  # the kill left a machine at its reset vector


def test_every_register_of_every_hart_reads(served, guest_elf):
    out = run_gdb(served.port, guest_elf, """
info all-registers
thread 2
print $mhartid
print $fflags
""")
    for name in ("fcsr", "mstatus", "satp", "mhartid", "cycle", "priv"):
        assert re.search(rf"^{name}\s+0x", out, re.M), name
    assert re.search(r"^ft0\s+\{float = 0, double = 0\}", out, re.M)
    assert "<unavailable>" not in out and "Could not fetch" not in out
    assert "$1 = 1" in out  # hart 1's mhartid, read through Hg2
    assert "$2 = 0" in out
