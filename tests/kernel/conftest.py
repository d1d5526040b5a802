"""Fixtures for the kernel tests: the built kernel images (cached by content)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from trapscope.kernel.build import build_kernel  # noqa: E402


@pytest.fixture(scope="session")
def kernel_elf() -> Path:
    """The fixed kernel with the repo's test programs."""
    return build_kernel()
