"""Hypothesis against the handlers (in-process, real machine) and a bounded storm of
malformed input against `trapscope serve` over a socket."""

from __future__ import annotations

import gc
import logging
import os
import random
import socket
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trapscope.rspserver import framing
from trapscope.rspserver.client import RspClient
from trapscope.rspserver.packets import PACKETS

from tests.rsp.harness import Served, symbol
from tests.rsp.wire import Wire, make_machine

PREFIXES = [e.prefix for e in PACKETS] + [b"q", b"Q", b"v", b"j", b"qXfer:features:read:",
                                          b"qXfer:threads:read::", b"qXfer:memory-map:read::"]
# Packets that change the machine when well formed (the read-only fuzz leaves them out).
WRITERS = (b"G", b"P", b"M", b"X", b"Z", b"z", b"c", b"s", b"C", b"S", b"vCont;", b"k", b"vKill",
           b"R", b"vRun", b"D", b"qRcmd", b"!")

hexish = st.text("0123456789abcdefABCDEFxX-,;:=.p ", max_size=40).map(str.encode)
args = st.one_of(hexish, st.binary(max_size=60),
                 st.integers(0, 2**64 + 5).map(lambda n: b"%x" % n),
                 st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 0x30000)).map(
                     lambda t: b"%x,%x" % t))
# '$' and '#' never occur inside a packet's data (gdb escapes them in binary data)
bodies = st.tuples(st.sampled_from(PREFIXES), args).map(
    lambda t: (t[0] + t[1]).replace(b"$", b"").replace(b"#", b""))


def read_only(body: bytes) -> bool:
    return not body.startswith(WRITERS) or body.startswith((b"vCont?",))


@pytest.fixture(scope="module")
def wire(guest_elf):
    w = Wire(make_machine(guest_elf))
    w.request(b"qSupported:swbreak+;hwbreak+")
    yield w
    w.close()


def settle(wire: Wire) -> list:
    """Replies so far; a resume that went long is interrupted and its stop collected."""
    out = wire.packets()
    while wire.controller.running or wire.session._awaiting_stop:
        wire.feed(b"\x03")
        wire.pump()
        out += wire.packets()
    return out


def snapshot(wire: Wire, elf) -> tuple:
    debug = wire.debug
    regs = [[debug.read_gpr(h, i) for i in range(32)] + [debug.read_pc(h), debug.read_priv(h)]
            for h in range(debug.nharts)]
    text = debug.read_memory(0, 0x80000000, 0x400, physical=True)
    data = debug.read_memory(0, symbol(elf, "counter"), 64, physical=True)
    return regs, text, data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(bodies.filter(read_only), min_size=1, max_size=8))
def test_read_only_packets_never_fail_and_never_change_the_machine(wire, guest_elf, caplog, batch):
    before = snapshot(wire, guest_elf)
    with caplog.at_level(logging.ERROR, logger="trapscope"):
        for body in batch:
            wire.send(body)
            replies = [p for p in settle(wire) if not (p.startswith(b"O") and p != b"OK")]
            assert len(replies) == 1, (body, replies)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert snapshot(wire, guest_elf) == before
    wire.session.physical = False  # phys is the one setting a read-only fuzz may not flip back


@settings(max_examples=int(os.environ.get("RSP_FUZZ_EXAMPLES", 80)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(bodies, st.binary(max_size=80)), min_size=1, max_size=6))
def test_any_packet_or_garbage_is_answered_without_an_internal_error(guest_elf, caplog, batch):
    w = Wire(make_machine(guest_elf))
    try:
        with caplog.at_level(logging.ERROR, logger="trapscope"):
            for item in batch:
                w.feed(framing.frame(item) if item[:1].isalpha() else item)
                settle(w)
                if w.closed:  # D or k ended the session: a new client comes
                    w.session = w.new_session()
            w.session.no_ack = True
            assert [p for p in w.request_all(b"?") if p.startswith((b"T", b"W"))]
        assert not caplog.records, [r.getMessage() for r in caplog.records]
    finally:
        w.close()
    assert not w.controller._thread.is_alive()  # no run left behind
    del w
    gc.collect()  # machines hold reference cycles; free this one's RAM now


# -- the storm ----------------------------------------------------------------------
def storm_items(rng: random.Random, elf) -> list:
    text = symbol(elf, "main")
    good = [b"?", b"g", b"qfThreadInfo", b"m%x,40" % text, b"qXfer:threads:read::0,400"]
    bad = [
        b"mzz,4", b"m%x" % text, b"m,", b"Pq=1", b"p", b"pxyz", b"Hgq", b"Tq", b"vCont;q:1",
        b"p2000", b"p1041000", b"P9999=0011223344556677", b"P20=00",  # out-of-range/short registers
        b"mffffffffffffff00,200", b"m0,4", b"m10000000,8", b"M0,4:00000000",  # bad addresses
        b"M10000000,1:00", b"X4,2:ab", b"Mffffffffffffffff,2:0000", b"m%x,fffffffff" % text,
        b"Z9,0,4", b"z2,0,0", b"Z0,,4", b"qXfer:features:read:nosuch.xml:0,10",
        b"qXfer:features:read:target.xml:ffffffff,10", b"qRcmd,zz", b"qRcmd,4",
        b"qTStatus", b"vMustReplyEmpty", b"jThreadsInfo", b"QNonStop:1", b"qCRC:0,4",
    ]
    items = []
    for _ in range(1500):
        kind = rng.random()
        body = rng.choice(bad + good)
        if kind < 0.35:
            items.append(framing.frame(body))
        elif kind < 0.5:  # bad checksum
            items.append(b"$%s#%02x" % (body, (framing.checksum(body) + 1) & 0xFF))
        elif kind < 0.6:  # truncated
            wire = framing.frame(body)
            items.append(wire[: rng.randrange(1, len(wire))])
        elif kind < 0.7:  # random bytes, no '$' so they cannot start a real packet
            items.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))).replace(b"$", b"?"))
        elif kind < 0.75:  # bad checksum digits, lone escapes, bad run-length
            items.append(rng.choice([b"$g#zz", b"$X0,1:}#" + b"%02x" % framing.checksum(b"X0,1:}"),
                                     b"$*!#" + b"%02x" % framing.checksum(b"*!"), b"+", b"-", b"\x03"]))
        elif kind < 0.78:  # oversized
            items.append(b"$" + b"m" * rng.randrange(0x20001, 0x40000) + b"#00")
        else:
            items.append(framing.frame(rng.choice(good)))
    return items


def test_a_storm_of_malformed_packets_leaves_the_server_answering_and_the_machine_intact(guest_elf):
    served = Served(guest_elf)
    try:
        with RspClient("127.0.0.1", served.port) as c:
            c.request(b"Hg1")
            before = (c.read_registers(), c.read_memory(0x80000000, 0x200))
            c.request(b"Hg2")
            before2 = c.read_registers()
        assert served.wait_log("detached")
        rng = random.Random(1234)
        with socket.create_connection(("127.0.0.1", served.port)) as s:
            s.settimeout(30)
            for item in storm_items(rng, guest_elf):
                s.sendall(item)
            s.sendall(b"$?#3f")  # a clean packet after the storm: resynchronised, answered
            got = b""
            deadline = time.monotonic() + 60
            while b"$T05thread:1;" not in got and time.monotonic() < deadline:
                got += s.recv(1 << 20)
            assert b"$T05thread:1;" in got
        assert served.wait_log("detached")
        with RspClient("127.0.0.1", served.port) as c:
            c.request(b"Hg1")
            assert (c.read_registers(), c.read_memory(0x80000000, 0x200)) == before
            c.request(b"Hg2")
            assert c.read_registers() == before2
        log = served.log()
        assert "Traceback" not in log and "failed" not in log
        assert served.proc.poll() is None
    finally:
        served.close()
