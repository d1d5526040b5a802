"""`harts`: per hart, its state, privilege, pc, satp, tp and sscratch."""

from __future__ import annotations

from typing import Any, Dict, List

from trapscope.tools.monitor.hartinfo import PRIV_NAMES, csr_numbers
from trapscope.tools.monitor.registry import Command, command

_CSRS = ("satp", "sscratch")


@command
class Harts(Command):
    name = "harts"
    summary = "every hart: run state, privilege, pc, satp, tp, sscratch"
    description = "One line per hart. In kernel mode tp usually holds the hart's per-CPU pointer."
    json_output = True

    def run(self, ctx, args) -> List[Dict[str, Any]]:
        debug = ctx.debug
        numbers = csr_numbers(debug)
        rows = []
        for hart in range(debug.nharts):
            row: Dict[str, Any] = {
                "hart": hart,
                "state": debug.hart_state(hart).value,
                "priv": PRIV_NAMES.get(debug.read_priv(hart), "?"),
                "pc": debug.read_pc(hart),
            }
            for name in _CSRS:
                row[name] = debug.read_csr(hart, numbers[name]) if name in numbers else None
            row["tp"] = debug.read_gpr(hart, 4)
            rows.append(row)
        return rows

    def format(self, rows: List[Dict[str, Any]]) -> str:
        lines = [f"{'hart':<5}{'state':<9}{'priv':<5}{'pc':<20}{'satp':<20}{'tp':<20}sscratch"]
        for r in rows:
            lines.append(f"{r['hart']:<5}{r['state']:<9}{r['priv']:<5}{_hex(r['pc']):<20}"
                         f"{_hex(r['satp']):<20}{_hex(r['tp']):<20}{_hex(r['sscratch'])}")
        return "\n".join(lines)


def _hex(value) -> str:
    return "-" if value is None else f"{value:#018x}"
