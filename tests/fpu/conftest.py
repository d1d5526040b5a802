"""Fixtures for the FPU tests: one oracle process per test session."""

from __future__ import annotations

from typing import Iterator

import pytest
from fpu_oracle import Oracle, build_oracle


@pytest.fixture(scope="session")
def oracle() -> Iterator[Oracle]:
    """The real-RISC-V oracle (built on first use, cached by content hash)."""
    with Oracle(build_oracle()) as running:
        yield running
