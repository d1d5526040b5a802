"""The scheduler: deterministic hart interleaving, time, device input, exits.

Time is counted in rounds of `quantum` ticks of mtime (10 MHz; one retired
instruction is one tick). In a round [T, T + quantum) each started hart
runs, in hart order, until its own clock (its instructions plus the time it
spent waiting) reaches the round's end; a hart in WFI, a frozen hart and a
stopped one let their clock run to the end of the round. Between rounds the
polls run (HTIF) and the input `post`ed by other threads is applied, so the
same inputs at the same rounds give the same run, instruction for
instruction. When every started hart waits, time jumps to the next timer
deadline; with none, the scheduler blocks until `post` brings input, a halt
or an exit.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Deque, Dict, FrozenSet, List

from trapscope.machine.bus import Bus
from trapscope.machine.codecache import CodeCache
from trapscope.machine.debug import DebugState, Stop, StopReason
from trapscope.machine.hart import Hart, RamView, main_ram

DEFAULT_QUANTUM = 10_000
# An idle machine jumps mtime to the next timer deadline, but not to one this
# far ahead: that is a timer switched off (mtimecmp = ~0, as firmware and
# Linux write), which must wait for input instead. QEMU 7.2 behaves alike: it
# arms the timer at most INT64_MAX ns ahead (2**63 / 100 ticks at 10 MHz,
# about 292 years), which never comes.
NEVER = (2**63 - 1) // 100


class Scheduler:
    """Runs the harts of one machine. Contract: now(), post(), add_poll(), request_exit()."""

    def __init__(self, quantum: int = DEFAULT_QUANTUM) -> None:
        self.quantum = quantum
        self.harts: List[Hart] = []
        self.code = CodeCache()
        self.dbg = DebugState(self.harts)
        self.time = 0  # mtime at the start of the current round
        self.round_end = quantum
        self.current: Hart | None = None
        self.last: Hart | None = None
        self.halt_requested = False
        self._runs = 0  # runs in progress (see begin_run); halt requests count only then
        self.exit_code: int | None = None
        self._posted: Deque[Callable[[], None]] = deque()
        self._cond = threading.Condition()
        self._polls: List[Callable[[], None]] = []
        self._views: Dict[int, RamView] = {}

    # -- the contract --------------------------------------------------------------
    def add_hart(self, hart: Hart) -> None:
        """Called by Hart.__init__."""
        self.harts.append(hart)

    def now(self) -> int:
        """mtime: the running hart's clock, or the round start between rounds."""
        cur = self.current
        return cur.time_now() if cur is not None else self.time

    def post(self, fn: Callable[[], None]) -> None:
        """Run `fn()` in the machine thread at the next round boundary. Thread-safe."""
        with self._cond:
            self._posted.append(fn)
            self._cond.notify_all()

    def add_poll(self, fn: Callable[[], None]) -> None:
        """Call `fn()` between rounds (HTIF polls tohost there)."""
        self._polls.append(fn)

    def request_exit(self, code: int) -> None:
        """End the run: `run` returns a Stop with reason EXITED and this code."""
        self.exit_code = code
        self._poke_all()

    def request_halt(self) -> bool:
        """Ask the run in progress to return (reason HALTED) soon. Thread-safe.

        A run is in progress inside `run` and between `begin_run` and
        `end_run`; a request while none is (a late Ctrl-C) is dropped and
        returns False, so it can never stop a later run.
        """
        with self._cond:
            if not self._runs:
                return False
            self.halt_requested = True
        self._poke_all()
        return True

    def begin_run(self) -> None:
        """Open a run for its owner before its thread calls `run` (or across
        several calls): a halt request from now on stops the next `run`."""
        with self._cond:
            if not self._runs:
                self.halt_requested = False
            self._runs += 1

    def end_run(self) -> None:
        """Close what `begin_run` opened; an unanswered halt request is dropped."""
        with self._cond:
            self._runs = max(0, self._runs - 1)
            if not self._runs:
                self.halt_requested = False

    def _poke_all(self) -> None:
        for h in self.harts:
            h.lim = 0
        with self._cond:
            self._cond.notify_all()

    def ram_view(self, bus: Bus) -> RamView:
        """The fast-path view of a bus's main RAM (shared by its harts)."""
        view = self._views.get(id(bus))
        if view is None:
            view = self._views[id(bus)] = RamView(main_ram(bus))
        return view

    def close(self) -> None:
        """The machine is done: release the RAM views (so RAM can be unmapped), and
        drop the harts' engine state and translated code, which refer back to
        the harts and this scheduler. Nothing may run afterwards."""
        for view in self._views.values():
            view.release()
        self._views.clear()
        for h in self.harts:
            h.close()
        self.code.close()
        self.harts.clear()
        self._polls.clear()
        self._posted.clear()

    def total_insns(self) -> int:
        """Instructions retired by all harts."""
        return sum(h.ic for h in self.harts)

    def total_steps(self) -> int:
        """Instructions retired plus exceptions taken, by all harts (what budgets count)."""
        return sum(h.ic + h.faults for h in self.harts)

    # -- running -----------------------------------------------------------------
    def run(self, *, frozen: FrozenSet[int] = frozenset(), max_insns: int | None = None) -> Stop:
        """Run the harts not in `frozen` until something stops the machine.

        `max_insns` bounds the instructions retired plus the exceptions taken
        (a faulting instruction counts as executed, as in QEMU's execution
        log), so even a hart stuck in a trap loop stops.
        """
        self.begin_run()
        try:
            return self._run(frozen, max_insns)
        finally:
            self.end_run()

    def _run(self, frozen: FrozenSet[int], max_insns: int | None) -> Stop:
        start = self.total_steps()
        while True:
            early = self._early_stop()
            if early is not None:
                return early
            left = None if max_insns is None else max_insns - (self.total_steps() - start)
            if left is not None and left <= 0:
                return self._stop(StopReason.INSN_LIMIT)
            stop = self._run_round(frozen, left)
            if stop is not None:
                return stop

    def _early_stop(self) -> Stop | None:
        if self.exit_code is not None:
            return self._stop(StopReason.EXITED, exit_code=self.exit_code)
        if self.halt_requested:
            self.halt_requested = False
            return self._stop(StopReason.HALTED)
        return None

    def _stop(self, reason: StopReason, **kw) -> Stop:
        h = self.last or (self.harts[0] if self.harts else None)
        return Stop(reason, h.hartid if h else 0, h.pc if h else 0, **kw)

    def _run_round(self, frozen: FrozenSet[int], left: int | None) -> Stop | None:
        """Advance every hart to the end of the round (or stop early)."""
        end = self.round_end
        ran = False
        for h in self.harts:
            t = h.ic + h.time_off
            if t >= end:
                # Already there (the round was left early by a stop, or the hart
                # was single-stepped past it): still a hart that can run, so the
                # round is not idle.
                ran = ran or (h.started and h.hartid not in frozen and not h.waiting)
                continue
            if not h.started or h.hartid in frozen or (h.waiting and not self._wake(h, t, end)):
                h.time_off += end - (h.ic + h.time_off)
                continue
            h.waiting = False
            t = h.ic + h.time_off
            before = h.steps
            until = before + (end - t)
            if left is not None:
                until = min(until, before + left)
            stop = self._run_hart(h, until)
            if stop is not None:
                return stop
            if left is not None:
                left -= h.steps - before
            if self.exit_code is not None or self.halt_requested:
                return None
            if h.waiting:
                h.time_off += end - (h.ic + h.time_off)
            ran = True
            if h.ic + h.time_off < end:
                return None  # stopped short (budget): resume this round later
        self._end_round(ran, frozen)
        return None

    @staticmethod
    def _wake(h: Hart, t: int, end: int) -> bool:
        """Whether a hart in WFI wakes before `end`; if at a timer deadline, its clock moves there."""
        h.cur_ic = h.ic
        h.timers()
        if h.wakeable():
            return True
        d = h.next_deadline()
        if d is None or not t <= d < end:
            return False
        h.time_off += d - t
        h.cur_ic = h.ic
        h.timers()
        return h.wakeable()

    def _run_hart(self, h: Hart, until: int) -> Stop | None:
        if self.last is not h:
            for other in self.harts:
                if other is not h:
                    other.reservation = None
        self.last = self.current = h
        try:
            return h.run(until)
        finally:
            self.current = None

    def _end_round(self, ran: bool, frozen: FrozenSet[int]) -> None:
        self.time = self.round_end
        for poll in self._polls:
            poll()
        self._drain()
        if not ran and self.exit_code is None and not self.halt_requested:
            self._idle(frozen)
        self.round_end = self.time + self.quantum

    def _drain(self) -> None:
        while True:
            with self._cond:
                if not self._posted:
                    return
                fn = self._posted.popleft()
            fn()

    def _idle(self, frozen: FrozenSet[int]) -> None:
        """No hart could run this round: jump to a timer deadline or wait for input."""
        live = [h for h in self.harts if h.started and h.hartid not in frozen]
        if any(h.wakeable() for h in live):
            return
        deadlines = [d for d in (h.next_deadline() for h in live)
                     if d is not None and d - self.time <= NEVER]
        if deadlines and min(deadlines) > self.time:
            self._set_time(min(deadlines))
            return
        if deadlines:
            return
        with self._cond:
            while not self._posted and not self.halt_requested and self.exit_code is None:
                self._cond.wait()
        self._drain()

    def _set_time(self, t: int) -> None:
        self.time = t
        for h in self.harts:
            h.time_off = t - h.ic
