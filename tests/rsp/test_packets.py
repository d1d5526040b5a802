"""One parser per packet: well-formed input gives the typed packet, malformed gives None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from trapscope.rspserver import packets as p
from trapscope.rspserver.packets import lookup


def parsed(data: bytes):
    found = lookup(data)
    assert found is not None, data
    return found


@pytest.mark.parametrize("field,value", [
    (b"0", 0), (b"ff", 255), (b"FFFFFFFFFFFFFFFF", (1 << 64) - 1), (b"0000000080000000", 0x80000000),
])
def test_hex_fields(field, value):
    assert p.parse_hex(field) == value


@pytest.mark.parametrize("field", [b"", b"0x10", b"+1", b" 1", b"1_0", b"g", b"-1", b"1" * 17 + b"0" * 16])
def test_hex_fields_are_strict(field):
    assert p.parse_hex(field) is None


def test_a_value_beyond_64_bits_is_rejected():
    assert p.parse_hex(b"10000000000000000") is None


def test_thread_ids():
    assert p.parse_thread_id(b"0") == p.ANY_THREAD
    assert p.parse_thread_id(b"-1") == p.ALL_THREADS
    assert p.parse_thread_id(b"2") == 2
    assert p.parse_thread_id(b"p1.2") == 2
    assert p.parse_thread_id(b"p1") == p.ALL_THREADS
    assert p.parse_thread_id(b"-2") is None
    assert p.parse_thread_id(b"") is None


def test_qsupported():
    name, pkt = parsed(b"qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386")
    assert name == "qSupported"
    assert pkt.features == (b"multiprocess+", b"swbreak+", b"hwbreak+", b"xmlRegisters=i386")
    assert parsed(b"qSupported") == ("qSupported", p.QSupported(()))
    assert parsed(b"qSupportedx")[1] is None


def test_exact_packets_do_not_swallow_longer_names():
    assert lookup(b"qCRC:80000000,10") is None  # not qC
    assert lookup(b"gx") is None
    assert lookup(b"QStartNoAckModeX") is None
    assert parsed(b"qC") == ("qC", p.NoArgs())
    assert parsed(b"?") == ("?", p.NoArgs())


def test_unknown_packets():
    for data in (b"", b"qTStatus", b"vMustReplyEmpty", b"QNonStop:0", b"qOffsets", b"jThreadsInfo"):
        assert lookup(data) is None


def test_longer_prefix_wins():
    assert parsed(b"vCont?") == ("vCont?", p.NoArgs())
    assert parsed(b"vCont;c")[0] == "vCont"


def test_registers():
    assert parsed(b"g") == ("g", p.NoArgs())
    assert parsed(b"G0011") == ("G", p.WriteRegisters(b"\x00\x11"))
    assert parsed(b"G001")[1] is None
    assert parsed(b"G")[1] is None
    assert parsed(b"p20") == ("p", p.ReadRegister(0x20))
    assert parsed(b"p")[1] is None
    assert parsed(b"pzz")[1] is None
    assert parsed(b"P20=0000008000000000") == ("P", p.WriteRegister(0x20, bytes.fromhex("0000008000000000")))
    assert parsed(b"P20=")[1] is None
    assert parsed(b"P20")[1] is None
    assert parsed(b"Pq=00")[1] is None


def test_memory():
    assert parsed(b"m80000000,40") == ("m", p.ReadMemory(0x80000000, 0x40))
    assert parsed(b"m80000000")[1] is None
    assert parsed(b"m,4")[1] is None
    assert parsed(b"M80000000,2:abcd") == ("M", p.WriteMemory(0x80000000, b"\xab\xcd"))
    assert parsed(b"M80000000,3:abcd")[1] is None  # length disagrees with the data
    assert parsed(b"M80000000,2:abc")[1] is None
    assert parsed(b"M80000000,2abcd")[1] is None
    assert parsed(b"X80000000,0:") == ("X", p.WriteMemory(0x80000000, b""))
    assert parsed(b"X10,3:a:b") == ("X", p.WriteMemory(0x10, b"a:b"))
    assert parsed(b"X10,4:a:b")[1] is None


def test_breakpoints():
    assert parsed(b"Z0,80000000,4") == ("Z", p.Breakpoint(True, 0, 0x80000000, 4))
    assert parsed(b"z1,80000000,2") == ("z", p.Breakpoint(False, 1, 0x80000000, 2))
    assert parsed(b"Z2,80001000,8;X1,0")[1] == p.Breakpoint(True, 2, 0x80001000, 8)
    assert parsed(b"Z5,0,4")[1] is None
    assert parsed(b"Z0,80000000")[1] is None
    assert parsed(b"Z0,,4")[1] is None


def test_resume_packets():
    assert parsed(b"c") == ("c", p.Resume(False, 0, None))
    assert parsed(b"c80000000") == ("c", p.Resume(False, 0, 0x80000000))
    assert parsed(b"s") == ("s", p.Resume(True, 0, None))
    assert parsed(b"C05") == ("C", p.Resume(False, 5, None))
    assert parsed(b"S02;1000") == ("S", p.Resume(True, 2, 0x1000))
    assert parsed(b"C")[1] is None
    assert parsed(b"S02;")[1] is None
    assert parsed(b"cq")[1] is None


def test_vcont():
    assert parsed(b"vCont;s:1;c") == ("vCont", p.VCont((
        p.VContAction("s", 0, 1), p.VContAction("c", 0, None))))
    assert parsed(b"vCont;C05:2;t:-1")[1] == p.VCont((
        p.VContAction("c", 5, 2), p.VContAction("t", 0, None)))
    assert parsed(b"vCont;c:p1.2")[1] == p.VCont((p.VContAction("c", 0, 2),))
    for bad in (b"vCont", b"vCont;", b"vCont;x", b"vCont;c:", b"vCont;Cxx", b"vCont;s:zz", b"vCont;r1,2"):
        assert parsed(bad)[1] is None, bad


def test_threads():
    assert parsed(b"Hg1") == ("H", p.SetThread("g", 1))
    assert parsed(b"Hc-1") == ("H", p.SetThread("c", -1))
    assert parsed(b"Hg0") == ("H", p.SetThread("g", 0))
    assert parsed(b"Hx1")[1] is None
    assert parsed(b"Hg")[1] is None
    assert parsed(b"T2") == ("T", p.Thread(2))
    assert parsed(b"T0")[1] is None
    assert parsed(b"qfThreadInfo") == ("qfThreadInfo", p.NoArgs())
    assert parsed(b"qsThreadInfo") == ("qsThreadInfo", p.NoArgs())
    assert parsed(b"qThreadExtraInfo,2") == ("qThreadExtraInfo", p.Thread(2))
    assert parsed(b"qThreadExtraInfo2")[1] is None


def test_qxfer():
    assert parsed(b"qXfer:features:read:target.xml:0,ffb") == (
        "qXfer:read", p.XferRead("features", "target.xml", 0, 0xFFB))
    assert parsed(b"qXfer:threads:read::10,20")[1] == p.XferRead("threads", "", 0x10, 0x20)
    assert parsed(b"qXfer:memory-map:read::0,1000")[1] == p.XferRead("memory-map", "", 0, 0x1000)
    assert parsed(b"qXfer:features:write:x:0,1")[1] is None
    assert parsed(b"qXfer:features:read:target.xml:0")[1] is None
    assert parsed(b"qXfer:features:read:\xff:0,1")[1] is None


def test_monitor_and_misc():
    assert parsed(b"qRcmd," + b"help".hex().encode()) == ("qRcmd", p.Rcmd("help"))
    assert parsed(b"qRcmd,zz")[1] is None
    assert parsed(b"qRcmd")[1] is None
    assert parsed(b"qSymbol::") == ("qSymbol", p.NoArgs())
    assert parsed(b"qAttached:1") == ("qAttached", p.NoArgs())
    assert parsed(b"D") == ("D", p.Detach(None))
    assert parsed(b"D;1") == ("D", p.Detach(1))
    assert parsed(b"Dx")[1] is None
    assert parsed(b"k") == ("k", p.NoArgs())
    assert parsed(b"vKill;1") == ("vKill", p.NoArgs())
    assert parsed(b"R00") == ("R", p.NoArgs())
    assert parsed(b"vRun;") == ("vRun", p.Run((b"",)))
    assert parsed(b"vRun;" + b"prog".hex().encode() + b";" + b"arg".hex().encode())[1] == p.Run((b"prog", b"arg"))
    assert parsed(b"vRun;zz")[1] is None
    assert parsed(b"!") == ("!", p.NoArgs())
    assert parsed(b"QStartNoAckMode") == ("QStartNoAckMode", p.NoArgs())


def test_the_table_lists_each_prefix_once_and_every_name_has_a_handler():
    from trapscope.rspserver.handlers import HANDLERS

    prefixes = [e.prefix for e in p.PACKETS]
    assert len(prefixes) == len(set(prefixes))
    assert {e.name for e in p.PACKETS} <= set(HANDLERS)


@given(st.binary(max_size=200))
def test_no_parser_raises(data):
    lookup(data)
    for entry in p.PACKETS:
        entry.parse(data)
