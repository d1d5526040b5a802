"""Fixtures of the RSP tests: the guest program, built once per run."""

from __future__ import annotations

import pytest

from tests.rsp.harness import build_guest


@pytest.fixture(scope="session")
def guest_elf():
    return build_guest()
