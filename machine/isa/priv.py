"""Privileged instructions and Zifencei: each ends the block through a hart helper."""

from trapscope.machine.isa.table import insn

E = "priv"

insn("mret", "TARGET = mret(WORD, PC, C)", jump="dynamic", extension=E)
insn("sret", "TARGET = sret(WORD, PC, C)", jump="dynamic", extension=E)
insn("wfi", "TARGET = wfi(WORD, PC, NPC, C)", jump="dynamic", extension=E)
insn("sfence.vma", "TARGET = sfence_vma(RS1, RS2, WORD, PC, NPC, C)", jump="dynamic", extension=E)
insn("fence.i", "TARGET = fence_i(NPC)", jump="dynamic", extension="zifencei")
