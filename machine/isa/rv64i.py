"""RV64I: one template per instruction (vocabulary in `table.py`)."""

from trapscope.machine.isa.table import insn

E = "rv64i"

insn("lui", "RD = IMM & M64", extension=E)
insn("auipc", "RD = (PC + IMM) & M64", extension=E)
insn("jal", "RD = NPC", jump="static", extension=E)
insn("jalr", "TARGET = (RS1 + IMM) & 0xFFFFFFFFFFFFFFFE; RD = NPC", jump="dynamic", extension=E)

insn("beq", branch="RS1 == RS2", extension=E)
insn("bne", branch="RS1 != RS2", extension=E)
insn("blt", branch="skey(RS1) < skey(RS2)", extension=E)
insn("bge", branch="skey(RS1) >= skey(RS2)", extension=E)
insn("bltu", branch="RS1 < RS2", extension=E)
insn("bgeu", branch="RS1 >= RS2", extension=E)

insn("lb", "RD = MEM", load=(1, True), extension=E)
insn("lh", "RD = MEM", load=(2, True), extension=E)
insn("lw", "RD = MEM", load=(4, True), extension=E)
insn("ld", "RD = MEM", load=(8, False), extension=E)
insn("lbu", "RD = MEM", load=(1, False), extension=E)
insn("lhu", "RD = MEM", load=(2, False), extension=E)
insn("lwu", "RD = MEM", load=(4, False), extension=E)
insn("sb", "STORE = RS2", store=1, extension=E)
insn("sh", "STORE = RS2", store=2, extension=E)
insn("sw", "STORE = RS2", store=4, extension=E)
insn("sd", "STORE = RS2", store=8, extension=E)

insn("addi", "RD = (RS1 + IMM) & M64", extension=E)
insn("slti", "RD = 1 if skey(RS1) < skey(IMM & M64) else 0", extension=E)
insn("sltiu", "RD = 1 if RS1 < (IMM & M64) else 0", extension=E)
insn("xori", "RD = RS1 ^ (IMM & M64)", extension=E)
insn("ori", "RD = RS1 | (IMM & M64)", extension=E)
insn("andi", "RD = RS1 & (IMM & M64)", extension=E)
insn("slli", "RD = (RS1 << IMM) & M64", extension=E)
insn("srli", "RD = RS1 >> IMM", extension=E)
insn("srai", "RD = (signed(RS1) >> IMM) & M64", extension=E)

insn("add", "RD = (RS1 + RS2) & M64", extension=E)
insn("sub", "RD = (RS1 - RS2) & M64", extension=E)
insn("sll", "RD = (RS1 << (RS2 & 63)) & M64", extension=E)
insn("slt", "RD = 1 if skey(RS1) < skey(RS2) else 0", extension=E)
insn("sltu", "RD = 1 if RS1 < RS2 else 0", extension=E)
insn("xor", "RD = RS1 ^ RS2", extension=E)
insn("srl", "RD = RS1 >> (RS2 & 63)", extension=E)
insn("sra", "RD = (signed(RS1) >> (RS2 & 63)) & M64", extension=E)
insn("or", "RD = RS1 | RS2", extension=E)
insn("and", "RD = RS1 & RS2", extension=E)

insn("fence", "pass", extension=E)
insn("ecall", "TARGET = ecall(PC, C)", jump="dynamic", extension=E)
insn("ebreak", "TARGET = ebreak(PC, C)", jump="dynamic", extension=E)

insn("addiw", "RD = sx32(RS1 + IMM)", extension=E)
insn("slliw", "RD = sx32(RS1 << IMM)", extension=E)
insn("srliw", "RD = sx32((RS1 & 0xFFFFFFFF) >> IMM)", extension=E)
insn("sraiw", "RD = (signed32(RS1) >> IMM) & M64", extension=E)
insn("addw", "RD = sx32(RS1 + RS2)", extension=E)
insn("subw", "RD = sx32(RS1 - RS2)", extension=E)
insn("sllw", "RD = sx32(RS1 << (RS2 & 31))", extension=E)
insn("srlw", "RD = sx32((RS1 & 0xFFFFFFFF) >> (RS2 & 31))", extension=E)
insn("sraw", "RD = (signed32(RS1) >> (RS2 & 31)) & M64", extension=E)
