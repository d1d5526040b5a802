"""The RSP benchmark runs end to end (a smoke run: it measures, nothing asserts on speed)."""

from __future__ import annotations

import json

from trapscope.tools.bench import rsp


def test_the_rsp_benchmark_measures_both_stubs(capsys):
    status = rsp.main(["--steps", "30", "--g-count", "30", "--read-bytes", str(1 << 17),
                       "--stepi", "5", "--rounds", "1", "--json"])
    assert status == 0
    figures = json.loads(capsys.readouterr().out)
    for stub in ("qemu", "trapscope"):
        for key in ("steps_per_s", "g_us", "read_mb_s", "gdb_stepi_per_s"):
            assert figures[stub][key] > 0, (stub, key)
    assert figures["trapscope"]["read_chunk"] > figures["qemu"]["read_chunk"]


def test_the_table_names_every_figure():
    figures = {"steps_per_s": 1.0, "g_us": 2.0, "read_mb_s": 3.0, "gdb_stepi_per_s": 4.0,
               "read_chunk": 2048}
    text = rsp.table(figures, {**figures, "read_chunk": 65536})
    assert text.count("\n| ") == 4 and "1.00x" in text and "65536 bytes (trapscope)" in text
