"""`trapscope run` end to end: real processes, real guests, exit statuses and error lines."""

import re
import subprocess
import sys

import pytest

from . import guests

TRAPSCOPE = [sys.executable, "-m", "trapscope.tools.cli"]
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic"


def run(*args, stdin=b"", timeout=300):
    res = subprocess.run([*TRAPSCOPE, "run", *map(str, args)], input=stdin, capture_output=True,
                         timeout=timeout, check=False)
    return res.returncode, res.stdout.decode(errors="replace"), res.stderr.decode(errors="replace")


def assert_one_line_error(status, err, fragment):
    assert status == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("trapscope run: error: "), err
    assert fragment in lines[0]


def test_demo_runs_and_powers_off():
    status, out, err = run("--smp", "3", guests.demo())
    assert status == 0, err
    assert "=== trapscope demo" in out
    assert "hart 0 booted in S-mode, device tree at 0x87e00000" in out
    assert "SBI v2.0 from trapscope built-in SBI, console through DBCN" in out
    assert "hello from hart 1" in out and "hello from hart 2" in out
    assert out.rstrip().endswith("powering off through SBI SRST")


def test_stats():
    status, _, err = run("--stats", guests.demo())
    assert status == 0
    m = re.search(r"(\d+) instructions in ([\d.]+) s, ([\d.]+) MIPS", err)
    assert m and int(m.group(1)) > 1000


def test_max_insns():
    status, out, err = run("--max-insns", "5000", guests.demo())
    assert status == 124
    m = re.search(r"stopped at the --max-insns limit \(5000\) after (\d+) instructions retired", err)
    assert m and 4000 < int(m.group(1)) <= 5000, err


def test_htif_exit_code_and_output():
    status, out, err = run("--bios", "none", guests.htif_test())
    assert status == 3, err
    assert out == "htif says hello\n6\n"


def test_bios_none_with_stdin_and_drive(tmp_path):
    image = tmp_path / "d.img"
    image.write_bytes(b"sector zero".ljust(512, b"\0") + b"sector one says hi".ljust(1536, b"\0"))
    status, out, err = run("--bios", "none", "--drive", image, guests.devices_test(), stdin=b"abcd")
    assert status == 0, err
    assert "uart_rx_text abcd" in out and "blk_read_text sector one says hi" in out


def test_serial_to_file(tmp_path):
    path = tmp_path / "serial.txt"
    status, out, err = run("--serial", f"file:{path}", guests.demo())
    assert status == 0, err
    assert out == ""
    assert "hello from hart 1" in path.read_text()


@pytest.mark.parametrize("firmware", ["fw_jump.elf", "fw_dynamic.elf"])
def test_opensbi_boots_the_demo(firmware):
    status, out, err = run("--bios", f"{OPENSBI}/{firmware}", "--smp", "2", guests.demo(), timeout=600)
    assert status == 0, err
    assert "OpenSBI v1.1" in out
    assert "Platform Name             : riscv-virtio,trapscope" in out
    assert "Domain0 Next Address      : 0x0000000080200000" in out
    fdt = {"fw_jump.elf": 0x8220_0000, "fw_dynamic.elf": 0x87E0_0000}[firmware]  # fw_jump moves it
    assert f"Domain0 Next Arg1         : {fdt:#018x}" in out
    assert "SBI v1.0 from OpenSBI, console through legacy putchar" in out
    assert "hello from hart" in out
    assert out.rstrip().endswith("powering off through SBI SRST")


@pytest.mark.parametrize("args, fragment", [
    (["/no/such.elf"], "no such ELF file: /no/such.elf"),
    (["/bin/true"], "RISC-V"),
    (["--smp", "0"], "--smp must be between 1 and 64"),
    (["--smp", "65"], "--smp must be between 1 and 64"),
    (["--mem", "1"], "--mem must be between 8 and 4096 MiB"),
    (["--serial", "bogus"], "bad --serial value 'bogus'"),
    (["--drive", "/no/disk.img"], "no such disk image: /no/disk.img"),
    (["--bios", "/no/fw.elf"], "no such firmware file: /no/fw.elf"),
    (["--bios", "none"], "--bios none needs an ELF"),
    (["--serial", "file:/no/such/dir/out.txt"], "cannot open --serial file:/no/such/dir/out.txt"),
])
def test_bad_input_gives_one_line(args, fragment):
    status, out, err = run(*args)
    assert_one_line_error(status, err, fragment)


def test_elf_that_does_not_fit():
    status, _, err = run(guests.too_high())
    assert_one_line_error(status, err, "")
    assert "0x90000000" in err or "fit" in err


def test_bad_dtb(tmp_path):
    bad = tmp_path / "bad.dtb"
    bad.write_bytes(b"not a device tree")
    status, _, err = run("--dtb", bad, guests.demo())
    assert_one_line_error(status, err, "bad magic")


def test_argparse_errors_are_short():
    status, _, err = run("--mem", "lots")
    assert status == 2 and "Traceback" not in err and "invalid int value" in err
    status, _, err = run("--max-insns", "0")
    assert status == 2 and "must be a positive number" in err


def test_no_elf_runs_the_default_kernel(capfd):
    """With no ELF, run (and serve) boot kernel/build/kernel.elf, built first
    when a fresh clone has none."""
    from trapscope.kernel.build import KERNEL_ELF
    from trapscope.tools import cli, machine_opts
    assert machine_opts.default_program() == KERNEL_ELF and KERNEL_ELF.exists()
    assert cli.main(["run", "--serial", "stdio", "--append", "init=/bin/true 5"]) == 5
    out = capfd.readouterr().out
    assert "trapscope kernel (boot hart" in out and "init exited with status 5" in out
