"""A generated probe of the privileged architecture (run on QEMU and on the machine).

The program is a list of units. A unit sets `a0` to a marker, may enter S
or U mode (mret), does one thing, and ends in an ECALL; every trap lands in
the M-mode handler, which records mcause, mtval, mepc and mstatus and
resumes in M-mode after the unit, where a0 is recorded. Delegated traps go
to the S-mode handler, which records scause, stval, sepc and sstatus and
then ECALLs up. Units cover illegal instructions and their tval, ECALL from
each mode, breakpoints, misaligned atomics, access faults, FS off, xRET
state changes, counter enables, delegation, TVM/TW/TSR, interrupts
(software, Sstc timer, machine timer, priority, WFI wake-up), Sv39 with
every page-fault kind and hardware A/D updates, MPRV, and FENCE.I over
self-modified code.
"""

from __future__ import annotations

from typing import List

RESULTS = 0x80200000
PT = 0x80400000  # root page table; L1 at +0x1000, L0 at +0x2000
DATA = 0x80500000
UNMAPPED = 0x90000000  # past the end of 128 MiB RAM on both machines

SATP = (8 << 60) | (PT >> 12)
V, R, W, X, U, A, D = 1, 2, 4, 8, 16, 64, 128
# (table address, index, PTE) for the page tables the paging units use
PTES = [
    (PT, 2, (0x80000 << 10) | V | R | W | X | A | D),  # 0x8000_0000 gigapage: identity, S only
    (PT, 0, ((PT + 0x1000) >> 12 << 10) | V),  # 0x0000_0000 -> L1
    (PT, 1, (0x80001 << 10) | V | R | W | A | D),  # misaligned gigapage
    (PT + 0x1000, 0, ((PT + 0x2000) >> 12 << 10) | V),  # 0x0 -> L0
    (PT + 0x1000, 1, (0x80600 << 10) | V | R | W | A | D),  # 0x20_0000 megapage
    (PT + 0x1000, 2, (0x80601 << 10) | V | R | W | A | D),  # misaligned megapage
    (PT + 0x2000, 1, ((DATA >> 12) << 10) | V | R | W | U | A | D),  # 0x1000 user data
    (PT + 0x2000, 2, (((DATA + 0x1000) >> 12) << 10) | V | R | A),  # 0x2000 read-only
    (PT + 0x2000, 3, (((DATA + 0x2000) >> 12) << 10) | V | X | A),  # 0x3000 execute-only
    (PT + 0x2000, 4, (((DATA + 0x3000) >> 12) << 10) | V | R | W),  # 0x4000 A = D = 0
    (PT + 0x2000, 5, (((DATA + 0x4000) >> 12) << 10) | V | W | A | D),  # 0x5000 W without R
    (PT + 0x2000, 7, (1 << 63) | (((DATA + 0x5000) >> 12) << 10) | V | R | W | A | D),  # reserved bit
    (PT + 0x2000, 8, V),  # 0x8000 non-leaf at the last level
]

HANDLERS = """
.option rvc
.balign 4
mtrap:
  csrr t5, mcause
  sd t5, 0(s0)
  csrr t5, mtval
  sd t5, 8(s0)
  csrr t5, mepc
  sd t5, 16(s0)
  csrr t5, mstatus
  sd t5, 24(s0)
  addi s0, s0, 32
  li t5, 0x1800
  csrs mstatus, t5
  li t5, (1 << 17) | (1 << 7)
  csrc mstatus, t5
  csrw mepc, s10
  mret
.balign 4
strap:
  li t5, 0x5555
  sd t5, 0(s0)
  csrr t5, scause
  sd t5, 8(s0)
  csrr t5, stval
  sd t5, 16(s0)
  csrr t5, sepc
  sd t5, 24(s0)
  csrr t5, sstatus
  sd t5, 32(s0)
  addi s0, s0, 40
  ecall
"""
# (gas cannot pad by 2 bytes under `.option norvc`, so alignment is done with rvc on)


class Probe:
    """Builds the probe program unit by unit."""

    def __init__(self) -> None:
        self.lines: List[str] = []
        self.n = 0

    def emit(self, *lines: str) -> None:
        for chunk in lines:
            self.lines.extend(chunk.strip("\n").split("\n"))

    def unit(self, body: str, mode: str = "M", setup: str = "", after: str = "") -> None:
        """One unit: `setup` in M, then `body` in `mode` (ending with an ECALL), then `after` in M."""
        self.n += 1
        n = self.n
        self.emit(f"li a0, {0xDEAD0000 + n:#x}", f"la s10, R{n}", setup)
        if mode == "M":
            self.emit(body, "ecall")
        else:
            mpp = {"S": 1, "U": 0}[mode]
            self.emit("li t5, 0x1800", "csrc mstatus, t5", f"li t5, {mpp << 11:#x}", "csrs mstatus, t5",
                      f"la t5, B{n}", "csrw mepc, t5", "mret", f"B{n}:", body, "ecall")
        self.emit(f"R{n}:", "sd a0, 0(s0)", "addi s0, s0, 8", after)

    def source(self) -> str:
        head = f"""
.section .text.init
.globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  li s0, {RESULTS:#x}
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
"""
        done = "\n".join(["li t0, 0x10000000"] + [f"li t1, {ord(c)}\nsb t1, 0(t0)" for c in "DONE"]
                         + ["1: j 1b"])
        return head + "\n".join(self.lines) + "\n" + done + "\n" + HANDLERS + SMC


SMC = """
.option rvc
.balign 4
.option norvc
smc:
  addi a0, zero, 1
  ret
.option rvc
"""


def traps(p: Probe) -> None:
    p.unit(".word 0xffffffff")
    p.unit(".option rvc\n.half 0\n.option norvc")
    p.unit("csrr a0, 0x7b0")
    p.unit("csrw mhartid, zero")
    p.unit("csrw cycle, zero")
    p.unit("ebreak")
    p.unit(".option rvc\nc.ebreak\n.option norvc")
    p.unit("li a1, 0x80300001\nlr.w a0, (a1)")
    p.unit("li a1, 0x80300004\nlr.d a0, (a1)")
    p.unit("li a1, 0x80300002\namoadd.w a0, a0, (a1)")
    p.unit("li a1, 0x80300001\nsc.w a0, a0, (a1)")
    p.unit(f"li a1, {UNMAPPED:#x}\nld a0, 0(a1)")
    p.unit(f"li a1, {UNMAPPED:#x}\nsd a0, 8(a1)")
    p.unit(f"li a1, {UNMAPPED:#x}\namoswap.d a0, a0, (a1)")
    p.unit(f"li a1, {UNMAPPED:#x}\njalr a2, 4(a1)")
    p.unit("li t0, 3 << 13\ncsrc mstatus, t0\nfadd.d fa0, fa1, fa2", after="li t0, 1 << 13\ncsrs mstatus, t0")
    p.unit("li t0, 3 << 13\ncsrc mstatus, t0\ncsrr a0, fflags", after="li t0, 1 << 13\ncsrs mstatus, t0")
    p.unit("li t0, 0x1f\ncsrw frm, t0\nfadd.d fa0, fa1, fa2, dyn\ncsrr a0, frm", after="csrw frm, zero")


def modes(p: Probe) -> None:
    p.unit("csrr a0, mstatus", "S")
    p.unit("csrr a0, sstatus", "S")
    p.unit("csrr a0, sstatus", "U")
    p.unit("wfi", "U")
    p.unit("rdcycle a0", "U")
    p.unit("rdtime a0\nli a0, 0x600d", "S", setup="li t0, 7\ncsrw mcounteren, t0")
    p.unit("rdtime a0", "U", setup="csrw scounteren, zero")
    p.unit("rdinstret a0\nli a0, 0x600d", "U", setup="li t0, 7\ncsrw scounteren, t0",
           after="csrw mcounteren, zero\ncsrw scounteren, zero")
    p.unit("csrr a0, satp", "S", setup="li t0, 1 << 20\ncsrs mstatus, t0")
    p.unit("sfence.vma", "S", after="li t0, 1 << 20\ncsrc mstatus, t0")
    p.unit("wfi", "S", setup="li t0, 1 << 21\ncsrs mstatus, t0", after="li t0, 1 << 21\ncsrc mstatus, t0")
    p.unit("la t0, 1f\ncsrw sepc, t0\nsret\n1:", "S", setup="li t0, 1 << 22\ncsrs mstatus, t0",
           after="li t0, 1 << 22\ncsrc mstatus, t0")
    p.unit("li t0, 1 << 8\ncsrc sstatus, t0\nli t0, 1 << 5\ncsrs sstatus, t0\n"
           "la t0, 1f\ncsrw sepc, t0\nsret\n1:\nli a0, 0x5e7", "S")
    p.unit("li t0, 1 << 8\ncsrs sstatus, t0\nla t0, 1f\ncsrw sepc, t0\nsret\n1:\ncsrr a0, sstatus", "S")
    p.unit("li a0, 0x3", "M", setup="li t0, 0x1800\ncsrs mstatus, t0\nli t0, 1 << 7\ncsrs mstatus, t0\n"
           "la t0, 1f\ncsrw mepc, t0\nmret\n1:\ncsrr a0, mstatus\nsd a0, 0(s0)\naddi s0, s0, 8")
    p.unit("csrr a0, mip", "M")


def delegation(p: Probe) -> None:
    deleg = "li t0, (1 << 8) | (1 << 2) | (1 << 3)\ncsrw medeleg, t0"
    p.unit("nop", "U", setup=deleg)
    p.unit(".word 0xffffffff", "U")
    p.unit("ebreak", "U")
    p.unit(".word 0xffffffff", "S")
    p.unit("ecall", "M", after="csrw medeleg, zero")
    p.unit("csrsi sip, 2\nnop\nli a0, 0x51", "S",
           setup="csrwi mideleg, 2\ncsrwi mie, 2\nli t0, 2\ncsrs mstatus, t0",
           after="csrwi mip, 0\ncsrwi mie, 0\ncsrwi mideleg, 0")


def interrupts(p: Probe) -> None:
    p.unit("csrsi mip, 2\nnop", setup="csrwi mie, 2\ncsrsi mstatus, 8", after="csrwi mip, 0\ncsrwi mie, 0")
    # (a deadline far enough that QEMU, whose time is real time, is in WFI when it comes)
    p.unit("rdtime t0\nli t1, 200000\nadd t0, t0, t1\ncsrw stimecmp, t0\nwfi\nli a0, 0xaf7e",
           setup="li t0, 1 << 63\ncsrs menvcfg, t0\nli t0, 1 << 5\ncsrw mie, t0\ncsrsi mstatus, 8",
           after="csrwi mie, 0\nli t0, -1\ncsrw stimecmp, t0")
    p.unit("csrw stimecmp, zero\ncsrsi mip, 2\nli t0, (1 << 5) | 2\ncsrw mie, t0\ncsrsi mstatus, 8\nnop",
           after="csrwi mie, 0\ncsrwi mip, 0\nli t0, -1\ncsrw stimecmp, t0")
    # a stimecmp still ahead when STCE is cleared does not hold STIP low: M sets it by hand,
    # and it stays set over more than a scheduler quantum
    p.unit("li t0, 1 << 63\ncsrc menvcfg, t0\nli t0, 1 << 5\ncsrs mip, t0\n"
           "li t1, 30000\n1: addi t1, t1, -1\nbnez t1, 1b\ncsrr a0, mip",
           setup="li t0, 1 << 63\ncsrs menvcfg, t0\nrdtime t0\nli t1, 1 << 40\nadd t0, t0, t1\ncsrw stimecmp, t0",
           after="li t0, 1 << 5\ncsrc mip, t0\nli t0, -1\ncsrw stimecmp, t0")
    p.unit("li t0, 1 << 7\ncsrw mie, t0\ncsrsi mstatus, 8\nnop", after="csrwi mie, 0")
    p.unit("csrsi mip, 2\nli a0, 0x5eb", "S", setup="csrwi mie, 2\ncsrci mstatus, 8",
           after="csrwi mip, 0\ncsrwi mie, 0")


def paging(p: Probe) -> None:
    setup = [f"li t0, {pte:#x}\nli t1, {table + 8 * idx:#x}\nsd t0, 0(t1)" for table, idx, pte in PTES]
    setup += [f"li t0, {DATA + 0x1000 * i + 8:#x}\nli t1, {0x1111 * (i + 1):#x}\nsd t1, 0(t0)"
              for i in range(6)]
    setup += ["li t0, 0x80600008\nli t1, 0x6666\nsd t1, 0(t0)"]
    p.unit("nop", setup="\n".join(setup) + f"\nli t0, {SATP:#x}\ncsrw satp, t0\nsfence.vma")
    for addr in (0x1008, 0x2008, 0x3008, 0x4008, 0x5008, 0x6008, 0x7008, 0x8008, 0x40000008,
                 0x200008, 0x400008, 0x8000001008, 0xFFFFFFC000000000):
        p.unit(f"li a1, {addr:#x}\nld a0, 0(a1)", "S")
    p.unit("li a1, 0x2008\nsd a0, 0(a1)", "S")
    p.unit("li a1, 0x2008\namoadd.d a0, a0, (a1)", "S")
    p.unit("li a1, 0x6008\namoadd.d a0, a0, (a1)", "S")
    p.unit("li a1, 0x6008\nlr.d a0, (a1)", "S")
    p.unit("li a1, 0x2008\nlr.d a0, (a1)\nsc.d a2, a0, (a1)", "S")
    p.unit("li a1, 0x4008\nsd a0, 0(a1)\nld a0, 0(a1)", "S",
           after=f"li t1, {PT + 0x2000 + 32:#x}\nld a0, 0(t1)\nsd a0, 0(s0)\naddi s0, s0, 8")
    p.unit("li a1, 0x1008\nld a0, 0(a1)", "S", setup="li t0, 1 << 18\ncsrs mstatus, t0",
           after="li t0, 1 << 18\ncsrc mstatus, t0")
    p.unit("li a1, 0x3008\nld a0, 0(a1)", "S", setup="li t0, 1 << 19\ncsrs mstatus, t0",
           after="li t0, 1 << 19\ncsrc mstatus, t0")
    p.unit("li a1, 0x2000\njalr a2, 0(a1)", "S")
    p.unit("li a1, 0x1008\nld a0, 0(a1)", "U")
    p.unit("li a1, 0x2008\nld a0, 0(a1)", "U")
    p.unit("li a1, 0x1008\nsd a1, 0(a1)\nld a0, 0(a1)", "U")
    for mpp in (1, 0):
        p.unit("li a1, 0x1008\nld a0, 0(a1)", "M",
               setup=f"li t0, 0x1800\ncsrc mstatus, t0\nli t0, {(mpp << 11) | (1 << 17):#x}\ncsrs mstatus, t0",
               after="li t0, 1 << 17\ncsrc mstatus, t0\nli t0, 0x1800\ncsrs mstatus, t0")
    p.unit("li a1, 0x6008\nld a0, 0(a1)", "S",
           setup=f"li t0, {((DATA >> 12) << 10) | V | R | A:#x}\nli t1, {PT + 0x2000 + 48:#x}\n"
                 "sd t0, 0(t1)\nsfence.vma",
           after="csrw satp, zero\nsfence.vma")


def fence_i(p: Probe) -> None:
    p.unit("call smc\nmv s11, a0\n"
           "la t0, smc\nli t1, 0x02a00513\nsw t1, 0(t0)\nfence.i\ncall smc\nslli s11, s11, 8\nor a0, a0, s11")


def program() -> Probe:
    p = Probe()
    for part in (traps, modes, delegation, interrupts, paging, fence_i):
        part(p)
    return p
