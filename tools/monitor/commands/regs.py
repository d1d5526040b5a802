"""`regs [HART]`: the integer registers, pc and privilege of one hart."""

from __future__ import annotations

from typing import Any, Dict

from trapscope.tools.monitor.hartinfo import GPR_NAMES, PRIV_NAMES, check_hart
from trapscope.tools.monitor.registry import Command, command, parse_int


@command
class Regs(Command):
    name = "regs"
    summary = "integer registers, pc and privilege of a hart (default: the selected one)"
    description = "Registers by ABI name (x0-x31), then pc and the privilege level."
    json_output = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("hart", nargs="?", help="hart number (default: gdb's selected thread)")

    def run(self, ctx, args) -> Dict[str, Any]:
        debug = ctx.debug
        hart = ctx.session.hart if args.hart is None else parse_int(args.hart, "hart")
        check_hart(debug, hart)
        regs: Dict[str, Any] = {"hart": hart}
        for i, name in enumerate(GPR_NAMES):
            regs[name] = debug.read_gpr(hart, i)
        regs["pc"] = debug.read_pc(hart)
        regs["priv"] = PRIV_NAMES.get(debug.read_priv(hart), "?")
        return regs

    def format(self, regs: Dict[str, Any]) -> str:
        lines = [f"hart {regs['hart']}, {regs['priv']}-mode, pc {regs['pc']:#018x}"]
        cells = [f"{name:>4} {regs[name]:#018x}" for name in GPR_NAMES]
        for i in range(0, len(cells), 4):
            lines.append("  ".join(cells[i : i + 4]))
        return "\n".join(lines)
