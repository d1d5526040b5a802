"""The monitor registry and its commands, on a real machine (as the console will use them)."""

from __future__ import annotations

import json

import pytest
from trapscope.tools.monitor import (
    Command,
    LocalSession,
    Monitor,
    MonitorError,
    Registry,
    default_registry,
)
from trapscope.tools.monitor.commands.catch import parse_causes

from tests.rsp.harness import symbol
from tests.rsp.wire import make_machine


@pytest.fixture
def machine(guest_elf):
    m = make_machine(guest_elf)
    yield m
    m.close()


def run(machine, line: str, session=None) -> str:
    out = []
    monitor = Monitor(default_registry(), machine.debug, machine)
    monitor(line, session or LocalSession(), out.append)
    return "".join(out)


def test_help_lists_every_command_and_explains_one(machine):
    text = run(machine, "help")
    for name in ("catch", "harts", "help", "phys", "regs", "reset", "x"):
        assert f"\n  {name} " in text
    detail = run(machine, "help x")
    assert detail.startswith("usage: x [--phys] addr [length]")
    assert "physical address" in detail


def test_errors_are_one_clear_message(machine):
    assert run(machine, "nosuch") == "unknown monitor command 'nosuch'; 'help' lists the commands\n"
    assert run(machine, "x").startswith("x: the following arguments are required: addr\nusage: x")
    assert run(machine, "x zz").startswith("bad address: 'zz'")
    assert run(machine, "regs 7") == "no hart 7 (this machine has harts 0-1)\n"
    assert run(machine, "phys maybe").startswith("phys: argument mode: invalid choice: 'maybe'")
    assert run(machine, "catch trap nosuch") == "catch: unknown trap cause 'nosuch' ('help catch' lists them)\n"
    assert run(machine, 'x "0x8') == "monitor: No closing quotation\n"


def test_unique_prefixes_abbreviate(machine):
    assert run(machine, "har").startswith("hart ")
    assert "'re' is ambiguous: regs, reset" in run(machine, "re")


def test_harts_as_text_and_json(machine):
    machine.debug.write_gpr(1, 4, 0x1234)  # hart 1's tp
    rows = json.loads(run(machine, "harts --json"))
    assert [r["hart"] for r in rows] == [0, 1]
    assert rows[1]["tp"] == 0x1234 and rows[0]["pc"] == 0x1000
    assert rows[0]["priv"] == "M" and rows[0]["state"] == "running"
    assert set(rows[0]) == {"hart", "state", "priv", "pc", "satp", "sscratch", "tp"}
    text = run(machine, "harts")
    assert text.splitlines()[0].split() == ["hart", "state", "priv", "pc", "satp", "tp", "sscratch"]
    assert "0x0000000000001234" in text.splitlines()[2]


def test_regs_of_the_selected_or_named_hart(machine):
    machine.debug.write_gpr(1, 10, 0xABC)
    assert "a0 0x0000000000000abc" in run(machine, "regs", LocalSession(hart=1))
    assert "a0 0x0000000000000abc" in run(machine, "regs 1")
    assert json.loads(run(machine, "regs 1 --json"))["a0"] == 0xABC
    assert run(machine, "regs 0").startswith("hart 0, M-mode, pc 0x0000000000001000")


def test_x_dumps_memory_and_reports_faults(machine, guest_elf):
    source = symbol(guest_elf, "source")
    text = run(machine, f"x {source:#x} 8")
    assert text == f"{source:#018x}: " + "07 00 00 00 00 00 00 00".ljust(47) + "  |........|\n"
    end = 0x80000000 + machine.config.mem_size
    text = run(machine, f"x {end - 16:#x} 32")
    assert text.count("\n") == 2  # the readable line, then the fault
    assert f"x: cannot read virtual address {end:#x}: no memory at this address" in text
    assert "cannot read physical address 0x0" in run(machine, "x 0 4 --phys")


def test_phys_switches_the_session_it_runs_in(machine):
    session = LocalSession()
    assert "translation" in run(machine, "phys", session)
    run(machine, "phys on", session)
    assert session.physical
    run(machine, "phys off", session)
    assert not session.physical


def test_catch_trap_sets_the_machines_catch_and_remembers_it(machine):
    monitor = Monitor(default_registry(), machine.debug, machine)
    out = []
    monitor("catch trap ecall load-page-fault int:5 2", LocalSession(), out.append)
    assert out[-1] == ("stopping at trap entry for: illegal-instruction (2), user-ecall (8), "
                       "supervisor-ecall (9), machine-ecall (11), load-page-fault (13), s-timer (int:5)\n")
    stop = machine.debug.cont(max_insns=100_000)
    assert stop.reason.value == "trap" and stop.cause == 11  # the guest's M-mode ecall
    monitor("catch trap", LocalSession(), out.append)
    assert "machine-ecall (11)" in out[-1]
    monitor("catch trap none", LocalSession(), out.append)
    assert out[-1] == "stopping at trap entry for: nothing\n"


def test_cause_groups_and_numbers():
    assert parse_causes(["page-fault"]) == (frozenset({12, 13, 15}), frozenset())
    assert parse_causes(["interrupts"])[1] == frozenset({1, 3, 5, 7, 9, 11})
    assert parse_causes(["0x8", "irq:7"]) == (frozenset({8}), frozenset({7}))
    with pytest.raises(MonitorError):
        parse_causes(["99"])


def test_reset_goes_through_the_callback_it_is_given(machine):
    machine.debug.write_pc(0, 0x80000000)
    called = []
    monitor = Monitor(default_registry(), machine.debug, machine,
                      reset=lambda: called.append(machine.debug.reset()))
    out = []
    monitor("reset", LocalSession(), out.append)
    assert called and machine.debug.read_pc(0) == 0x1000
    assert out == ["machine reset: every hart is at its reset vector\n"]


def test_completions_come_from_the_registry():
    completions = default_registry().completions()
    assert sorted(completions) == ["catch", "harts", "help", "phys", "regs", "reset", "x"]
    assert "--json" in completions["harts"] and "--phys" in completions["x"]
    assert {"on", "off"} <= set(completions["phys"])
    assert {"trap", "none", "user-ecall", "page-fault"} <= set(completions["catch"])


def test_adding_a_command_is_one_class():
    registry = Registry()

    @registry.add
    class Echo(Command):
        name = "echo"
        summary = "say it back"
        json_output = True

        def add_arguments(self, parser):
            parser.add_argument("words", nargs="*")

        def run(self, ctx, args):
            return {"words": args.words}

        def format(self, data):
            return " ".join(data["words"])

    out = []
    Monitor(registry, debug=None)("echo a b", LocalSession(), out.append)
    Monitor(registry, debug=None)("echo a b --json", LocalSession(), out.append)
    assert out[0] == "a b\n"
    assert json.loads(out[1]) == {"words": ["a", "b"]}
    with pytest.raises(ValueError):
        registry.add(Echo)
