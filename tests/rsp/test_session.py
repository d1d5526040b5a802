"""Each packet handler against a real machine running the guest (no socket)."""

from __future__ import annotations

import re
import threading

import pytest
from trapscope.rspserver.control import Controller

from tests.rsp.harness import symbol
from tests.rsp.wire import Wire, le64, make_machine, stop_fields

PC = 0x20
PRIV = 0x1041  # 65 + 4096
MSTATUS = 65 + 0x300
MSCRATCH = 65 + 0x340
FFLAGS = 65 + 1
FT0 = 33


@pytest.fixture
def wire(guest_elf):
    w = Wire(make_machine(guest_elf))
    yield w
    w.close()


def run_to(wire: Wire, addr: int) -> bytes:
    assert wire.request(b"Z0,%x,4" % addr) == b"OK"
    reply = wire.resume(b"vCont;c")
    assert wire.request(b"z0,%x,4" % addr) == b"OK"
    return reply


def test_qsupported_offers_what_the_issue_asks(wire):
    reply = wire.request(b"qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+")
    features = dict(f.split("=") if "=" in f else (f[:-1], f[-1]) for f in reply.decode().split(";"))
    assert int(features["PacketSize"], 16) >= 16 * 1024
    for name in ("QStartNoAckMode", "qXfer:features:read", "qXfer:threads:read",
                 "qXfer:memory-map:read", "swbreak", "hwbreak", "vContSupported"):
        assert features[name] == "+", name
    assert "multiprocess" not in features


def test_ack_mode_acks_packets_and_naks_bad_checksums(guest_elf):
    w = Wire(make_machine(guest_elf), no_ack=False)
    try:
        w.feed(b"$?#3f")
        assert w.raw().startswith(b"+$T05")
        w.feed(b"$?#00")
        assert w.raw() == b"-"
        w.feed(b"-")  # gdb asks for the last packet again
        assert w.raw().startswith(b"$T05")
        w.feed(b"$QStartNoAckMode#b0")
        assert w.raw() == b"+$OK#9a"
        w.feed(b"$?#3f")
        assert w.raw().startswith(b"$T05")  # no more acks
        w.feed(b"$?#00")
        assert w.packets() == [b"E01"]  # no NAK in no-ack mode: an error reply
    finally:
        w.close()


def test_halt_reason_and_registers_at_reset(wire):
    assert wire.request(b"?").startswith(b"T05thread:1;")
    regs = wire.registers()
    assert len(regs) == 33
    assert regs[32] == 0x1000  # the reset ROM
    assert regs[0] == 0
    assert wire.reg(PC) == 0x1000
    assert wire.reg(PRIV) == 3


def test_registers_of_each_kind(wire):
    main = symbol(wire_elf(wire), "main")
    run_to(wire, main)
    assert wire.reg(PC) == main
    assert wire.reg(MSCRATCH) == 0x5CA1AB1E
    assert wire.reg(MSTATUS) & 0x6000 == 0x2000  # FS = initial
    assert len(wire.request(b"p%x" % FFLAGS)) == 8  # fflags is a 32-bit register
    assert wire.request(b"p%x" % 4000) == b"E22"  # no CSR 4000 - 65 on this machine
    assert wire.request(b"p%x" % 0x2000) == b"E22"


def wire_elf(wire: Wire):
    return wire.machine.config.kernel


def test_write_registers(wire):
    assert wire.request(b"P5=" + le64(0x1234)) == b"OK"  # t0
    assert wire.reg(5) == 0x1234
    assert wire.request(b"P%x=%s" % (FT0, le64(0x3FF8000000000000))) == b"OK"
    assert wire.debug.read_fpr(0, 0) == 0x3FF8000000000000
    assert wire.request(b"P%x=%s" % (MSCRATCH, le64(0xABCDEF))) == b"OK"
    assert wire.reg(MSCRATCH) == 0xABCDEF
    assert wire.request(b"P%x=%s" % (PRIV, le64(1))) == b"OK"
    assert wire.debug.read_priv(0) == 1
    assert wire.request(b"P%x=%s" % (PRIV, le64(2))) == b"E22"  # no privilege level 2
    assert wire.request(b"P5=0011") == b"E22"  # wrong width
    regs = wire.registers()
    regs[6] = 0x77
    block = b"".join(v.to_bytes(8, "little") for v in regs)
    assert wire.request(b"G" + block.hex().encode()) == b"OK"
    assert wire.debug.read_gpr(0, 6) == 0x77


def test_memory_read_write_and_faults(wire):
    data = wire.request(b"m80000000,8")
    assert len(data) == 16
    assert wire.request(b"M80100000,4:deadbeef") == b"OK"
    assert wire.request(b"m80100000,4") == b"deadbeef"
    assert wire.request(b"X80100004,3:a}\x5db") == b"OK"  # binary: a } b
    assert wire.request(b"m80100004,3") == b"617d62"
    assert wire.request(b"X80100000,0:") == b"OK"
    assert wire.request(b"m0,4") == b"E14"  # nothing there
    assert wire.request(b"m10000000,1") == b"E14"  # a device: never read by the debugger
    assert wire.request(b"M0,1:00") == b"E14"
    end = 0x80000000 + wire.machine.config.mem_size
    assert wire.request(b"m%x,10" % (end - 8)) == b"00" * 8  # the readable part only
    assert wire.request(b"mffffffffffffffff,10") == b"E14"


def test_memory_goes_through_the_mmu_and_phys_switches_it(wire):
    debug = wire.debug
    # An Sv39 gigapage mapping VA 0x40000000 -> PA 0x80000000 (R W X A D V).
    root = 0x80400000
    pte = (0x80000000 >> 12) << 10 | 0xCF
    debug.write_memory(0, root + 1 * 8, pte.to_bytes(8, "little"), physical=True)
    debug.write_csr(0, 0x180, (8 << 60) | (root >> 12))
    debug.write_priv(0, 1)
    expected = debug.read_memory(0, 0x80000000, 4, physical=True).hex().encode()
    assert wire.request(b"m40000000,4") == expected
    assert wire.request(b"m80000000,4") == b"E14"  # not mapped: a page fault
    assert "physical" in wire.monitor_output("phys on")
    assert wire.request(b"m80000000,4") == expected
    assert wire.request(b"m40000000,4") == b"E14"
    wire.monitor_output("phys off")
    assert wire.request(b"m40000000,4") == expected


def test_threads(wire):
    assert wire.request(b"qfThreadInfo") == b"m1,2"
    assert wire.request(b"qsThreadInfo") == b"l"
    assert wire.request(b"qC") == b"QC1"
    assert wire.request(b"T2") == b"OK"
    assert wire.request(b"T3") == b"E22"
    assert wire.request(b"Hg2") == b"OK"
    assert wire.request(b"Hg3") == b"E22"
    wire.debug.write_gpr(1, 9, 0x99)
    assert wire.reg(9) == 0x99  # hart 1's s1
    assert wire.request(b"Hg1") == b"OK"
    assert wire.reg(9) != 0x99
    info = bytes.fromhex(wire.request(b"qThreadExtraInfo,2").decode()).decode()
    assert info == "hart 1, running, M-mode, pc=0x1000"
    xml = wire.request(b"qXfer:threads:read::0,fff")
    assert xml.startswith(b"l<?xml")
    assert b'<thread id="2" core="1" name="hart1">hart 1, running, M-mode, pc=0x1000</thread>' in xml


def test_breakpoint_stop_names_the_hart_and_reason(wire):
    elf = wire_elf(wire)
    wire.request(b"qSupported:swbreak+;hwbreak+")
    reply = run_to(wire, symbol(elf, "checkpoint"))
    fields = stop_fields(reply)
    assert reply.startswith(b"T05")
    assert fields["thread"] == "1" and "swbreak" in fields
    assert int.from_bytes(bytes.fromhex(fields["20"]), "little") == symbol(elf, "checkpoint")
    assert wire.request(b"Z1,%x,2" % symbol(elf, "fib")) == b"OK"
    reply = wire.resume(b"vCont;c")
    assert "hwbreak" in stop_fields(reply)
    assert wire.reg(PC) == symbol(elf, "fib")


def test_stop_reasons_need_gdbs_features(wire):
    # Without swbreak+ from gdb, the stop reply must not carry "swbreak".
    reply = run_to(wire, symbol(wire_elf(wire), "checkpoint"))
    assert b"swbreak" not in reply


def test_watchpoints_report_kind_and_address(wire):
    elf = wire_elf(wire)
    counter, source, mixed = (symbol(elf, n) for n in ("counter", "source", "mixed"))
    for ztype, addr, key in ((2, counter, "watch"), (3, source, "rwatch"), (4, mixed, "awatch")):
        assert wire.request(b"Z%d,%x,8" % (ztype, addr)) == b"OK"
        reply = wire.resume(b"vCont;c")
        assert int(stop_fields(reply)[key], 16) == addr, reply
        assert wire.request(b"z%d,%x,8" % (ztype, addr)) == b"OK"
    assert wire.request(b"z2,%x,8" % counter) == b"E22"  # already removed
    assert wire.request(b"Z2,%x,0" % counter) == b"E22"


def test_breakpoints_are_kept_by_the_machine_not_in_memory(wire):
    main = symbol(wire_elf(wire), "main")
    before = wire.request(b"m%x,4" % main)
    assert wire.request(b"Z0,%x,4" % main) == b"OK"
    assert wire.request(b"m%x,4" % main) == before
    assert wire.request(b"Z0,%x,4" % main) == b"OK"  # twice, as gdb may
    assert wire.request(b"z0,%x,4" % main) == b"OK"
    reply = wire.resume(b"vCont;c")  # still in place after one removal
    assert wire.reg(PC) == main, reply


def test_single_step_and_per_thread_actions(wire):
    pc0 = wire.reg(PC)
    reply = wire.resume(b"vCont;s:1")
    assert stop_fields(reply)["thread"] == "1"
    assert wire.reg(PC) != pc0
    wire.request(b"Hg2")
    pc1 = wire.reg(PC)
    wire.request(b"Hg1")
    pc0 = wire.reg(PC)
    reply = wire.resume(b"vCont;s:2")
    assert stop_fields(reply)["thread"] == "2"
    assert wire.reg(PC) == pc0  # hart 0 stayed
    wire.request(b"Hg2")
    assert wire.reg(PC) != pc1
    assert wire.request(b"vCont?") == b"vCont;c;C;s;S;t"
    assert wire.request(b"vCont;t") == b"E22"
    assert wire.request(b"vCont;c:5") == b"E22"  # no such thread: nothing to run


def test_legacy_step_and_continue_with_address(wire):
    main = symbol(wire_elf(wire), "main")
    reply = wire.resume(b"s%x" % main)  # step the instruction at main
    assert reply.startswith(b"T05")
    assert wire.reg(PC) != main
    assert wire.request(b"Z0,%x,4" % main) == b"OK"
    reply = wire.resume(b"C00;%x" % symbol(wire_elf(wire), "_start"))
    assert wire.reg(PC) == main


def test_ctrl_c_interrupts_a_running_machine(wire):
    wire.send(b"vCont;c")
    assert wire.packets() == []  # running: the stop comes later
    assert wire.controller.running
    assert wire.request_all(b"g") == []  # held until the stop
    wire.feed(b"\x03")
    got = []
    while not got:
        wire.pump()
        got = wire.packets()
    assert got[0].startswith(b"T02")
    assert len(got) == 2 and len(got[1]) == 33 * 16  # then the held `g` is answered
    assert not wire.controller.running


def test_a_ctrl_c_before_the_machine_thread_starts_the_run_stops_it_at_once(wire):
    gate = threading.Event()
    wire.controller._jobs.put(gate.wait)  # the machine thread is busy: the run waits its turn
    wire.send(b"vCont;c")
    assert wire.packets() == [] and wire.controller.running
    wire.feed(b"\x03")  # the run has not begun in the machine thread yet
    gate.set()
    wire.pump()
    assert wire.packets()[0].startswith(b"T02")
    # nothing ran after the inline budget: the halt was waiting for the run
    assert wire.debug.sched.total_steps() == Controller.INLINE_BUDGET


def test_exit_reports_w(wire):
    flag = symbol(wire_elf(wire), "poweroff_at_end")
    assert wire.request(b"M%x,8:%s" % (flag, le64(1))) == b"OK"
    assert wire.resume(b"vCont;c") == b"W00"


def test_caught_trap_stops_with_a_message(wire):
    assert "machine-ecall (11)" in wire.monitor_output("catch trap machine-ecall")
    wire.send(b"vCont;c")
    out = wire.packets()
    while not any(p.startswith(b"T") for p in out):
        wire.pump()
        out += wire.packets()
    text = bytes.fromhex(out[0][1:].decode()).decode()
    assert "machine-ecall" in text and "cause 0xb" in text
    assert out[-1].startswith(b"T05")
    insn = bytes.fromhex(wire.request(b"m%x,4" % wire.reg(PC)).decode())
    assert insn == bytes.fromhex("73000000")  # stopped at the ecall itself
    wire.monitor_output("catch trap none")


def test_target_xml_has_every_feature_at_gdbs_numbers(wire):
    doc = b""
    offset = 0
    while True:
        reply = wire.request(b"qXfer:features:read:target.xml:%x,200" % offset)
        doc += reply[1:]
        offset += len(reply) - 1
        if reply.startswith(b"l"):
            break
    text = doc.decode()
    for feature in ("cpu", "fpu", "csr", "virtual"):
        assert f'<feature name="org.gnu.gdb.riscv.{feature}">' in text
    assert re.search(r'name="mstatus" bitsize="64" regnum="833"', text)
    assert re.search(r'name="fcsr" bitsize="32" regnum="68"', text)
    assert re.search(r'name="priv" bitsize="64" regnum="4161"', text)
    for number, name in wire.debug.csrs():
        if number > 3:
            assert f'name="{name}" bitsize="64" regnum="{65 + number}"' in text, name
    assert wire.request(b"qXfer:features:read:other.xml:0,100") == b"E02"
    assert wire.request(b"qXfer:auxv:read::0,100") == b""


def test_memory_map_marks_ram_and_hides_devices(wire):
    doc = wire.request(b"qXfer:memory-map:read::0,10000")
    assert doc.startswith(b"l<?xml")
    assert b'<memory type="ram" start="0x80000000" length="0x1000000"/>' in doc  # 16 MiB
    assert b'<memory type="rom" start="0x1000" length="0xf000"/>' in doc
    assert b'start="0x10000000"' not in doc  # the UART's page is not offered to gdb


def test_monitor_commands(wire):
    assert "harts" in wire.monitor_output("help")
    assert "unknown monitor command 'nosuch'" in wire.monitor_output("nosuch")
    assert '"hart": 1' in wire.monitor_output("harts --json")
    assert "0x0000000080000000" in wire.monitor_output("x 0x80000000 16")


def test_unknown_and_malformed_packets(wire):
    for body in (b"qTStatus", b"vMustReplyEmpty", b"QNonStop:1", b"jThreadsInfo", b"qOffsets"):
        assert wire.request(body) == b""
    for body in (b"m80000000", b"Z9,0,0", b"Pxyz", b"vCont;q", b"Hx", b"qRcmd,zz"):
        assert wire.request(body) == b"E22", body


def test_detach_closes_the_session_and_leaves_the_machine_stopped(wire):
    main = symbol(wire_elf(wire), "main")
    wire.request(b"Z0,%x,4" % main)
    assert wire.request(b"D") == b"OK"
    assert wire.closed
    assert not wire.controller.running
    assert not wire.debug.sched.dbg.breakpoints  # the client's breakpoints are gone
    wire.session = wire.new_session()
    assert wire.request(b"QStartNoAckMode") == b"OK"
    assert wire.request(b"?").startswith(b"T05")


def test_kill_and_restart_reset_the_machine(wire):
    main = symbol(wire_elf(wire), "main")
    run_to(wire, main)
    wire.request(b"!")
    reply = wire.request(b"vRun;")
    assert reply.startswith(b"T05")
    assert wire.reg(PC) == 0x1000
    run_to(wire, main)
    assert wire.request(b"vKill;1") == b"OK"
    assert wire.reg(PC) == 0x1000
    run_to(wire, main)
    wire.send(b"R00")
    assert wire.packets() == []
    assert wire.reg(PC) == 0x1000
    wire.send(b"k")
    assert wire.closed


def test_a_halt_request_left_over_from_a_finished_run_does_not_stop_the_next_one(wire):
    wire.controller.halt()  # as if Ctrl-C raced with the end of a run
    wire.debug.request_halt()
    reply = wire.resume(b"vCont;s:1")
    assert reply.startswith(b"T05")  # a step, not a SIGINT


def test_a_bulk_register_read_is_used_when_the_machine_offers_one(guest_elf):
    from trapscope.rspserver.machine_target import MachineTarget

    machine = make_machine(guest_elf)
    try:
        debug = machine.debug
        debug.write_gpr(0, 7, 0x77)
        plain = MachineTarget(debug).read_registers(1)
        calls = []
        debug.read_gprs = lambda hart: calls.append(hart) or [debug.read_gpr(hart, i) for i in range(32)]
        bulk = MachineTarget(debug).read_registers(1)
        assert calls == [0] and bulk == plain
    finally:
        machine.close()
