"""The board tests' guest programs, built with the cross gcc into build/tests/board (cached)."""

from __future__ import annotations

from pathlib import Path

from trapscope.tools.demo import demo_elf
from trapscope.tools.demo.build import REPO, cross_build

SRC = Path(__file__).resolve().parent / "guests"
OUT = REPO / "build" / "tests" / "board"


def sbi_test() -> Path:
    """S-mode program exercising the built-in SBI (see guests/sbi_test.c)."""
    return cross_build("sbi_test", [SRC / "s_start.S", SRC / "patchme.S", SRC / "sbi_test.c"],
                       linker_script=SRC / "s_link.ld", out_dir=OUT)


def devices_test() -> Path:
    """M-mode program driving the devices (see guests/devices_test.c)."""
    return cross_build("devices_test", [SRC / "m_start.S", SRC / "devices_test.c"],
                       linker_script=SRC / "m_link.ld", out_dir=OUT)


def htif_test() -> Path:
    """M-mode program talking HTIF (see guests/htif_test.c)."""
    return cross_build("htif_test", [SRC / "m_start.S", SRC / "htif_test.c"],
                       linker_script=SRC / "m_link.ld", out_dir=OUT)


def reboot_test() -> Path:
    """M-mode program that prints "boot" and asks the syscon for a reset."""
    return cross_build("reboot_test", [SRC / "reboot_test.S"], linker_script=SRC / "m_link.ld", out_dir=OUT)


def too_high() -> Path:
    """An ELF linked at 0x90000000: beyond 128 MiB of RAM."""
    return cross_build("too_high", [SRC / "reboot_test.S"], linker_script=SRC / "high_link.ld", out_dir=OUT)


def demo() -> Path:
    """The bundled demo (S-mode, prints from every hart, powers off)."""
    return demo_elf()


def parse_report(text: str) -> dict:
    """{name: value} from the guests' "name value" lines (values int when they parse)."""
    out = {}
    for line in text.splitlines():
        name, _, value = line.strip().partition(" ")
        try:
            out[name] = int(value)
        except ValueError:
            out[name] = value
    return out


def echo() -> Path:
    """S-mode console echo (see guests/echo.c)."""
    return cross_build("echo", [SRC / "s_start.S", SRC / "echo.c"], linker_script=SRC / "s_link.ld", out_dir=OUT)
