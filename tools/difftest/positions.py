"""How the two machines are positioned: by instruction index along QEMU's trace.

An index is a position in QEMU's recorded trace: at index i a machine is
about to execute trace[i] (index 0 is the first instruction after reset).
Both sides move forward the same way, so they agree on what an index means
without having to agree on how they count instructions: to reach index j
they stop at the k-th arrival at the pc trace[j] after their current index,
where k is how often that pc occurs in the trace up to j (`arrivals`), and
they single-step off a breakpoint they sit on. While both follow the trace
they land on the same instruction; when one does not, its state (or its
pc) differs from QEMU's there.
"""

from __future__ import annotations

from typing import Dict, List

from trapscope.tools.difftest.trace import Trace


class DesyncError(Exception):
    """A machine did not arrive where the trace says it must (the message says where)."""


def arrivals(trace: Trace, start: int, end: int) -> List[int]:
    """The indexes in (start, end] where trace[end]'s pc is executed."""
    pcs = trace.pcs
    target = pcs[end]
    return [k for k in range(start + 1, end + 1) if pcs[k] == target]


CHEAP_HITS = 4  # breakpoint stops a checkpoint may cost (about 0.5 ms each on QEMU)


def choose_checkpoint(trace: Trace, start: int, interval: int, end: int) -> int:
    """The next index to compare at: the latest one in (start, start + interval]
    that QEMU reaches with at most CHEAP_HITS breakpoint stops, unless that is
    in the window's first half (a hot loop): then the first cheap index after
    the window (or `end`), so a loop is crossed in one go."""
    pcs = trace.pcs
    seen: Dict[int, int] = {}
    best = None
    limit = min(end, start + interval)
    half = start + interval // 2
    for k in range(start + 1, end + 1):
        hits = seen.get(pcs[k], 0) + 1
        seen[pcs[k]] = hits
        if hits <= CHEAP_HITS:
            if k <= limit:
                best = k
            elif best is None or best < half:
                return k
            else:
                break
        elif k >= limit and best is not None and best >= half:
            break
    return end if best is None else best
