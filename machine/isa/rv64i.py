"""RV64I: one template per instruction (vocabulary in `table.py`).

Integer registers are signed 64-bit values: `w64(...)` wraps a result that
may leave the range, `ukey` orders values as unsigned, `sx32` sign-extends
the low 32 bits (W instructions). The general template of an instruction is
right for every operand (the interpreter uses it); `special=` variants are
cheaper forms the translator picks for particular operands.
"""

from trapscope.machine.isa.table import insn

E = "rv64i"

insn("lui", "RD = IMM", extension=E)
insn("auipc", "RD = const64(PC + IMM)", extension=E)
insn("jal", "RD = NPC", jump="static", extension=E)
insn("jalr", "TARGET = w64(RS1 + IMM); TARGET = TARGET & -2; RD = NPC", jump="dynamic", extension=E)

insn("beq", branch="RS1 == RS2", extension=E)
insn("bne", branch="RS1 != RS2", extension=E)
insn("blt", branch="RS1 < RS2", extension=E)
insn("bge", branch="RS1 >= RS2", extension=E)
insn("bltu", branch="ukey(RS1) < ukey(RS2)", extension=E)
insn("bgeu", branch="ukey(RS1) >= ukey(RS2)", extension=E)

insn("lb", "RD = MEM", load=(1, True), extension=E)
insn("lh", "RD = MEM", load=(2, True), extension=E)
insn("lw", "RD = MEM", load=(4, True), extension=E)
insn("ld", "RD = MEM", load=(8, True), extension=E)
insn("lbu", "RD = MEM", load=(1, False), extension=E)
insn("lhu", "RD = MEM", load=(2, False), extension=E)
insn("lwu", "RD = MEM", load=(4, False), extension=E)
insn("sb", "STORE = RS2", store=1, extension=E)
insn("sh", "STORE = RS2", store=2, extension=E)
insn("sw", "STORE = RS2", store=4, extension=E)
insn("sd", "STORE = RS2", store=8, extension=E)

insn("addi", "RD = w64(RS1 + IMM)", extension=E, special=(
    ("rs1 == 0", "RD = IMM"), ("imm == 0", "RD = RS1"), ("imm > 0", "RD = w64hi(RS1 + IMM)"),
    ("imm < 0", "RD = w64lo(RS1 + IMM)")))
insn("slti", "RD = 1 if RS1 < IMM else 0", extension=E)
insn("sltiu", "RD = 1 if ukey(RS1) < ukey(IMM) else 0", extension=E, special=(
    ("imm == 1", "RD = 1 if RS1 == 0 else 0"),))
insn("xori", "RD = RS1 ^ IMM", extension=E)
insn("ori", "RD = RS1 | IMM", extension=E)
insn("andi", "RD = RS1 & IMM", extension=E)
insn("slli", "RD = w64(RS1 << IMM)", extension=E)
insn("srli", "RD = RS1 >> IMM & (1 << 64 - IMM) - 1 if IMM else RS1", extension=E, special=(
    ("imm == 0", "RD = RS1"), ("imm > 0", "RD = RS1 >> IMM & (1 << 64 - IMM) - 1")))
insn("srai", "RD = RS1 >> IMM", extension=E)

insn("add", "RD = w64(RS1 + RS2)", extension=E, special=(
    ("rs1 == 0", "RD = RS2"), ("rs2 == 0", "RD = RS1")))
insn("sub", "RD = w64(RS1 - RS2)", extension=E)
insn("sll", "RD = w64(RS1 << (RS2 & 63))", extension=E)
insn("slt", "RD = 1 if RS1 < RS2 else 0", extension=E)
insn("sltu", "RD = 1 if ukey(RS1) < ukey(RS2) else 0", extension=E, special=(
    ("rs1 == 0", "RD = 1 if RS2 else 0"),))
insn("xor", "RD = RS1 ^ RS2", extension=E)
insn("srl", "_r = RS2 & 63; RD = RS1 >> _r & (1 << 64 - _r) - 1 if _r else RS1", extension=E)
insn("sra", "RD = RS1 >> (RS2 & 63)", extension=E)
insn("or", "RD = RS1 | RS2", extension=E)
insn("and", "RD = RS1 & RS2", extension=E)

insn("fence", "pass", extension=E)
insn("ecall", "TARGET = ecall(PC, C)", jump="dynamic", traps=True, extension=E)
insn("ebreak", "TARGET = ebreak(PC, C)", jump="dynamic", traps=True, extension=E)

insn("addiw", "RD = w32(RS1 + IMM)", extension=E, special=(
    ("rs1 == 0", "RD = IMM"), ("imm == 0", "RD = w32(RS1)")))
insn("slliw", "RD = sx32(RS1 << IMM)", extension=E)
insn("srliw", "RD = sx32((RS1 & 0xFFFFFFFF) >> IMM)", extension=E, special=(
    ("imm > 0", "RD = (RS1 & 0xFFFFFFFF) >> IMM"),))
insn("sraiw", "RD = sx32(RS1) >> IMM", extension=E)
insn("addw", "RD = w32(RS1 + RS2)", extension=E)
insn("subw", "RD = w32(RS1 - RS2)", extension=E)
insn("sllw", "RD = sx32(RS1 << (RS2 & 31))", extension=E)
insn("srlw", "RD = sx32((RS1 & 0xFFFFFFFF) >> (RS2 & 31))", extension=E)
insn("sraw", "RD = sx32(RS1) >> (RS2 & 31)", extension=E)
