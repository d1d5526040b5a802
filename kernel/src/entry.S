# Boot entry.  SBI firmware jumps here in S-mode with a0 = hart id and
# a1 = physical address of the flattened device tree, paging off.
#include "param.h"

.section .text.entry
.globl _entry
_entry:
        # One hart boots the kernel.  Firmware with HSM sends only one here;
        # any other hart that arrives parks until the boot hart releases it.
        la t0, boot_claimed
        li t1, 1
        amoswap.w.aq t1, t1, (t0)
        bnez t1, _late_hart
        li t0, NCPU
        bgeu a0, t0, _park
        call _set_boot_stack
        # zero .bss, 64 bytes a turn (kernel.ld aligns it to 64; the boot
        # stacks live outside it)
        la t0, __bss_start
        la t1, __bss_end
1:      bgeu t0, t1, 2f
        sd zero, 0(t0)
        sd zero, 8(t0)
        sd zero, 16(t0)
        sd zero, 24(t0)
        sd zero, 32(t0)
        sd zero, 40(t0)
        sd zero, 48(t0)
        sd zero, 56(t0)
        addi t0, t0, 64
        j 1b
2:      call start             # start(hartid, fdt): never returns
        j _park

# Harts started later through SBI HSM hart_start: a0 = hart id, a1 = opaque.
.globl _entry_secondary
_entry_secondary:
        li t0, NCPU
        bgeu a0, t0, _park
        call _set_boot_stack
        call start_secondary   # never returns
        j _park

_late_hart:
        li t0, NCPU
        bgeu a0, t0, _park
        la t0, secondary_release
3:      lw t1, 0(t0)
        beqz t1, 3b
        fence r, rw
        j _entry_secondary

# sp = boot_stacks + (hartid + 1) * BOOTSTACK_SIZE; uses t0, t1 only.
_set_boot_stack:
        la sp, boot_stacks
        li t0, BOOTSTACK_SIZE
        addi t1, a0, 1
        mul t0, t0, t1
        add sp, sp, t0
        ret

_park:
        wfi
        j _park

# Where every hart ends after a panic (panic_halt() jumps here with
# interrupts off): a debugger finds each halted hart at this symbol.
.globl panic_halt_loop
.type panic_halt_loop, @function
panic_halt_loop:
        wfi
        j panic_halt_loop
.size panic_halt_loop, . - panic_halt_loop

.section .data
.globl boot_claimed
.align 3
boot_claimed: .word 0
.globl secondary_release
secondary_release: .word 0

# Per-hart boot stacks, which become the scheduler stacks.  Not in .bss:
# nobody needs them zeroed.
.section .stack, "aw", @nobits
.align 12
.globl boot_stacks
boot_stacks:
        .space BOOTSTACK_SIZE * NCPU
