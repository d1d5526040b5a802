"""gdb beside another owner of the machine's runs (the console's `continue`, `serve --run`).

The server runs in its own event loop thread on 127.0.0.1, over a real
machine; `other_run()` starts a run the way the console does (through the
shared Controller, in the loop's thread); a raw RSP client plays gdb.
gdb in all-stop mode believes the machine is stopped whenever it is not
waiting for a stop reply of its own, so none of its bytes may be lost.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, List

import pytest
from trapscope.rspserver import framing
from trapscope.rspserver.client import RspClient
from trapscope.rspserver.machine_target import MachineTarget
from trapscope.rspserver.server import RspServer
from trapscope.rspserver.target import SIGINT, ResumePlan, StopEvent, StopKind

from tests.rsp.harness import symbol
from tests.rsp.wire import make_machine

#: safety net only: how long a step of a test may take on a loaded machine
PATIENCE = 60.0


class LoopServer:
    """An RspServer in an event loop thread, and runs started by someone other than gdb."""

    def __init__(self, elf) -> None:
        self.machine = make_machine(elf)
        self.target = MachineTarget(self.machine.debug)
        self.server = RspServer(self.target)
        self.other_stops: List[StopEvent] = []  # the stops of the other owner's runs
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(
            self.server.start("127.0.0.1", 0), self.loop).result(PATIENCE)[1]

    def call(self, fn: Callable[[], Any]) -> Any:
        """`fn()` in the loop's thread (where the server and the console live); its result."""
        async def run() -> Any:
            return fn()
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(PATIENCE)

    @property
    def controller(self):
        return self.server.controller

    def other_run(self) -> None:
        """Start a long run as the console's `continue` does."""
        plan = ResumePlan(None, frozenset(self.target.threads()))
        assert self.call(lambda: self.controller.resume(plan, self.other_stops.append)) is None
        assert self.running()

    def running(self) -> bool:
        return self.call(lambda: self.controller.running)

    def wait(self, cond: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + PATIENCE
        while not self.call(cond):
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.01)

    def close(self) -> None:
        self.call(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(PATIENCE)
        self.loop.close()
        self.machine.close()


@pytest.fixture
def shared(guest_elf):
    s = LoopServer(guest_elf)
    yield s
    s.close()


@pytest.fixture
def client(shared):
    c = RspClient("127.0.0.1", shared.port, timeout=PATIENCE)
    shared.wait(lambda: shared.server.active is not None, "the client to attach")
    yield c
    c.close()


def test_ctrl_c_right_after_a_continue_stops_with_a_reply_naming_the_hart(shared, client):
    # gdb's continue and its Ctrl-C arrive together while the console's run goes:
    # the continue waits for that run to stop, and the Ctrl-C must still stop it.
    shared.other_run()
    client.sock.sendall(framing.frame(b"vCont;c") + b"\x03")
    stop = client.stop_reply()
    assert stop.kind == "T" and stop.signal == SIGINT, stop
    assert stop.thread in (1, 2), stop
    assert not shared.running()
    assert [s.signal for s in shared.other_stops] == [SIGINT]  # the console's run was halted
    assert client.read_register(32) == shared.machine.debug.read_pc(stop.thread - 1)


def test_ctrl_c_once_gdbs_continue_runs_stops_it_with_a_reply(shared, client):
    shared.other_run()
    client.send(b"vCont;c")
    shared.wait(lambda: shared.server.active.session.awaiting_stop, "gdb's continue to run")
    assert shared.running()
    client.interrupt()
    stop = client.stop_reply()
    assert stop.kind == "T" and stop.signal == SIGINT and stop.thread in (1, 2), stop
    assert not shared.running()


def test_a_request_while_another_run_goes_halts_it_and_is_answered(shared, client):
    shared.other_run()
    regs = client.read_registers()  # gdb's `info registers` while the console runs
    assert not shared.running()
    assert len(shared.other_stops) == 1 and shared.other_stops[0].signal == SIGINT
    stop = shared.other_stops[0]
    assert regs[32] == shared.machine.debug.read_pc(stop.thread - 1)
    # and a breakpoint gdb sets before continuing is there when gdb continues
    shared.other_run()
    assert client.request(b"Z0,%x,4" % symbol(shared.machine.config.kernel, "spin_loop")) == b"OK"
    assert not shared.running()
    stop = client.resume(b"vCont;c")
    assert stop.kind == "T" and stop.signal == 5 and stop.thread == 1, stop


def test_detach_leaves_another_run_going(shared, client):
    shared.other_run()
    assert client.request(b"D") == b"OK"
    shared.wait(lambda: shared.server.active is None, "the client to leave")
    assert shared.running()
    assert shared.other_stops == []
    shared.call(shared.controller.halt)
    shared.wait(lambda: not shared.controller.running, "the console's halt")
    assert shared.other_stops[0].kind is StopKind.SIGNAL
