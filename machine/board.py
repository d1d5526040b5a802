"""The `virt` board: RAM, devices, harts and firmware put together.

`Machine(config)` builds a QEMU-`virt`-compatible machine (see
`trapscope.machine.config` for the map), loads the program, the firmware
and the device tree, and leaves the harts at their reset state:
- `bios="builtin"`: the boot hart in S-mode at the ELF's entry with a0 =
  hart id and a1 = the FDT, the other harts stopped (SBI HSM starts them);
- `bios="none"`: every hart in M-mode at the reset ROM (0x1000), which
  jumps to the ELF's entry with a0 = mhartid, a1 = FDT;
- `bios=FILE`: every hart at the reset ROM, which jumps to the firmware at
  0x80000000 with a2 = fw_dynamic_info naming the ELF's entry as the next
  stage (what OpenSBI's fw_dynamic reads; fw_jump goes to 0x80200000).
An ELF with `tohost`/`fromhost` symbols gets Spike's HTIF, polled between
quanta.

The machine runs through `machine.debug` (the core's debug interface) or
`run()`; `close()` releases the serial connection, the disk image and the memory.
What the terminal's quit key (Ctrl-A x with `--serial stdio`) does belongs
to whoever owns the runs: `set_quit_action` (the default halts the run).
"""

from __future__ import annotations

from typing import Callable, List

from trapscope.machine import config as C
from trapscope.machine.bus import Bus, Memory
from trapscope.machine.config import ConfigError, MachineConfig
from trapscope.machine.debug import Debug, Stop, StopReason
from trapscope.machine.devices import IrqLine
from trapscope.machine.devices.clint import Clint
from trapscope.machine.devices.htif import Htif
from trapscope.machine.devices.plic import Plic, hart_contexts
from trapscope.machine.devices.rom import make_rom, reset_vector
from trapscope.machine.devices.serial import Backend, SerialSpecError, open_serial, parse_serial
from trapscope.machine.devices.syscon import Syscon
from trapscope.machine.devices.tree import virt_dtb
from trapscope.machine.devices.uart import Uart
from trapscope.machine.devices.virtio_blk import BlockBackend, VirtioMmio
from trapscope.machine.fdt import FdtError, total_size
from trapscope.machine.hart import Hart
from trapscope.machine.loader import LoadedElf, LoadError, load_elf
from trapscope.machine.sbi import Sbi
from trapscope.machine.sched import Scheduler

ELF_MAGIC = b"\x7fELF"


class Machine:
    """One `virt` machine: `.bus`, `.harts`, `.sched`, `.debug` and the devices."""

    def __init__(self, config: MachineConfig) -> None:
        config.validate()
        try:
            parse_serial(config.serial)
        except SerialSpecError as exc:
            raise ConfigError(str(exc)) from None
        self.config = config
        self.exit_code: int | None = None
        self._retired: int | None = None  # set by close()
        self.bus = Bus()
        self.sched = Scheduler()
        self.ram = self.bus.attach(Memory(C.DRAM_BASE, config.mem_size, name="ram"))
        self.rom = self.bus.attach(make_rom(C.MROM_BASE, C.MROM_SIZE))
        self.harts: List[Hart] = [Hart(i, self.bus, self.sched) for i in range(config.smp)]
        self._attach_devices()
        self.sbi: Sbi | None = None
        self.htif: Htif | None = None
        self.program: LoadedElf | None = None
        self.firmware: LoadedElf | None = None
        self.fdt_addr = 0
        self.serial: Backend = Backend()
        self.debug = Debug(self.bus, self.sched, reset=self.power_on)
        self._quit_action: Callable[[], object] = self.debug.request_halt
        try:
            self._boot()  # RAM and devices are fresh: nothing to clear
        except ConfigError:
            self.close()
            raise
        try:
            self.serial = open_serial(config.serial, self.uart, self.sched.post, self._quit)
        except OSError as exc:
            self.close()
            raise ConfigError(f"cannot open --serial {config.serial}: {exc.strerror or exc}") from None

    # -- building ---------------------------------------------------------
    def _attach_devices(self) -> None:
        bus, cfg = self.bus, self.config
        self.clint = bus.attach(Clint(C.CLINT_BASE, C.CLINT_DECODED, self.harts, self.sched))
        self.plic = bus.attach(Plic(C.PLIC_BASE, C.PLIC_SIZE, C.PLIC_NUM_SOURCES,
                                    C.PLIC_NUM_PRIORITIES, hart_contexts(self.harts)))
        self.uart = bus.attach(Uart(C.UART0_BASE, C.UART0_DECODED, IrqLine(self.plic.line(C.UART0_IRQ))))
        self.syscon = bus.attach(Syscon(C.TEST_BASE, C.TEST_SIZE, self._exit, self._request_reset))
        self.disk = self._open_disk(cfg.drive)
        self.virtio: List[VirtioMmio] = []
        for i in range(C.VIRTIO_COUNT):
            backend = self.disk if i == 0 else None
            irq = IrqLine(self.plic.line(C.VIRTIO_IRQ + i))
            dev = VirtioMmio(C.VIRTIO_BASE + i * C.VIRTIO_STRIDE, C.VIRTIO_DECODED, self.bus, backend, irq)
            self.virtio.append(bus.attach(dev))

    @staticmethod
    def _open_disk(path: str | None) -> BlockBackend | None:
        if path is None:
            return None
        try:
            return BlockBackend(path)
        except OSError as exc:
            raise ConfigError(f"cannot open --drive {path}: {exc.strerror}") from None

    # -- power-on ---------------------------------------------------------
    def power_on(self) -> None:
        """Clear RAM, reset the devices, load every image and reset the harts."""
        self.bus.reset()
        self._boot()

    def reboot(self) -> None:
        """A system reset (syscon, SBI SRST): like power-on, but RAM keeps its contents, as in QEMU."""
        for dev in self.bus.devices:
            dev.reset()
        self._boot()

    def _boot(self) -> None:
        """Load firmware, program and device tree (in QEMU's order) and start the harts."""
        self.exit_code = None
        cfg = self.config
        firmware_start = None
        if cfg.bios not in (C.BIOS_BUILTIN, C.BIOS_NONE):
            firmware_start = self._load_firmware(cfg.bios)
        self.program = self._load_program(cfg.kernel) if cfg.kernel else None
        self.fdt_addr = self._load_fdt()
        if cfg.bios == C.BIOS_BUILTIN:
            self._boot_builtin()
        else:
            self._boot_from_rom(firmware_start)
        self._setup_htif()

    def _load_program(self, path: str) -> LoadedElf:
        try:
            return load_elf(self.bus, path)
        except LoadError as exc:
            raise ConfigError(str(exc)) from None

    def _load_fdt(self) -> int:
        cfg = self.config
        if cfg.dtb is None:
            blob = virt_dtb(cfg.smp, cfg.mem_size, cfg.append, cfg.boot_hart)
        else:
            blob = self._read_dtb(cfg.dtb)
        addr = C.fdt_address(cfg.mem_size, len(blob))
        self.bus.write_bytes(addr, blob)
        return addr

    @staticmethod
    def _read_dtb(path: str) -> bytes:
        try:
            with open(path, "rb") as f:
                blob = f.read()
            total_size(blob)
        except OSError as exc:
            raise ConfigError(f"cannot read --dtb {path}: {exc.strerror}") from None
        except FdtError as exc:
            raise ConfigError(f"--dtb {path}: {exc}") from None
        return blob

    def _boot_builtin(self) -> None:
        if self.program is None:
            raise ConfigError("the built-in SBI needs a program (ELF) to start")
        self._write_rom(self.program.entry, self.program.entry)
        for hart in self.harts:
            hart.reset(self.program.entry)
        self.sbi = Sbi(self.harts, self.bus, self.uart, self._exit, self._request_reset)
        self.sbi.boot(self.program.entry, self.fdt_addr, self.config.boot_hart)

    def _boot_from_rom(self, firmware_start: int | None) -> None:
        self.sbi = None
        next_addr = self.program.entry if self.program else 0
        start = next_addr if firmware_start is None else firmware_start
        self._write_rom(start, next_addr)
        for hart in self.harts:
            hart.m_trap_hook = None
            hart.reset(C.MROM_BASE)
            hart.started = True

    def _load_firmware(self, path: str) -> int:
        """Load firmware (ELF, or a flat binary at DRAM_BASE); return where it starts."""
        try:
            with open(path, "rb") as f:
                head = f.read(4)
        except OSError as exc:
            raise ConfigError(f"cannot read --bios {path}: {exc.strerror}") from None
        if head == ELF_MAGIC:
            try:
                self.firmware = load_elf(self.bus, path)
            except LoadError as exc:
                raise ConfigError(f"--bios: {exc}") from None
            return C.DRAM_BASE
        with open(path, "rb") as f:
            blob = f.read()
        if len(blob) > self.config.mem_size:
            raise ConfigError(f"--bios {path} ({len(blob)} bytes) does not fit in RAM")
        self.bus.write_bytes(C.DRAM_BASE, blob)
        return C.DRAM_BASE

    def _write_rom(self, start: int, next_addr: int) -> None:
        self.bus.write_bytes(C.MROM_BASE, reset_vector(start, self.fdt_addr, next_addr), force=True)

    def _setup_htif(self) -> None:
        symbols = self.program.symbols if self.program else {}
        tohost = symbols.get("tohost")
        if tohost is None or self.htif is not None:
            if self.htif is not None and tohost is not None:
                self.htif.tohost, self.htif.fromhost = tohost, symbols.get("fromhost")
            return
        self.htif = Htif(self.bus, tohost, symbols.get("fromhost"), self._exit, self.uart.emit)
        self.sched.add_poll(self.htif.poll)

    # -- the terminal's quit key --------------------------------------------
    def set_quit_action(self, action: Callable[[], object]) -> None:
        """Choose what the terminal's quit key (Ctrl-A x, `--serial stdio`) does.

        The owner of the runs sets it once, before running: `trapscope run`
        halts the run, which ends it (the default); `trapscope serve` stops
        serving. `action()` is called in the serial reader's thread, so it must
        be thread-safe. The serial connection is left as it is (the terminal
        stays raw, nothing is reopened).
        """
        self._quit_action = action

    def _quit(self) -> None:
        self._quit_action()

    # -- events from devices and firmware ---------------------------------
    def _exit(self, code: int) -> None:
        self.exit_code = code
        self.sched.request_exit(code)

    def _request_reset(self) -> None:
        self.sched.post(self.reboot)

    # -- running ----------------------------------------------------------
    def run(self, max_insns: int | None = None) -> Stop:
        """Run until the guest exits, the budget runs out, or a halt request.

        `max_insns` counts as the scheduler's budgets do: instructions retired
        plus exceptions taken (a faulting instruction counts, as in QEMU's log).
        """
        start = self.sched.total_steps()
        self.debug.begin_run()  # one run across the `cont` calls: a halt between them is kept
        try:
            while True:
                left = None if max_insns is None else max_insns - (self.sched.total_steps() - start)
                stop = self.debug.cont(max_insns=left)
                if stop.reason in (StopReason.EXITED, StopReason.INSN_LIMIT, StopReason.HALTED):
                    return stop
        finally:
            self.debug.end_run()

    def instructions(self) -> int:
        """Instructions retired by all harts together since the machine was built
        (still answered after `close`)."""
        if self._retired is not None:
            return self._retired
        return self.sched.total_insns()

    def close(self) -> None:
        """Release the host side (the serial connection, the disk image) and the
        machine's memory: RAM goes back to the host at once, and the harts'
        translated code with it. The machine cannot run afterwards. Idempotent."""
        self.serial.close()
        self.serial = Backend()
        if self.disk is not None:
            self.disk.close()
            self.disk = None
        if self._retired is None:
            self._retired = self.sched.total_insns()
        self.sched.close()
        self.bus.close()
