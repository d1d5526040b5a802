# The trampoline page: user <-> kernel switches.  It is mapped at the same
# virtual address (TRAMPOLINE) in the kernel page table and in every user
# page table, so it keeps running across the satp write.
#
# While a thread runs in user mode, sscratch holds the user virtual address
# of its trapframe (TRAPFRAME(slot), kernel-only), set by userret.
#include "trapframe.h"

.section .trampsec, "ax"
.align 12
.globl trampoline
trampoline:

.globl uservec
.align 4
uservec:
        # Trap from user mode.  stvec points here.
        csrrw a0, sscratch, a0          # a0 = trapframe VA, sscratch = user a0
        sd ra, TF_RA(a0)
        sd sp, TF_SP(a0)
        sd gp, TF_GP(a0)
        sd tp, TF_TP(a0)                # the user's thread pointer: per thread
        sd t0, TF_T0(a0)
        sd t1, TF_T1(a0)
        sd t2, TF_T2(a0)
        sd s0, TF_S0(a0)
        sd s1, TF_S1(a0)
        sd a1, TF_A1(a0)
        sd a2, TF_A2(a0)
        sd a3, TF_A3(a0)
        sd a4, TF_A4(a0)
        sd a5, TF_A5(a0)
        sd a6, TF_A6(a0)
        sd a7, TF_A7(a0)
        sd s2, TF_S2(a0)
        sd s3, TF_S3(a0)
        sd s4, TF_S4(a0)
        sd s5, TF_S5(a0)
        sd s6, TF_S6(a0)
        sd s7, TF_S7(a0)
        sd s8, TF_S8(a0)
        sd s9, TF_S9(a0)
        sd s10, TF_S10(a0)
        sd s11, TF_S11(a0)
        sd t3, TF_T3(a0)
        sd t4, TF_T4(a0)
        sd t5, TF_T5(a0)
        sd t6, TF_T6(a0)
        csrr t0, sscratch
        sd t0, TF_A0(a0)

        ld sp, TF_KERNEL_SP(a0)
#ifndef BUG_TP_HARTID
        # In the kernel tp holds the hart id (mycpu() = &cpus[tp]): reload
        # it, since user code keeps its TLS pointer there.
        ld tp, TF_KERNEL_HARTID(a0)
#endif
        ld t0, TF_KERNEL_TRAP(a0)
        ld t1, TF_KERNEL_SATP(a0)
        sfence.vma zero, zero
        csrw satp, t1
        sfence.vma zero, zero
        jr t0                           # usertrap(), does not return

.globl userret
.align 4
userret:
        # userret(trapframe VA, user satp), called by usertrapret() in the
        # kernel page table: switch to the user's table and sret.
        sfence.vma zero, zero
        csrw satp, a1
        sfence.vma zero, zero
        csrw sscratch, a0
        ld ra, TF_RA(a0)
        ld sp, TF_SP(a0)
        ld gp, TF_GP(a0)
        ld tp, TF_TP(a0)
        ld t0, TF_T0(a0)
        ld t1, TF_T1(a0)
        ld t2, TF_T2(a0)
        ld s0, TF_S0(a0)
        ld s1, TF_S1(a0)
        ld a1, TF_A1(a0)
        ld a2, TF_A2(a0)
        ld a3, TF_A3(a0)
        ld a4, TF_A4(a0)
        ld a5, TF_A5(a0)
        ld a6, TF_A6(a0)
        ld a7, TF_A7(a0)
        ld s2, TF_S2(a0)
        ld s3, TF_S3(a0)
        ld s4, TF_S4(a0)
        ld s5, TF_S5(a0)
        ld s6, TF_S6(a0)
        ld s7, TF_S7(a0)
        ld s8, TF_S8(a0)
        ld s9, TF_S9(a0)
        ld s10, TF_S10(a0)
        ld s11, TF_S11(a0)
        ld t3, TF_T3(a0)
        ld t4, TF_T4(a0)
        ld t5, TF_T5(a0)
        ld t6, TF_T6(a0)
        ld a0, TF_A0(a0)
        sret

# The signal return trampoline, one page mapped user R-X at SIGTRAMP in every
# address space: a handler returns here (ra), which calls rt_sigreturn.
.section .sigtramp, "ax"
.align 12
.globl sigtramp
sigtramp:
        li a7, 139
        ecall
        unimp
