"""The bundled demo: a bare S-mode program that greets from every hart and powers off.

`trapscope run` and `serve` run it when no ELF is given and the kernel has
not been built yet. Its sources live here and are built with the cross gcc
on first use (see `build.py`).
"""

from __future__ import annotations

from pathlib import Path

from trapscope.tools.demo.build import cross_build

HERE = Path(__file__).resolve().parent


def demo_elf() -> Path:
    """The demo's ELF, built on first use."""
    return cross_build("demo", [HERE / "start.S", HERE / "demo.c"], linker_script=HERE / "link.ld")
