"""The framing layer: checksums, acks, interrupts, escapes, run-length encoding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from trapscope.rspserver.framing import (
    Ack,
    Framer,
    Interrupt,
    Malformed,
    Packet,
    escape_binary,
    frame,
    rle_decode,
    rle_encode,
    unescape_binary,
)

BINARY = (b"X",)


def feed_all(data: bytes, framer: Framer | None = None) -> list:
    return (framer or Framer(binary_prefixes=BINARY)).feed(data)


def test_frame_has_the_manual_checksum():
    assert frame(b"OK") == b"$OK#9a"
    assert frame(b"") == b"$#00"
    assert frame(b"qSupported") == b"$qSupported#37"


def test_a_packet_and_the_bytes_around_it():
    events = feed_all(b"+-\x03$g#67+")
    assert events == [Ack(True), Ack(False), Interrupt(), Packet(b"g"), Ack(True)]


def test_checksum_mismatch_and_bad_digits_are_malformed():
    assert feed_all(b"$g#68") == [Malformed("checksum mismatch")]
    assert feed_all(b"$g#zz") == [Malformed("bad checksum digits")]
    assert feed_all(b"$g#67") == [Packet(b"g")]
    assert feed_all(b"$g#6") == []  # incomplete: waits for the second digit


def test_checksum_digits_may_be_upper_case():
    assert feed_all(b"$OK#9A") == [Packet(b"OK")]


def test_a_dollar_inside_a_packet_reports_the_truncated_one_and_keeps_the_next():
    assert feed_all(b"$m0,4$g#67") == [Malformed("truncated packet"), Packet(b"g")]


def test_byte_by_byte_feeding_gives_the_same_events():
    stream = b"+" + frame(b"qSupported:swbreak+;hwbreak+") + b"\x03" + frame(b"m80000000,4")
    whole = feed_all(stream)
    framer = Framer(binary_prefixes=BINARY)
    pieces = []
    for byte in stream:
        pieces += framer.feed(bytes([byte]))
    assert pieces == whole == [Ack(True), Packet(b"qSupported:swbreak+;hwbreak+"), Interrupt(),
                               Packet(b"m80000000,4")]


def test_oversized_packet_is_dropped_without_buffering_it_and_the_next_one_is_read():
    framer = Framer(max_packet=64)
    events = framer.feed(b"$" + b"a" * 1000)
    assert events == []
    assert len(framer._buf) == 0  # nothing of the oversized body is kept
    events = framer.feed(b"a" * 1000 + b"#00$g#67")
    assert events == [Malformed("packet longer than 64 bytes"), Packet(b"g")]


def test_complete_oversized_packet_in_one_piece():
    body = b"b" * 100
    assert Framer(max_packet=64).feed(frame(body) + frame(b"g")) == [
        Malformed("packet longer than 64 bytes"), Packet(b"g")]


def test_binary_packets_are_unescaped_and_keep_a_literal_star():
    # X addr,len: data = 0x23 ('#', escaped as }03), '*' unescaped, 0x7d escaped as }5d
    body = b"X80000000,3:}\x03*}\x5d"
    assert feed_all(frame(body)) == [Packet(b"X80000000,3:#*}")]


def test_text_packets_are_run_length_decoded():
    assert feed_all(frame(b"0* ")) == [Packet(b"0000")]
    assert feed_all(frame(b"0*\"0")) == [Packet(b"0" * 7)]
    assert feed_all(frame(b"*!")) == [Malformed("bad escape or run-length encoding")]


def test_rle_examples_from_the_manual():
    assert rle_decode(b"0* ") == b"0000"
    assert rle_decode(b"0*!") == b"00000"
    assert rle_decode(b"0*%") == b"0" * 9
    assert rle_decode(b"x*") is None
    assert rle_decode(b"*!") is None


def test_rle_encode_avoids_dollar_and_hash_counts():
    for n in range(1, 300):
        encoded = rle_encode(b"0" * n)
        assert b"#" not in encoded and b"$" not in encoded
        assert rle_decode(encoded) == b"0" * n


@given(st.binary(max_size=300).map(lambda b: b.hex().encode()))
def test_rle_round_trip_on_hex(text):
    encoded = rle_encode(text)
    assert rle_decode(encoded) == text
    assert len(encoded) <= len(text)


@given(st.binary(max_size=500))
def test_escape_round_trip(data):
    escaped = escape_binary(data)
    for special in b"#$*":
        assert special not in escaped
    assert unescape_binary(escaped) == data


def test_unescape_rejects_a_trailing_escape():
    assert unescape_binary(b"ab}") is None


@given(st.binary(max_size=400), st.lists(st.integers(min_value=1, max_value=50), max_size=20))
@settings(max_examples=300)
def test_any_bytes_in_any_split_give_the_same_events_and_never_raise(stream, cuts):
    whole = Framer(max_packet=128, binary_prefixes=BINARY).feed(stream)
    framer = Framer(max_packet=128, binary_prefixes=BINARY)
    pieces, pos = [], 0
    for cut in cuts:
        pieces += framer.feed(stream[pos : pos + cut])
        pos += cut
    pieces += framer.feed(stream[pos:])
    assert pieces == whole
    assert len(framer._buf) <= 128 + 3


@given(st.lists(st.binary(max_size=60).map(lambda b: b.hex().encode()), max_size=10))
def test_framed_packets_come_back_in_order(bodies):
    stream = b"".join(frame(b) for b in bodies)
    assert feed_all(stream) == [Packet(b) for b in bodies]


def test_a_packet_seen_before_gives_the_same_events_in_every_state():
    f = Framer()
    wire = frame(b"m8000000c,4")
    assert f.feed(wire) == [Packet(b"m8000000c,4")]
    assert f.feed(wire) == [Packet(b"m8000000c,4")]  # remembered: the same answer
    # in the middle of another packet the bytes are not a packet of their own
    assert f.feed(b"$qC") == []
    assert f.feed(wire) == [Malformed("truncated packet"), Packet(b"m8000000c,4")]
    assert f.feed(b"$m0,2#00") == [Malformed("checksum mismatch")]
    assert f.feed(b"$m0,2#00") == [Malformed("checksum mismatch")]  # errors are not remembered
    f.verify = False
    assert f.feed(b"$m0,4#00") == [Packet(b"m0,4")]  # accepted unchecked, and not remembered
    f.verify = True
    assert f.feed(b"$m0,4#00") == [Malformed("checksum mismatch")]
    assert f.feed(bytearray(wire)) == [Packet(b"m8000000c,4")]
