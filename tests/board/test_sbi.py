"""The built-in SBI, exercised by a real S-mode program (guests/sbi_test.c) on 2 harts."""

import pytest
from trapscope.machine.board import Machine
from trapscope.machine.config import MachineConfig, fdt_address
from trapscope.machine.debug import StopReason

from . import guests

BUDGET = 6_000_000


def run_sbi_test(exit_reason=0):
    elf = guests.sbi_test()
    machine = Machine(MachineConfig(kernel=str(elf), smp=2))
    out = []
    machine.uart.output_listeners.append(out.append)
    machine.uart.inject(b"ping")
    addr = machine.program.symbols["exit_reason"]
    machine.bus.write_bytes(addr, exit_reason.to_bytes(8, "little"))
    try:
        stop = machine.run(max_insns=BUDGET)
    finally:
        machine.close()
    return stop, b"".join(out).decode(errors="replace")


@pytest.fixture(scope="module")
def report():
    stop, text = run_sbi_test()
    assert stop.reason is StopReason.EXITED, text
    assert stop.exit_code == 0
    assert "done" in text.splitlines(), text
    return guests.parse_report(text), text


def test_entry_state(report):
    r, _ = report
    assert r["boot_hart"] == 0
    assert r["boot_fdt"] == fdt_address(128 << 20)


def test_base(report):
    r, _ = report
    assert r["spec_version"] == 2 << 24
    assert r["impl_id"] == 0x7473
    assert r["probe_known"] == 8
    assert r["probe_unknown"] == 0
    assert r["unknown_ext_error"] == -2
    assert r["base_bad_fid_error"] == -2
    assert r["mvendorid_error"] == 0


def test_hsm_start_resets_the_hart_but_not_the_lines_devices_drive(report):
    r, _ = report
    assert r["hsm_entry_seip"] == 1  # the PLIC's line into hart 1 survived its start
    assert r["hsm_restart_seip"] == 0  # and follows the PLIC once the route is off
    assert r["hsm_restart_s11"] == 0  # registers the last run left are cleared


def test_time(report):
    r, _ = report
    assert r["timer_hits"] == 1
    assert r["stip_after_set_timer"] == 0
    assert r["legacy_timer_hits"] == 2


def test_the_s_timer_interrupt_the_firmware_raises_is_taken_at_once(report):
    # the M timer interrupt at the deadline becomes STIP; the running hart takes it
    # within the few instructions its trap handler runs before reading `time`
    r, _ = report
    assert 0 <= r["timer_latency_worst"] < 100, r["timer_latency_worst"]


def test_ipi(report):
    r, _ = report
    assert r["ipi_self_error"] == 0
    assert r["ipi_self_hits"] == 1
    assert r["ipi_bad_hart"] == -3
    assert r["ipi_all_error"] == 0
    assert r["ipi_all_hits"] == 2


def test_hsm(report):
    r, text = report
    assert r["hsm_status1_before"] == 1  # STOPPED until started
    assert r["hsm_start1"] == 0
    assert r["hsm_secondary_a0"] == 1
    assert r["hsm_secondary_a1"] == 0x1234
    assert r["ipi_from_hart1"] == 1
    assert r["hsm_restart1"] == 0 and r["hsm_restart_a1"] == 0x5678
    assert r["hsm_status0"] == 0
    assert r["hsm_start_running"] == -6  # ALREADY_AVAILABLE
    assert r["hsm_start_bad_hart"] == -3
    assert r["hsm_start_bad_addr"] == -5
    assert r["hsm_status_bad_hart"] == -3
    assert r["hsm_suspend_retentive"] == 0
    assert r["hsm_suspend_reserved"] == -3
    assert "hsm_stop_returned" not in r


def test_rfence_reaches_the_harts(report):
    r, _ = report
    assert r["rfence_i_error"] == 0
    assert (r["patched_before"], r["patched_after"]) == (1, 2)
    assert r["rfence_hfence_error"] == -2
    assert r["rfence_bad_hart"] == -3
    assert r["sfence_mapped_a"] == 0xAAAA
    assert r["rfence_sfence_error"] == 0
    assert r["sfence_mapped_b"] == 0xBBBB


def test_console(report):
    r, text = report
    assert "dbcn says hi\ndbcn_write 13\n!\n" in text
    assert r["dbcn_write"] == 13
    assert r["dbcn_read"] == 3
    assert r["dbcn_read_text"] == "pin"
    assert r["legacy_getchar"] == ord("g")
    assert r["legacy_getchar_empty"] == -1
    assert r["dbcn_bad_addr"] == -3


def test_srst(report):
    r, _ = report
    assert r["srst_bad_type"] == -3
    assert "srst_returned" not in r


def test_srst_system_failure_exits_1():
    stop, text = run_sbi_test(exit_reason=1)
    assert stop.reason is StopReason.EXITED and stop.exit_code == 1, text


def test_srst_reboot_runs_the_program_again():
    stop, text = run_sbi_test(exit_reason=2)
    assert stop.reason is StopReason.EXITED and stop.exit_code == 0, text
    assert text.count("boot_hart 0\n") == 2 and text.count("done\n") == 2
    assert text.count("hsm_start1 0\n") == 2  # hart 1 was stopped again by the reset
