"""The console's parts on their own: scrollback, completion, stop descriptions, key help."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from trapscope.rspserver.target import SIGINT, SIGTRAP, StopEvent, StopKind
from trapscope.tools.console.channel import encode
from trapscope.tools.console.completer import MonitorCompleter
from trapscope.tools.console.keys import key_name
from trapscope.tools.console.scrollback import MAX_LINE, Scrollback
from trapscope.tools.console.service import CONSOLE_COMMANDS
from trapscope.tools.console.status import HartStatus, Status, Symbols, describe_stop, hart_cells
from trapscope.tools.monitor import default_registry


def test_scrollback_applies_what_a_terminal_would():
    sb = Scrollback()
    sb.feed_bytes(b"one\r\ntwo\nthr")
    sb.feed_bytes(b"ee\x1b[1;3")  # an escape sequence cut by the chunk boundary
    sb.feed_bytes(b"1mred\x1b[0m\tx\rT\bH")
    sb.feed_bytes("ü".encode()[:1])
    sb.feed_bytes("ü".encode()[1:] + b"\xff\n")
    # "\r" went back to the start, "T" then "H" overwrote the "t", "ü" and the bad byte the "hr"
    assert sb.text().split("\n") == ["one", "two", "Hü\ufffdeered        x", ""]


def test_scrollback_is_bounded_and_scrolls():
    sb = Scrollback(max_lines=100)
    for i in range(1000):
        sb.write(f"line {i}\n")
    assert len(sb.lines) == 100 and sb.lines[0][1] == "line 900"
    assert [t for _, t in sb.tail(2)] == ["line 999", ""]
    sb.scroll_by(10)
    assert [t for _, t in sb.tail(2)] == ["line 989", "line 990"]
    sb.write("line 1000\n")  # new output keeps a scrolled-back view where it is
    assert [t for _, t in sb.tail(2)] == ["line 989", "line 990"]
    sb.scroll_by(-1000)
    assert sb.scroll == 0
    sb.scroll_by(10_000)
    assert sb.scroll == 100


def test_a_line_without_end_stays_bounded():
    sb = Scrollback(max_lines=10)
    for _ in range(1000):
        sb.feed("x" * 100)
    assert len(sb.text()) <= 11 * (MAX_LINE + 1)
    assert all(len(t) <= MAX_LINE for _, t in sb.lines)


def test_scrollback_keeps_styles_per_line():
    sb = Scrollback()
    sb.write("(trapscope) harts\n", "class:echo")
    sb.write("hart state\n0    running\n")
    sb.write("stopped", "class:note")
    assert sb.tail(4) == [("class:echo", "(trapscope) harts"), ("", "hart state"),
                          ("", "0    running"), ("class:note", "stopped")]


def complete(text: str, tab: bool = False):
    words = default_registry().completions()
    for name in CONSOLE_COMMANDS:
        words.setdefault(name, [])
    completer = MonitorCompleter(lambda: words)
    event = CompleteEvent(completion_requested=tab)
    return [c.text for c in completer.get_completions(Document(text), event)]


def test_completion_from_the_registry_and_the_console_commands():
    assert complete("") == []  # no menu on an empty line while typing ...
    names = complete("", tab=True)  # ... but Tab lists every command
    assert {"harts", "regs", "x", "help", "continue", "halt", "step", "quit"} <= set(names)
    assert complete("ha") == ["halt", "hart", "harts"]
    assert complete("harts ") == ["--json"]
    assert complete("phys o") == ["off", "on"]
    assert complete("catch ill") == ["illegal-instruction"]
    assert complete("cat --x ill") == ["illegal-instruction"]  # an abbreviation is resolved
    assert complete("regs --json ") == []  # a word already given is not offered again
    assert complete("nosuch ") == []


def test_stops_in_words():
    syms = Symbols({"poll_once": 0x80000010, "main": 0x80000040, "$x": 0x80000010})
    assert syms.name(0x80000010) == "poll_once" and syms.name(0x80000014) == "poll_once+0x4"
    assert syms.name(0x10) is None
    assert describe_stop(None) == "at reset"
    assert describe_stop(StopEvent(StopKind.SW_BREAK, 1), 0x80000014, syms) == \
        "breakpoint, hart 0 at 0x80000014 <poll_once+0x4>"
    assert describe_stop(StopEvent(StopKind.SIGNAL, 2, SIGINT), 0x1000) == "halted, hart 1 at 0x1000"
    assert describe_stop(StopEvent(StopKind.WATCH, 1, addr=0x80001000)) == \
        "watchpoint (write) 0x80001000, hart 0"
    assert describe_stop(StopEvent(StopKind.EXITED, 1, exit_code=3)) == \
        "the guest exited with status 3"
    caught = StopEvent(StopKind.SIGNAL, 1, SIGTRAP, message="trapscope: hart 0 is about to take a trap\n")
    assert describe_stop(caught).startswith("hart 0 is about to take a trap")


def test_status_crosses_the_channel_as_json():
    status = Status(running=False, stop="halted, hart 0", gdb="127.0.0.1:5555", listen="127.0.0.1:1234",
                    harts=[HartStatus(0, "running", 0x80000000, "M"), HartStatus(1, "off")])
    wire = encode({"event": "status", "status": status.to_json()})
    import json

    assert Status.from_json(json.loads(wire)["status"]) == status
    assert hart_cells(status) == [(0, "M 0x80000000"), (1, "off")]


def test_key_names_in_help():
    assert [key_name(k) for k in ("f5", "c-d", "pageup", "c")] == ["F5", "Ctrl-D", "PageUp", "c"]
