"""`x ADDR [LEN]`: a hex dump of memory, virtual (the selected hart's MMU) or physical."""

from __future__ import annotations

from trapscope.machine.debug import MemoryFault
from trapscope.tools.monitor.registry import Command, MonitorError, command, parse_int

MAX_LEN = 0x10000


@command
class Examine(Command):
    name = "x"
    summary = "hex dump of memory: x ADDR [LEN] [--phys]"
    description = (
        "Dump LEN bytes (default 64) at ADDR, through the selected hart's current "
        "translation, or physically with --phys (or when 'phys on' is in effect)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("addr", help="address (0x... or decimal)")
        parser.add_argument("length", nargs="?", default="64", help="bytes to dump (default 64)")
        parser.add_argument("--phys", action="store_true", help="ADDR is a physical address")

    def run(self, ctx, args) -> None:
        addr = parse_int(args.addr, "address")
        length = parse_int(args.length, "length")
        if not 0 < length <= MAX_LEN or not 0 <= addr < 1 << 64:
            raise MonitorError(f"x: the address must fit 64 bits and the length be 1-{MAX_LEN:#x}")
        length = min(length, (1 << 64) - addr)
        physical = args.phys or ctx.session.physical
        data = ctx.debug.read_memory(ctx.session.hart, addr, length, physical=physical)
        if isinstance(data, MemoryFault):
            data = self._readable_prefix(ctx, addr, data, physical)
        for offset in range(0, len(data), 16):
            ctx.writeln(_line(addr + offset, data[offset : offset + 16]))

    @staticmethod
    def _readable_prefix(ctx, addr: int, fault: MemoryFault, physical: bool) -> bytes:
        good = fault.addr - addr
        head = b""
        if good > 0:
            read = ctx.debug.read_memory(ctx.session.hart, addr, good, physical=physical)
            head = b"" if isinstance(read, MemoryFault) else read
        for offset in range(0, len(head), 16):
            ctx.writeln(_line(addr + offset, head[offset : offset + 16]))
        kind = "physical" if physical else "virtual"
        raise MonitorError(f"x: cannot read {kind} address {fault.addr:#x}: {fault.reason}")


def _line(addr: int, chunk: bytes) -> str:
    hexes = " ".join(f"{b:02x}" for b in chunk)
    text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
    return f"{addr:#018x}: {hexes:<47}  |{text}|"
