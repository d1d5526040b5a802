"""Fixtures of the console tests: the echo guest, built once per run."""

from __future__ import annotations

import pytest

from tests.console.harness import build_console_guest


@pytest.fixture(scope="session")
def console_guest():
    return build_console_guest()
