"""The difftest report as text: what was compared, what was synchronised, the verdict."""

from __future__ import annotations

from typing import List

from trapscope.tools.difftest import regs as R
from trapscope.tools.difftest.model import Report

SHOWN_SYNCS = 8


def disassemble(bits: int, pc: int) -> str:
    """One instruction (2 or 4 bytes of `bits`) as text, by capstone."""
    import capstone

    md = capstone.Cs(capstone.CS_ARCH_RISCV, capstone.CS_MODE_RISCV64 | capstone.CS_MODE_RISCVC)
    size = 4 if bits & 3 == 3 else 2
    for insn in md.disasm((bits & ((1 << (8 * size)) - 1)).to_bytes(size, "little"), pc, 1):
        return f"{insn.mnemonic} {insn.op_str}".strip()
    return f".{'word' if size == 4 else 'half'} {bits & ((1 << (8 * size)) - 1):#x}"


def _value(v: int | None) -> str:
    return "(none)" if v is None else f"{v:#018x}"


def render(report: Report) -> str:
    """The whole report; its last line is the verdict with the instruction count reached."""
    opt = report.options
    out: List[str] = [
        f"difftest: {opt.elf} (--bios {opt.bios}) on qemu-system-riscv64 and trapscope, 1 hart",
        *(["firmwares differ (QEMU's OpenSBI, trapscope's built-in SBI): S- and U-mode "
           "instructions only, counted from the S-mode entry"] if opt.firmware_hidden else []),
        f"compared: the pc of every instruction; {', '.join(_groups(report.compared))} "
        f"at {report.checkpoints} checkpoints (about every {opt.interval} instructions)",
        f"not compared (they follow each machine's clock): {', '.join(R.NOT_COMPARED)}",
    ]
    out += _syncs(report)
    out += _verdict(report)
    return "\n".join(out)


def _groups(names: List[str]) -> List[str]:
    csrs = [n for n in names if n not in R.GPR_NAMES and n not in R.FPR_NAMES and n not in ("pc", "priv")]
    groups = ["pc", "priv"] if "priv" in names else ["pc"]
    groups += ["x1-x31"] + (["f0-f31"] if "ft0" in names else [])
    return groups + [f"{len(csrs)} CSRs ({' '.join(csrs)})"]


WHY = {"counter": "counter read", "sbi": "SBI call result", "entry": "register at the S-mode entry"}
WHY_MANY = {"counter": "counter reads", "sbi": "SBI call results", "entry": "registers at the S-mode entry"}


def _syncs(report: Report) -> List[str]:
    syncs = report.syncs
    if not syncs:
        return ["values synchronised: none"]
    kinds = ", ".join(f"{WHY_MANY[w]}: {sum(1 for s in syncs if s.why == w)}" for w in WHY
                      if any(s.why == w for s in syncs))
    out = [f"values synchronised (trapscope's register set to QEMU's): {kinds}"]
    for s in syncs[:SHOWN_SYNCS]:
        name = R.GPR_NAMES[s.rd] if s.rd < 32 else R.FPR_NAMES[s.rd - 32]
        out.append(f"  {WHY[s.why]} at instruction {s.index}, pc {s.pc:#x}: {name} = "
                   f"{s.value:#x} (trapscope had {s.ours:#x})")
    if len(syncs) > SHOWN_SYNCS:
        out.append(f"  ... and {len(syncs) - SHOWN_SYNCS} more")
    return out


def _verdict(report: Report) -> List[str]:
    d = report.divergence
    total = report.trace_length
    if d is None and report.ended == "limit":
        return [f"result: CLEAN up to the limit: reached instruction {report.reached} "
                f"(--max-insns {report.options.max_insns}); the program goes on"]
    if d is None:
        if report.qemu_exit == report.our_exit:
            return [f"result: CLEAN: reached instruction {report.reached} of {total}; "
                    f"both exited with status {report.qemu_exit}"]
        return [f"result: DIVERGENCE at the end: reached instruction {report.reached}; QEMU exited "
                f"with status {report.qemu_exit}, trapscope with {report.our_exit}"]
    out = [f"result: DIVERGENCE at instruction {d.index} (reached {report.reached} of {total}): {d.what}",
           f"  after pc {d.insn_pc:#x}: {disassemble(d.insn_bits, d.insn_pc)}  ({d.insn_bits:#010x})"]
    if d.differing:
        out.append(f"  {'register':10} {'QEMU':>18}  {'trapscope':>18}")
        out += [f"  {name:10} {_value(q)}  {_value(o)}" for name, q, o in d.differing]
    return out
