"""The console's Application driven through a pipe, drawn on a screen, on a real machine.

Each test runs the real prompt_toolkit Application of `trapscope serve`'s
console against a real Machine (the echo guest, two harts) and a real RSP
server, types keys as a terminal sends them, and reads what the screen shows.
"""

from __future__ import annotations

import asyncio
import re

from tests.console.harness import (
    CTRL_A,
    CTRL_C,
    CTRL_D,
    F2,
    F5,
    F6,
    F7,
    PAGE_UP,
    PATIENCE,
    InProcessConsole,
    until,
)


def run(coro) -> None:
    asyncio.run(asyncio.wait_for(coro, 4 * PATIENCE))


def test_continue_and_halt_drive_the_machine_and_the_status_bar(console_guest):
    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            await rig.shows("STOPPED  at reset")
            assert "hart 0: M 0x1000" in rig.screen.line_with("hart 0:")
            assert "gdb not attached" in rig.screen.text()
            assert f"listening on 127.0.0.1:{rig.port}" in rig.screen.text()
            rig.type(F5)
            await rig.shows(" RUNNING ")
            assert rig.controller.running
            await rig.shows("console guest: ready")  # the guest's serial output, in its pane
            await rig.shows("hart 1: wfi")  # refreshed while running: hart 1 went to sleep
            rig.type(F6)
            await rig.matches(r"stopped: halted, hart [01] at 0x")  # either hart may be the one
            await rig.matches(r" STOPPED  halted, hart [01]")
            assert not rig.controller.running
            pc = rig.served.machine.debug.read_pc(0)
            assert f"hart 0: M {pc:#x}" in rig.screen.line_with("hart 0:")
            assert "wfi" in rig.screen.line_with("hart 1:")  # the parked hart waits
            rig.type("continue\r")
            await rig.shows(" RUNNING ")
            rig.type(CTRL_C)  # in monitor mode, Ctrl-C halts a running machine
            await until(lambda: not rig.controller.running, "Ctrl-C to halt")
            await rig.shows(" STOPPED ")

    run(scenario())


def test_monitor_commands_show_their_output(console_guest):
    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            rig.type("harts\r")
            await rig.shows("sscratch")
            assert re.search(r"^1 +wfi +M +0x0000000080", rig.screen.text(), re.M) or \
                re.search(r"^1 +\w+ +M", rig.screen.text(), re.M)
            rig.type("regs 7\r")
            await rig.shows("no hart 7 (this machine has harts 0-1)")
            rig.type("ha\r")
            await rig.shows("'ha' is ambiguous: halt, hart, harts")
            rig.type("help\r")
            await rig.shows("console commands:")
            await rig.shows("keys:")
            text = rig.screen.text()
            assert "continue (F5" not in text or "run every hart" in text
            rig.type(PAGE_UP * 3)  # the monitor pane scrolls back to the command list
            await rig.shows("trapscope monitor commands")
            await rig.shows("scrolled back")
            rig.type(F5)
            await rig.shows(" RUNNING ")
            rig.type("harts\r")  # registers cannot be read from a running machine
            await rig.shows("the machine is running: halt it first")
            rig.type(F6)
            await rig.shows(" STOPPED ")

    run(scenario())


def test_completion_offers_commands_and_their_words(console_guest):
    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            rig.type("ha")
            await rig.matches(r"harts +command")  # the menu: registry and console commands
            await rig.matches(r"halt +command")
            rig.type(CTRL_C)  # stopped: Ctrl-C clears the line (and the menu)
            await until(lambda: rig.state.input_buffer.text == "", "the line to clear")
            rig.type("harts --j")
            await rig.matches(r"--json +harts")  # the menu has the one word that fits
            rig.type("\t")  # Tab takes it
            await until(lambda: rig.state.input_buffer.text == "harts --json", "--json completed")
            rig.type("\r")
            await rig.shows('"sscratch": 0')
            rig.type("catch ")
            await rig.matches(r"illegal-instruction +catch")  # argument words come from the command's parser

    run(scenario())


def test_guest_mode_sends_keystrokes_that_the_guest_echoes(console_guest):
    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            rig.type(F5)
            await rig.shows("console guest: ready")
            rig.type(F2)
            await rig.shows(" GUEST MODE ")
            await rig.shows("keystrokes go to the guest's UART")
            rig.type("hello there\r")
            await rig.shows("got: hello there")
            assert "> hello there" in rig.screen.text()  # echoed character by character
            assert rig.state.input_buffer.text == ""  # nothing went to the command line
            rig.type(CTRL_A + "c")  # QEMU's escape back to the monitor
            await rig.shows(" MONITOR MODE ")
            rig.type("guest\r")  # the command does the same as F2
            await rig.shows(" GUEST MODE ")
            rig.type("abc" + F2 + "hart\r")  # after F2, keys are the monitor's again ...
            await rig.shows("hart 0 selected")
            assert "got: abc" not in rig.screen.text()  # ... and the guest never got the Enter

    run(scenario())


def test_step_and_hart_selection(console_guest):
    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            debug = rig.served.machine.debug
            rig.type("step 3\r")
            await rig.shows("stopped, hart 0 at 0x")
            assert debug.read_pc(0) != 0x1000
            before = debug.read_pc(0)
            rig.type(F7)
            await until(lambda: debug.read_pc(0) != before, "F7 to step")
            before = debug.read_pc(0)
            rig.type("\r")  # an empty line repeats the step, as in gdb
            await until(lambda: debug.read_pc(0) != before, "Enter to step again")
            rig.type("hart 1\r")
            await rig.shows("hart 1 selected")
            rig.type("regs\r")
            await rig.shows("hart 1, M-mode, pc 0x")
            rig.type("hart 5\r")
            await rig.shows("no hart 5")

    run(scenario())


def test_quit_and_ctrl_d_leave_the_console(console_guest):
    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            rig.type(F5)
            await rig.shows(" RUNNING ")
            rig.type("quit\r")
            await asyncio.wait_for(rig.app_task, PATIENCE)
        async with InProcessConsole(console_guest) as rig:
            rig.type("x" + CTRL_D)  # on a non-empty line Ctrl-D deletes, it does not quit
            await until(lambda: rig.state.input_buffer.text == "x", "the typed x")
            rig.type("\x08" + CTRL_D)
            await asyncio.wait_for(rig.app_task, PATIENCE)

    run(scenario())


def test_the_console_halts_a_run_that_gdb_started(console_guest):
    """gdb continues, the console halts: gdb gets its stop reply (SIGINT), nothing hangs."""
    from trapscope.rspserver.client import RspClient

    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            client = await asyncio.to_thread(RspClient, "127.0.0.1", rig.port)
            try:
                await rig.shows("gdb attached from 127.0.0.1:")
                await asyncio.to_thread(client.send, b"vCont;c")
                await rig.shows(" RUNNING ")
                rig.type(F6)
                stop = await asyncio.to_thread(client.stop_reply)
                assert stop.kind == "T" and stop.signal == 2, stop
                await rig.shows(" STOPPED  halted")
                # gdb drives again, and the console's continue/halt still work
                rig.type(F5)
                await rig.shows(" RUNNING ")
                await rig.shows("gdb is attached: its register cache is stale")
                rig.type(F6)
                await rig.shows(" STOPPED ")
                regs = await asyncio.to_thread(client.read_registers)  # gdb's thread: its last stop's
                assert regs[32] == rig.served.machine.debug.read_pc(stop.thread - 1)
            finally:
                await asyncio.to_thread(client.close)
            await rig.shows("gdb not attached")

    run(scenario())


def test_gdb_beside_a_run_the_console_started_loses_neither_ctrl_c_nor_requests(console_guest,
                                                                                 tmp_path):
    """Real gdb-multiarch, idle while the console continues: its `continue` and Ctrl-C
    stop with a stop reply, and a register read later halts the console's run to answer."""
    from tests.rsp.harness import CTRL_C_SOON, run_gdb

    go, ready, go_again = (tmp_path / name for name in ("go", "ready", "go-again"))
    script = f"""\
shell while [ ! -e {go} ]; do sleep 0.05; done
{CTRL_C_SOON}
continue
info registers pc
shell touch {ready}; while [ ! -e {go_again} ]; do sleep 0.05; done
maint flush register-cache
info registers pc
detach
"""

    async def scenario():
        async with InProcessConsole(console_guest) as rig:
            gdb = asyncio.ensure_future(asyncio.to_thread(run_gdb, rig.port, console_guest, script))
            try:
                await rig.shows("gdb attached from 127.0.0.1:")
                rig.type(F5)  # the console's run, while gdb waits at its prompt
                await rig.shows("gdb is attached: its register cache is stale")
                go.touch()  # gdb continues (halting the console's run), then Ctrl-C
                await until(ready.exists, "gdb's stop after its Ctrl-C")
                assert not rig.controller.running
                rig.type(F5)  # the console runs the machine again ...
                await until(lambda: rig.controller.running, "the console's second run")
                go_again.touch()  # ... and gdb reads a register: that run halts to answer it
                out = await asyncio.wait_for(gdb, PATIENCE)
            finally:
                if not gdb.done():
                    rig.served.controller.halt()  # unblock a gdb that waits for good
            assert re.search(r"received signal SIGINT, Interrupt", out), out
            pcs = re.findall(r"^pc\s+(0x[0-9a-f]+)", out, re.M)
            assert len(pcs) == 2, out
            assert "Ignoring packet error" not in out and "Remote connection closed" not in out, out
            assert not rig.controller.running
            # the console noted each halt: its first run, gdb's run (Ctrl-C), its second run
            await until(lambda: rig.screen.text().count("stopped: halted") == 3, "three stops")
            await rig.shows("gdb not attached")

    run(scenario())


def test_a_guest_that_powers_off_shows_as_exited_until_reset():
    from trapscope.tools.demo import demo_elf

    async def scenario():
        async with InProcessConsole(demo_elf(), bios="builtin") as rig:
            rig.type(F5)
            await rig.shows("all harts said hello")
            await rig.shows(" EXITED  the guest exited with status 0")
            rig.type("c\r")
            await rig.shows("the guest exited (status 0); `reset` starts it again")
            rig.type("reset\r")
            await rig.shows(" STOPPED ")
            rig.type(F5)
            await until(lambda: rig.screen.text().count("all harts said hello") == 2, "a second run")

    run(scenario())
