"""`catch trap CAUSE...|none`: stop at trap entry for chosen causes.

gdb cannot step into a trap (its stepi steps over an ecall, and the whole
trap runs), so the machine itself stops just before taking a trap whose
cause is caught; gdb then shows the hart at the trapping instruction.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Set, Tuple

from trapscope.rspserver.riscv import EXCEPTION_NAMES, INTERRUPT_NAMES
from trapscope.tools.monitor.registry import Command, MonitorError, command, parse_int

_EXC_BY_NAME = {name: code for code, name in EXCEPTION_NAMES.items()}
_INT_BY_NAME = {name: code for code, name in INTERRUPT_NAMES.items()}
GROUPS: Dict[str, Tuple[FrozenSet[int], FrozenSet[int]]] = {
    "ecall": (frozenset({8, 9, 11}), frozenset()),
    "page-fault": (frozenset({12, 13, 15}), frozenset()),
    "access-fault": (frozenset({1, 5, 7}), frozenset()),
    "misaligned": (frozenset({0, 4, 6}), frozenset()),
    "exceptions": (frozenset(EXCEPTION_NAMES), frozenset()),
    "interrupts": (frozenset(), frozenset(INTERRUPT_NAMES)),
}
STATE_KEY = "catch.trap"


def parse_causes(words: List[str]) -> Tuple[FrozenSet[int], FrozenSet[int]]:
    """(exception codes, interrupt codes) named by `words`; MonitorError if one is unknown."""
    exceptions: Set[int] = set()
    interrupts: Set[int] = set()
    for word in words:
        if word in _EXC_BY_NAME:
            exceptions.add(_EXC_BY_NAME[word])
        elif word in _INT_BY_NAME:
            interrupts.add(_INT_BY_NAME[word])
        elif word in GROUPS:
            exceptions |= GROUPS[word][0]
            interrupts |= GROUPS[word][1]
        elif word.startswith(("int:", "irq:")):
            interrupts.add(_code(word[4:], word))
        else:
            exceptions.add(_code(word, word))
    return frozenset(exceptions), frozenset(interrupts)


def _code(text: str, word: str) -> int:
    try:
        code = parse_int(text)
    except MonitorError:
        raise MonitorError(f"catch: unknown trap cause '{word}' ('help catch' lists them)") from None
    if not 0 <= code < 64:
        raise MonitorError(f"catch: cause code out of range: {word}")
    return code


def describe(exceptions: FrozenSet[int], interrupts: FrozenSet[int]) -> str:
    names = [f"{EXCEPTION_NAMES.get(c, 'exception')} ({c})" for c in sorted(exceptions)]
    names += [f"{INTERRUPT_NAMES.get(c, 'interrupt')} (int:{c})" for c in sorted(interrupts)]
    return ", ".join(names) if names else "nothing"


@command
class Catch(Command):
    name = "catch"
    summary = "stop at trap entry: catch trap CAUSE...|none"
    description = (
        "Stop every hart just before one takes a trap with a chosen cause (gdb's stepi "
        "cannot step into a trap). 'catch trap' shows what is caught; 'catch trap none' "
        "stops catching; otherwise the causes given replace the caught set. Causes: "
        + ", ".join(EXCEPTION_NAMES.values()) + "; interrupts: " + ", ".join(INTERRUPT_NAMES.values())
        + "; groups: " + ", ".join(GROUPS) + "; or numbers (8 = exception code 8, int:5 = interrupt 5)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["trap"])
        parser.add_argument("causes", nargs="*", metavar="CAUSE")

    def completions(self) -> List[str]:
        return ["trap", "none", *EXCEPTION_NAMES.values(), *INTERRUPT_NAMES.values(), *GROUPS]

    def run(self, ctx, args) -> None:
        if args.causes:
            if args.causes == ["none"]:
                caught = (frozenset(), frozenset())
            else:
                caught = parse_causes(args.causes)
            ctx.debug.catch_traps(*caught)
            ctx.state[STATE_KEY] = caught
        exceptions, interrupts = ctx.state.get(STATE_KEY, (frozenset(), frozenset()))
        ctx.writeln(f"stopping at trap entry for: {describe(exceptions, interrupts)}")
