"""One client's RSP session: events in, replies out, no IO of its own.

`Session.feed(data)` takes bytes from the client; replies leave through the
`send(bytes)` callback and `close()` ends the connection. The session owns
the protocol state (ack mode, selected threads, physical memory mode) and
dispatches each packet to its handler (`trapscope.rspserver.handlers`).

Who owns a run decides what a packet does while the machine runs:
- the client's own run (it waits for its stop reply): packets wait in a
  queue and are handled after the stop, so a client that does not wait for
  its stop reply cannot touch a running machine; 0x03 halts the run.
- anyone else's run (the console's `continue`, `serve --run`): gdb, in
  all-stop mode, believes the machine stopped, so a packet halts that run
  and is answered after the stop, as soon as it can be. A resume gdb sends
  then starts gdb's own run, and a 0x03 that follows it, even before that
  run has started, halts it with a stop reply naming the hart. Only a
  detach (``D``) leaves the other run going.
"""

from __future__ import annotations

import collections
import logging
from typing import Callable, Deque, Tuple

from trapscope.rspserver import framing, packets
from trapscope.rspserver.control import Controller
from trapscope.rspserver.handlers import HANDLERS
from trapscope.rspserver.handlers.resume import format_stop
from trapscope.rspserver.replies import ERROR_MALFORMED, PACKET_SIZE, error
from trapscope.rspserver.target import (
    EINVAL,
    SIGTRAP,
    MonitorRunner,
    ResumePlan,
    StopEvent,
    StopKind,
    Target,
)

log = logging.getLogger("trapscope.rspserver")

# Replies that are hex digits (or a short error): a faster checksum applies.
_HEX_REPLIES = frozenset({"g", "m", "p"})

#: packets queued while the machine runs; beyond this they are dropped with an error reply
MAX_PENDING = 256


class Session:
    """The protocol state of one connected client."""

    def __init__(
        self,
        target: Target,
        controller: Controller,
        send: Callable[[bytes], None],
        close: Callable[[], None],
        monitor: MonitorRunner | None = None,
        peer: str = "client",
    ) -> None:
        self.target = target
        self.controller = controller
        self.monitor = monitor
        self.peer = peer
        self._send = send
        self._close = close
        self.framer = framing.Framer(PACKET_SIZE, packets.BINARY_PREFIXES)
        self.no_ack = False
        self.extended = False
        self.gdb_features: Tuple[bytes, ...] = ()
        self.g_thread = packets.ANY_THREAD
        self.c_thread = packets.ANY_THREAD
        self.physical = False  # `monitor phys on|off`
        self.closed = False
        self._cleaned = False
        self._last_packet = b""
        self._awaiting_stop = False
        self._pending: Deque[bytes] = collections.deque()
        self._halting_other = False  # a packet of ours halts a run someone else started
        self._interrupt_due = False  # a 0x03 for a resume of ours still in the queue
        controller.add_listener(self._machine_event)
        if controller.running:
            controller.halt()  # a client attaches to a stopped machine

    # -- the monitor's view of the session ------------------------------------------
    @property
    def hart(self) -> int:
        """The hart behind the thread gdb selected for registers and memory."""
        return self.target.hart_of(self.thread_for(self.g_thread))

    def thread_for(self, thread: int) -> int:
        """A concrete thread for `thread`, which may be 0 (any) or -1 (all)."""
        if thread > 0:
            return thread
        stop = self.controller.last_stop
        if stop is not None and stop.kind is not StopKind.EXITED:
            return stop.thread
        return self.target.threads()[0]

    def last_stop(self) -> StopEvent:
        stop = self.controller.last_stop
        if stop is None:
            return StopEvent(StopKind.SIGNAL, self.target.threads()[0], SIGTRAP)
        return stop

    # -- input ------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Handle bytes received from the client."""
        for event in self.framer.feed(data):
            if self.closed:
                return
            kind = type(event)
            if kind is framing.Packet:
                if not self.no_ack:
                    self._send(b"+")
                self._packet(event.data)
            elif kind is framing.Interrupt:
                self._interrupt()
            elif kind is framing.Ack:
                if not event.ok and not self.no_ack and self._last_packet:
                    self._send(self._last_packet)
            else:
                self._malformed(event)

    @property
    def awaiting_stop(self) -> bool:
        """True while the client waits for the stop reply of a resume it sent."""
        return self._awaiting_stop

    def _packet(self, data: bytes) -> None:
        running = self.controller.running
        if not (self._awaiting_stop or running or self._pending):
            self.handle(data)
        elif running and not self._awaiting_stop and data[:1] == b"D" and not self._pending:
            self.handle(data)  # leaving: another's run goes on (breakpoints go at its stop)
        else:
            self._defer(data)
            if running and not self._awaiting_stop:
                self._halt_other_run()

    def _halt_other_run(self) -> None:
        """Halt a run someone else started, so that gdb's packets get answered."""
        if not self._halting_other:
            self._halting_other = True
            log.info("gdb client %s sent a request: halting the machine to answer it", self.peer)
        self.controller.halt()

    def _interrupt(self) -> None:
        if self._awaiting_stop:
            self.controller.halt()
        elif self._pending:  # gdb's resume may still be queued behind another's run
            self._interrupt_due = True
            if self.controller.running:
                self._halt_other_run()

    def _malformed(self, event: framing.Malformed) -> None:
        log.debug("%s: malformed input: %s", self.peer, event.reason)
        if self.no_ack:
            self.send_packet(ERROR_MALFORMED)
        else:
            self._send(b"-")

    def _defer(self, data: bytes) -> None:
        if len(self._pending) >= MAX_PENDING:
            self.send_packet(error(EINVAL))
            return
        self._pending.append(data)

    def handle(self, data: bytes) -> None:
        """Dispatch one packet and send its reply (if it has one now)."""
        found = packets.lookup(data)
        if found is None:
            self.send_packet(b"")
            return
        name, packet = found
        if packet is None:
            self.send_packet(error(EINVAL))
            return
        try:
            reply = HANDLERS[name](self, packet)
        except Exception:
            log.exception("%s: handling %r failed", self.peer, data[:64])
            reply = error(EINVAL)
        if reply is not None:
            self.send_packet(reply, hex_digits=name in _HEX_REPLIES)

    # -- output -----------------------------------------------------------------------
    def send_packet(self, body: bytes, hex_digits: bool = False) -> None:
        """Send one packet (its body already escaped if binary; `hex_digits`: lowercase hex)."""
        if self.closed:
            return
        wire = framing.frame(body, hex_digits=hex_digits)
        if not self.no_ack:
            self._last_packet = wire
        self._send(wire)

    def console_output(self, text: str) -> None:
        """Show text in gdb's console (``O`` packets)."""
        data = text.encode("utf-8", "replace")
        step = PACKET_SIZE // 2 - 8
        for i in range(0, len(data), step):
            self.send_packet(b"O" + data[i : i + step].hex().encode())

    def close_after_reply(self) -> None:
        """End the connection once what was sent is flushed."""
        self.disconnected()
        self._close()

    # -- running ----------------------------------------------------------------------
    def start_resume(self, plan: ResumePlan) -> bytes | None:
        """Resume the machine; the stop reply now, or None and the reply later."""
        stop = self.controller.resume(plan, self._resumed_stop)
        interrupted, self._interrupt_due = self._interrupt_due, False
        if stop is None:
            self._awaiting_stop = True
            if interrupted:  # the client's Ctrl-C came before its run could start
                self.controller.halt()
            return None
        return self.stop_reply(stop)

    def stop_reply(self, stop: StopEvent, announce: bool = True) -> bytes:
        if stop.kind is StopKind.EXITED:
            log.info("the guest exited with status %d", stop.exit_code)
        else:
            self.g_thread = stop.thread
        if announce and stop.message:
            self.console_output(stop.message)
        return format_stop(self, stop)

    def _resumed_stop(self, stop: StopEvent) -> None:
        self._awaiting_stop = False
        if self.closed:
            self._cleanup()
            return
        self.send_packet(self.stop_reply(stop))

    def _machine_event(self, stop: StopEvent | None) -> None:
        if stop is None or self._awaiting_stop:
            return
        self._halting_other = False
        if self.closed:
            self._cleanup()
            return
        while self._pending and not self.controller.running and not self._awaiting_stop:
            self.handle(self._pending.popleft())
        if not self._pending:
            self._interrupt_due = False  # no resume of ours was left for it to stop

    # -- leaving ----------------------------------------------------------------------
    def disconnected(self) -> None:
        """The client went away (or detached): leave the machine stopped and clean."""
        if self.closed:
            return
        self.closed = True
        self._pending.clear()
        if self._awaiting_stop:
            self.controller.halt()
        if not self.controller.running:
            self._cleanup()  # otherwise after the stop, when the machine can be touched

    def _cleanup(self) -> None:
        if self._cleaned:
            return
        self._cleaned = True
        self.controller.remove_listener(self._machine_event)
        try:
            self.target.clear_debug_state()
        except Exception:
            log.exception("%s: clearing breakpoints failed", self.peer)
