"""Reading harts for monitor commands: names, privilege, CSRs by name."""

from __future__ import annotations

from typing import Dict

from trapscope.machine.debug import Debug
from trapscope.rspserver.riscv import GPR_NAMES, PRIV_NAMES
from trapscope.tools.monitor.registry import MonitorError

__all__ = ["GPR_NAMES", "PRIV_NAMES", "check_hart", "csr_numbers", "read_csr_named"]


def csr_numbers(debug: Debug) -> Dict[str, int]:
    """CSR name -> number, for the CSRs the machine implements."""
    return {name: number for number, name in debug.csrs()}


def read_csr_named(debug: Debug, hart: int, name: str) -> int | None:
    """A CSR by name, or None if the machine lacks it."""
    number = csr_numbers(debug).get(name)
    return None if number is None else debug.read_csr(hart, number)


def check_hart(debug: Debug, hart: int) -> int:
    """`hart` if it exists; MonitorError otherwise."""
    if not 0 <= hart < debug.nharts:
        raise MonitorError(f"no hart {hart} (this machine has harts 0-{debug.nharts - 1})")
    return hart
