"""One tiny parser per RSP packet, and the prefix table that picks it.

Each parser takes the packet data after its prefix and returns a typed
packet, or None when the data is malformed; no parser raises. Names follow
the GDB manual's packet names ("Packets" and "General Query Packets" in the
Remote Protocol appendix). `PACKETS` is declared once, grouped by
extension; `lookup` tries longer prefixes first, so ``vCont?`` wins over
``vCont`` and ``qXfer:features:read:`` over ``qXfer:``. A packet no prefix
matches gets the empty reply.
"""

from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

_HEXDIGITS = b"0123456789abcdefABCDEF"
MAX_U64 = (1 << 64) - 1

# Thread ids as gdb writes them without the multiprocess extension.
ANY_THREAD = 0
ALL_THREADS = -1


# -- field helpers ----------------------------------------------------------------
def parse_hex(field: bytes, limit: int = MAX_U64) -> int | None:
    """A hex number of at most `limit`; None if empty, not hex, or too big."""
    if not field or len(field) > 32 or field.translate(None, _HEXDIGITS):
        return None
    value = int(field, 16)
    return value if value <= limit else None


def parse_hex_bytes(field: bytes) -> bytes | None:
    """Bytes from pairs of hex digits; None if malformed."""
    if len(field) % 2 or field.translate(None, _HEXDIGITS):
        return None
    return bytes.fromhex(field.decode("ascii"))


def parse_thread_id(field: bytes) -> int | None:
    """A thread id: hex, ``0`` (any) or ``-1`` (all); ``pP.T`` keeps T."""
    if field.startswith(b"p"):
        _, dot, tid = field.partition(b".")
        if not dot:
            return ALL_THREADS  # a whole process: every thread
        field = tid
    if field == b"-1":
        return ALL_THREADS
    return parse_hex(field, 0x7FFFFFFF)


def _addr_length(field: bytes) -> Tuple[int, int] | None:
    addr, comma, length = field.partition(b",")
    a = parse_hex(addr)
    n = parse_hex(length)
    if not comma or a is None or n is None:
        return None
    return a, n


# -- packet types -------------------------------------------------------------------
class NoArgs(NamedTuple):
    """A packet that takes no arguments (``?``, ``g``, ``qC`` ...)."""


class QSupported(NamedTuple):
    features: Tuple[bytes, ...]  # gdb's own features, e.g. b"swbreak+"


class WriteRegisters(NamedTuple):
    data: bytes


class ReadRegister(NamedTuple):
    regno: int


class WriteRegister(NamedTuple):
    regno: int
    data: bytes


class ReadMemory(NamedTuple):
    addr: int
    length: int


class WriteMemory(NamedTuple):
    addr: int
    data: bytes


class Breakpoint(NamedTuple):
    """Z/z: type 0 software, 1 hardware, 2 write, 3 read, 4 access watchpoint."""

    insert: bool
    type: int
    addr: int
    kind: int


class Resume(NamedTuple):
    """c/s/C/S: `addr` (optional) is where to resume; the signal is ignored."""

    step: bool
    signal: int
    addr: int | None


class VContAction(NamedTuple):
    action: str  # "c", "s", "t" ("C"/"S" are folded into "c"/"s")
    signal: int
    thread: int | None  # None: applies to every thread without an earlier action


class VCont(NamedTuple):
    actions: Tuple[VContAction, ...]


class SetThread(NamedTuple):
    op: str  # "g" (registers, memory) or "c" (resume)
    thread: int


class Thread(NamedTuple):
    """A packet naming one thread: T, qThreadExtraInfo."""

    thread: int


class XferRead(NamedTuple):
    object: str
    annex: str
    offset: int
    length: int


class Rcmd(NamedTuple):
    command: str


class Detach(NamedTuple):
    pid: int | None


class Run(NamedTuple):
    """vRun: a filename and arguments (hex-decoded), all ignored but kept."""

    args: Tuple[bytes, ...]


# -- parsers (one per packet) ------------------------------------------------------
def parse_no_args(body: bytes) -> NoArgs | None:
    return NoArgs() if not body else None


def parse_any(body: bytes) -> NoArgs | None:
    """For packets whose arguments are ignored (qSymbol::, k, qAttached:pid)."""
    return NoArgs()


def parse_qSupported(body: bytes) -> QSupported | None:
    if not body:
        return QSupported(())
    if not body.startswith(b":"):
        return None
    return QSupported(tuple(f for f in body[1:].split(b";") if f))


def parse_G(body: bytes) -> WriteRegisters | None:
    data = parse_hex_bytes(body)
    return WriteRegisters(data) if data else None


def parse_p(body: bytes) -> ReadRegister | None:
    regno = parse_hex(body, 0xFFFFF)
    return None if regno is None else ReadRegister(regno)


def parse_P(body: bytes) -> WriteRegister | None:
    num, eq, value = body.partition(b"=")
    regno = parse_hex(num, 0xFFFFF)
    data = parse_hex_bytes(value)
    if not eq or regno is None or not data:
        return None
    return WriteRegister(regno, data)


def parse_m(body: bytes) -> ReadMemory | None:
    al = _addr_length(body)
    return None if al is None else ReadMemory(*al)


def parse_M(body: bytes) -> WriteMemory | None:
    head, colon, payload = body.partition(b":")
    al = _addr_length(head)
    data = parse_hex_bytes(payload)
    if not colon or al is None or data is None or len(data) != al[1]:
        return None
    return WriteMemory(al[0], data)


def parse_X(body: bytes) -> WriteMemory | None:
    """X addr,length:binary; the framing layer has already removed the escapes."""
    head, colon, payload = body.partition(b":")
    al = _addr_length(head)
    if not colon or al is None or len(payload) != al[1]:
        return None
    return WriteMemory(al[0], payload)


def _parse_z(body: bytes, insert: bool) -> Breakpoint | None:
    fields = body.split(b";", 1)[0].split(b",")
    if len(fields) != 3:
        return None
    ztype = parse_hex(fields[0], 4)
    addr = parse_hex(fields[1])
    kind = parse_hex(fields[2], 0xFFFFFFFF)
    if ztype is None or addr is None or kind is None:
        return None
    return Breakpoint(insert, ztype, addr, kind)


def parse_Z(body: bytes) -> Breakpoint | None:
    return _parse_z(body, True)


def parse_z(body: bytes) -> Breakpoint | None:
    return _parse_z(body, False)


def _parse_resume(body: bytes, step: bool) -> Resume | None:
    if not body:
        return Resume(step, 0, None)
    addr = parse_hex(body)
    return None if addr is None else Resume(step, 0, addr)


def _parse_resume_signal(body: bytes, step: bool) -> Resume | None:
    sig, semi, addr = body.partition(b";")
    signal = parse_hex(sig, 0xFF)
    at = parse_hex(addr) if semi else None
    if signal is None or (semi and at is None):
        return None
    return Resume(step, signal, at)


def parse_c(body: bytes) -> Resume | None:
    return _parse_resume(body, False)


def parse_s(body: bytes) -> Resume | None:
    return _parse_resume(body, True)


def parse_C(body: bytes) -> Resume | None:
    return _parse_resume_signal(body, False)


def parse_S(body: bytes) -> Resume | None:
    return _parse_resume_signal(body, True)


def _parse_vcont_action(field: bytes) -> VContAction | None:
    spec, colon, tid = field.partition(b":")
    thread = parse_thread_id(tid) if colon else None
    if colon and thread is None:
        return None
    if thread == ALL_THREADS:
        thread = None
    if spec in (b"c", b"s", b"t"):
        return VContAction(spec.decode(), 0, thread)
    if spec[:1] in (b"C", b"S"):
        signal = parse_hex(spec[1:], 0xFF)
        if signal is None:
            return None
        return VContAction(spec[:1].decode().lower(), signal, thread)
    return None


def parse_vCont(body: bytes) -> VCont | None:
    if not body.startswith(b";"):
        return None
    actions = []
    for field in body[1:].split(b";"):
        action = _parse_vcont_action(field)
        if action is None:
            return None
        actions.append(action)
    return VCont(tuple(actions))


def parse_H(body: bytes) -> SetThread | None:
    op = body[:1]
    thread = parse_thread_id(body[1:])
    if op not in (b"g", b"c") or thread is None:
        return None
    return SetThread(op.decode(), thread)


def parse_T(body: bytes) -> Thread | None:
    thread = parse_thread_id(body)
    return None if thread is None or thread <= 0 else Thread(thread)


def parse_qThreadExtraInfo(body: bytes) -> Thread | None:
    if not body.startswith(b","):
        return None
    return parse_T(body[1:])


def parse_qXfer_read(body: bytes) -> XferRead | None:
    """After ``qXfer:``: ``OBJECT:read:ANNEX:OFFSET,LENGTH``."""
    parts = body.split(b":")
    if len(parts) != 4 or parts[1] != b"read":
        return None
    al = _addr_length(parts[3])
    if al is None:
        return None
    try:
        obj, annex = parts[0].decode("ascii"), parts[2].decode("ascii")
    except UnicodeDecodeError:
        return None
    return XferRead(obj, annex, al[0], al[1])


def parse_qRcmd(body: bytes) -> Rcmd | None:
    if not body.startswith(b","):
        return None
    raw = parse_hex_bytes(body[1:])
    if raw is None:
        return None
    return Rcmd(raw.decode("utf-8", "replace"))


def parse_D(body: bytes) -> Detach | None:
    if not body:
        return Detach(None)
    pid = parse_hex(body[1:]) if body.startswith(b";") else None
    return None if pid is None else Detach(pid)


def parse_vRun(body: bytes) -> Run | None:
    if not body.startswith(b";"):
        return None
    args = []
    for field in body[1:].split(b";"):
        arg = parse_hex_bytes(field)
        if arg is None:
            return None
        args.append(arg)
    return Run(tuple(args))


def parse_R(body: bytes) -> NoArgs | None:
    return NoArgs() if not body or parse_hex(body, 0xFF) is not None else None


# -- the prefix table -----------------------------------------------------------------
Parser = Callable[[bytes], Optional[tuple]]


class Entry(NamedTuple):
    prefix: bytes
    name: str  # the handler's name for this packet
    parse: Parser
    exact: bool = False  # the packet is exactly `prefix` (so ``qCRC`` is not ``qC``)


# Grouped by extension, as the handlers are. Each name is a packet name.
PACKETS: Tuple[Entry, ...] = (
    # base protocol and connection
    Entry(b"qSupported", "qSupported", parse_qSupported),
    Entry(b"QStartNoAckMode", "QStartNoAckMode", parse_no_args, exact=True),
    Entry(b"?", "?", parse_no_args, exact=True),
    Entry(b"!", "!", parse_no_args, exact=True),
    Entry(b"qAttached", "qAttached", parse_any),
    Entry(b"qSymbol:", "qSymbol", parse_any),
    Entry(b"D", "D", parse_D),
    Entry(b"k", "k", parse_any),
    Entry(b"vKill;", "vKill", parse_any),
    Entry(b"R", "R", parse_R),
    Entry(b"vRun", "vRun", parse_vRun),
    # registers
    Entry(b"g", "g", parse_no_args, exact=True),
    Entry(b"G", "G", parse_G),
    Entry(b"p", "p", parse_p),
    Entry(b"P", "P", parse_P),
    # memory
    Entry(b"m", "m", parse_m),
    Entry(b"M", "M", parse_M),
    Entry(b"X", "X", parse_X),
    # breakpoints and watchpoints
    Entry(b"Z", "Z", parse_Z),
    Entry(b"z", "z", parse_z),
    # resuming
    Entry(b"c", "c", parse_c),
    Entry(b"s", "s", parse_s),
    Entry(b"C", "C", parse_C),
    Entry(b"S", "S", parse_S),
    Entry(b"vCont?", "vCont?", parse_no_args, exact=True),
    Entry(b"vCont", "vCont", parse_vCont),
    # threads
    Entry(b"H", "H", parse_H),
    Entry(b"T", "T", parse_T),
    Entry(b"qC", "qC", parse_no_args, exact=True),
    Entry(b"qfThreadInfo", "qfThreadInfo", parse_no_args, exact=True),
    Entry(b"qsThreadInfo", "qsThreadInfo", parse_no_args, exact=True),
    Entry(b"qThreadExtraInfo", "qThreadExtraInfo", parse_qThreadExtraInfo),
    # object transfers
    Entry(b"qXfer:", "qXfer:read", parse_qXfer_read),
    # monitor
    Entry(b"qRcmd", "qRcmd", parse_qRcmd),
)

# Packets whose data is binary (escaped, not run-length encoded) on the way in.
BINARY_PREFIXES: Tuple[bytes, ...] = (b"X", b"vFile:pwrite:", b"vFlashWrite:")


def _build_index(entries: Tuple[Entry, ...]) -> Dict[int, List[Entry]]:
    index: Dict[int, List[Entry]] = {}
    for entry in entries:
        index.setdefault(entry.prefix[0], []).append(entry)
    for bucket in index.values():
        bucket.sort(key=lambda e: -len(e.prefix))
    return index


_INDEX = _build_index(PACKETS)


_MEMO: Dict[bytes, Tuple[str, tuple | None] | None] = {}
_MEMO_LIMIT = 4096
_MEMO_LEN = 64


def lookup(data: bytes) -> Tuple[str, tuple | None] | None:
    """(handler name, parsed packet or None if malformed); None for an unknown packet.

    Parsed packets are immutable, so short ones are remembered: gdb sends the
    same few (``vCont;s:1``, ``g``, ``m...,4``) over and over while stepping.
    """
    if len(data) <= _MEMO_LEN:
        try:
            return _MEMO[data]
        except KeyError:
            pass
        found = _lookup(data)
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[data] = found
        return found
    return _lookup(data)


def _lookup(data: bytes) -> Tuple[str, tuple | None] | None:
    if not data:
        return None
    for entry in _INDEX.get(data[0], ()):
        if data == entry.prefix if entry.exact else data.startswith(entry.prefix):
            return entry.name, entry.parse(data[len(entry.prefix) :])
    return None
