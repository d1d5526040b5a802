"""Connection-level packets: qSupported, no-ack mode, ``?``, attach/detach/kill/restart."""

from __future__ import annotations

from trapscope.rspserver import packets as p
from trapscope.rspserver.replies import PACKET_SIZE
from trapscope.rspserver.target import StopEvent


def features(session) -> bytes:
    """Our qSupported reply: only what the target opts into."""
    target = session.target
    items = [b"PacketSize=%x" % PACKET_SIZE, b"QStartNoAckMode+", b"qXfer:features:read+",
             b"qXfer:threads:read+", b"vContSupported+"]
    if target.memory_map_xml() is not None:
        items.append(b"qXfer:memory-map:read+")
    if target.breakpoints() is not None:
        items += [b"swbreak+", b"hwbreak+"]
    return b";".join(items)


def q_supported(session, packet: p.QSupported) -> bytes:
    session.gdb_features = packet.features
    return features(session)


def start_no_ack(session, packet: p.NoArgs) -> bytes | None:
    session.send_packet(b"OK")  # still acknowledged: the switch happens after this reply
    session.no_ack = True
    return None


def halt_reason(session, packet: p.NoArgs) -> bytes:
    return session.stop_reply(session.last_stop(), announce=False)


def extended_mode(session, packet: p.NoArgs) -> bytes:
    session.extended = True
    return b"OK"


def attached(session, packet: p.NoArgs) -> bytes:
    return b"1"  # we attached to an existing machine: gdb detaches (not kills) on quit


def symbol(session, packet: p.NoArgs) -> bytes:
    return b"OK"  # no symbols needed


def detach(session, packet: p.Detach) -> bytes | None:
    session.send_packet(b"OK")
    session.close_after_reply()
    return None


def reset_machine(session) -> StopEvent:
    """Power-on reset; every hart is stopped at its reset vector."""
    return session.controller.reset()


def kill(session, packet: p.NoArgs) -> bytes | None:
    reset_machine(session)
    session.close_after_reply()
    return None


def v_kill(session, packet: p.NoArgs) -> bytes:
    reset_machine(session)
    return b"OK"


def restart(session, packet: p.NoArgs) -> bytes | None:
    reset_machine(session)
    return None


def v_run(session, packet: p.Run) -> bytes:
    return session.stop_reply(reset_machine(session), announce=False)


HANDLERS = {
    "qSupported": q_supported,
    "QStartNoAckMode": start_no_ack,
    "?": halt_reason,
    "!": extended_mode,
    "qAttached": attached,
    "qSymbol": symbol,
    "D": detach,
    "k": kill,
    "vKill": v_kill,
    "R": restart,
    "vRun": v_run,
}
