"""A real M-mode driver (guests/devices_test.c) on the board and on QEMU: same transcript."""

import subprocess

import pytest
from trapscope.machine.board import Machine
from trapscope.machine.config import MachineConfig
from trapscope.machine.debug import StopReason

from . import guests

BUDGET = 2_000_000


def make_image(path):
    data = bytearray(b"".join(bytes([i]) * 512 for i in range(4)))
    data[512:532] = b"sector one says hi\0\0"
    path.write_bytes(bytes(data))
    return path


def run_on_board(elf, image, exit_code=0):
    machine = Machine(MachineConfig(kernel=str(elf), bios="none", smp=2, drive=str(image)))
    out = []
    machine.uart.output_listeners.append(out.append)
    machine.sched.post(lambda: machine.uart.inject(b"abcd"))
    machine.bus.write_bytes(machine.program.symbols["exit_code"], exit_code.to_bytes(8, "little"))
    try:
        stop = machine.run(max_insns=BUDGET)
    finally:
        machine.close()
    return stop, b"".join(out).decode(errors="replace")


def run_on_qemu(elf, image):
    cmd = ["qemu-system-riscv64", "-M", "virt", "-smp", "2", "-m", "128M", "-bios", "none",
           "-kernel", str(elf), "-drive", f"file={image},format=raw,if=none,id=d0",
           "-device", "virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0",
           "-global", "virtio-mmio.force-legacy=false",
           "-serial", "stdio", "-display", "none", "-monitor", "none"]
    res = subprocess.run(cmd, input=b"abcd", capture_output=True, timeout=60, check=False)
    return res.returncode, res.stdout.decode(errors="replace")


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory):
    elf = guests.devices_test()
    tmp = tmp_path_factory.mktemp("devices")
    ours_img, qemu_img = make_image(tmp / "ours.img"), make_image(tmp / "qemu.img")
    stop, ours = run_on_board(elf, ours_img)
    status, theirs = run_on_qemu(elf, qemu_img)
    return stop, ours, status, theirs, ours_img, qemu_img


def test_guest_powers_off_cleanly(transcripts):
    stop, ours, status, theirs, _, _ = transcripts
    assert stop.reason is StopReason.EXITED and stop.exit_code == 0, ours
    assert status == 0, theirs
    assert ours.endswith("done\n")


def test_same_transcript_as_qemu(transcripts):
    _, ours, _, theirs, _, _ = transcripts
    assert ours == theirs


def test_expected_values(transcripts):
    _, ours, _, _, _, _ = transcripts
    r = guests.parse_report(ours)
    assert r["rom_a0"] == 0 and r["rom_a1"] == 0x87E00000 and r["fdt_magic_ok"] == 1
    assert (r["timer_hits"], r["soft_hits"], r["msip_after"]) == (1, 1, 0)
    assert r["uart_rx_text"] == "abcd"
    assert (r["virtio_device_id"], r["virtio_empty_slot_id"], r["virtio_capacity"]) == (2, 0, 4)
    assert r["blk_read_text"] == "sector one says hi"
    assert (r["blk_write_status"], r["blk_flush_status"], r["blk_irqs_nonzero"]) == (0, 0, 1)


def test_disk_writes_match_qemus(transcripts):
    *_, ours_img, qemu_img = transcripts
    assert ours_img.read_bytes() == qemu_img.read_bytes()
    assert ours_img.read_bytes()[1024:1045] == b"written by the guest "


def test_syscon_fail_code(tmp_path):
    stop, text = run_on_board(guests.devices_test(), make_image(tmp_path / "d.img"), exit_code=42)
    assert stop.reason is StopReason.EXITED and stop.exit_code == 42, text
