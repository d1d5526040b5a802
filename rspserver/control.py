"""Running the target: short runs inline, long runs in the machine thread.

A resume first runs the target for a small instruction budget in the
caller's thread, so a step or a continue that stops at once (gdb's software
single-step is exactly that) answers without a thread hop. Only when the
budget runs out does the run move to the machine thread, which keeps going
in chunks until a stop or a halt request, then hands the stop back through
`post` (the server passes the event loop's `call_soon_threadsafe`).

One `Controller` per machine, shared by every client session and, later,
the console: it knows whether the machine runs and what the last stop was,
and tells listeners about both. No asyncio here.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, List, Optional

from trapscope.rspserver.target import SIGINT, SIGTRAP, ResumePlan, StopEvent, StopKind, Target

StopCallback = Callable[[StopEvent], None]
Listener = Callable[[Optional[StopEvent]], None]  # None: the machine started running


class Controller:
    """Owns every run of one target. Use it from one (the event loop's) thread;
    only `halt` may be called from anywhere."""

    #: instructions run inline before a resume moves to the machine thread
    INLINE_BUDGET = 4096
    #: instructions per chunk in the machine thread
    CHUNK = 500_000

    def __init__(self, target: Target, post: Callable[[Callable[[], None]], None]) -> None:
        self.target = target
        self._post = post
        self._running = False
        self._listeners: List[Listener] = []
        self.last_stop: StopEvent | None = None
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="trapscope-machine", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """True while a resume is in progress in the machine thread."""
        return self._running

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(stop)` after every stop, and `listener(None)` when a long run starts."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def resume(self, plan: ResumePlan, on_stop: StopCallback) -> StopEvent | None:
        """Start a run. Returns the stop if it came within the inline budget
        (and then `on_stop` is not called); otherwise returns None and calls
        `on_stop(stop)` later, through `post`."""
        if self._running:
            raise RuntimeError("the machine is already running")
        stop = self.target.resume(plan, self.INLINE_BUDGET)
        if stop is not None:
            self._stopped(stop)
            return stop
        self._running = True
        # The run is open from here, before the machine thread picks it up, so
        # a Ctrl-C that follows at once is not lost.
        self.target.begin_run()
        self._notify(None)
        self._jobs.put(lambda: self._run_long(plan, on_stop))
        return None

    def halt(self) -> None:
        """Ask a long run to stop soon; it then stops with SIGINT. Thread-safe.

        With no long run in progress it does nothing; a halt that comes after
        the run has already stopped for another reason is dropped: that stop
        answers it.
        """
        self.target.interrupt()

    def set_stopped(self, stop: StopEvent) -> None:
        """Record a stop that happened outside `resume` (an attach, a reset)."""
        self._stopped(stop)

    def reset(self) -> StopEvent:
        """Power-on reset while stopped; every hart waits at its reset vector."""
        if self._running:
            raise RuntimeError("the machine is running")
        self.target.reset()
        stop = StopEvent(StopKind.SIGNAL, self.target.threads()[0], SIGTRAP)
        self._stopped(stop)
        return stop

    def close(self) -> None:
        """Stop the machine thread (after halting any run)."""
        self.halt()
        self._jobs.put(None)
        self._thread.join(timeout=10)

    # -- machine thread -----------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job()

    def _run_long(self, plan: ResumePlan, on_stop: StopCallback) -> None:
        try:
            stop = self._run_chunks(plan)
        except Exception as exc:  # a machine bug must not leave the client hanging
            thread = plan.step if plan.step is not None else min(plan.running, default=1)
            stop = StopEvent(StopKind.SIGNAL, thread, signal=SIGINT,
                             message=f"trapscope: the machine failed: {exc!r}\n")
        finally:
            self.target.end_run()
        self._post(lambda: self._finish(stop, on_stop))

    def _run_chunks(self, plan: ResumePlan) -> StopEvent:
        while True:
            stop = self.target.resume(plan, self.CHUNK)
            if stop is not None:
                return stop

    def _finish(self, stop: StopEvent, on_stop: StopCallback) -> None:
        self._running = False
        self.last_stop = stop
        on_stop(stop)
        self._notify(stop)

    def _stopped(self, stop: StopEvent) -> None:
        self.last_stop = stop
        self._notify(stop)

    def _notify(self, stop: StopEvent | None) -> None:
        for listener in list(self._listeners):
            listener(stop)
