"""RVC: each compressed instruction is its expansion to a base instruction.

An expansion returns the base instruction's operands, or None for a
reserved encoding (which then decodes as illegal, as QEMU 7.2 does: the
all-zero word, c.addi4spn/c.addi16sp/c.lui with a zero immediate,
c.addiw/c.lwsp/c.ldsp with rd = x0, c.jr with rs1 = x0). HINT encodings
(rd = x0 and the like) execute as their base instruction, i.e. as no-ops.
"""

from trapscope.machine.isa.table import compressed as c


def _nz(key):
    return lambda o: None if o[key] == 0 else o


c("c.addi4spn", "addi", lambda o: None if o["imm"] == 0 else {"rd": o["rd"], "rs1": 2, "imm": o["imm"]})
c("c.fld", "fld", lambda o: o)
c("c.lw", "lw", lambda o: o)
c("c.ld", "ld", lambda o: o)
c("c.fsd", "fsd", lambda o: o)
c("c.sw", "sw", lambda o: o)
c("c.sd", "sd", lambda o: o)
c("c.nop", "addi", lambda o: {"rd": 0, "rs1": 0, "imm": o["imm"]})
c("c.addi", "addi", lambda o: {"rd": o["rd"], "rs1": o["rd"], "imm": o["imm"]})
c("c.addiw", "addiw", lambda o: None if o["rd"] == 0 else {"rd": o["rd"], "rs1": o["rd"], "imm": o["imm"]})
c("c.li", "addi", lambda o: {"rd": o["rd"], "rs1": 0, "imm": o["imm"]})
c("c.addi16sp", "addi", lambda o: None if o["imm"] == 0 else {"rd": 2, "rs1": 2, "imm": o["imm"]})
c("c.lui", "lui", lambda o: None if o["imm"] == 0 else {"rd": o["rd"], "imm": o["imm"]})
c("c.srli", "srli", lambda o: {"rd": o["rd"], "rs1": o["rd"], "imm": o["imm"]})
c("c.srai", "srai", lambda o: {"rd": o["rd"], "rs1": o["rd"], "imm": o["imm"]})
c("c.andi", "andi", lambda o: {"rd": o["rd"], "rs1": o["rd"], "imm": o["imm"]})
for _op in ("sub", "xor", "or", "and", "subw", "addw"):
    c(f"c.{_op}", _op, lambda o: {"rd": o["rd"], "rs1": o["rd"], "rs2": o["rs2"]})
c("c.j", "jal", lambda o: {"rd": 0, "imm": o["imm"]})
c("c.beqz", "beq", lambda o: {"rs1": o["rs1"], "rs2": 0, "imm": o["imm"]})
c("c.bnez", "bne", lambda o: {"rs1": o["rs1"], "rs2": 0, "imm": o["imm"]})
c("c.slli", "slli", lambda o: {"rd": o["rd"], "rs1": o["rd"], "imm": o["imm"]})
c("c.fldsp", "fld", lambda o: {"rd": o["rd"], "rs1": 2, "imm": o["imm"]})
c("c.lwsp", "lw", lambda o: None if o["rd"] == 0 else {"rd": o["rd"], "rs1": 2, "imm": o["imm"]})
c("c.ldsp", "ld", lambda o: None if o["rd"] == 0 else {"rd": o["rd"], "rs1": 2, "imm": o["imm"]})
c("c.jr", "jalr", lambda o: None if o["rs1"] == 0 else {"rd": 0, "rs1": o["rs1"], "imm": 0})
c("c.mv", "add", lambda o: {"rd": o["rd"], "rs1": 0, "rs2": o["rs2"]})
c("c.ebreak", "ebreak", lambda o: {})
c("c.jalr", "jalr", lambda o: {"rd": 1, "rs1": o["rs1"], "imm": 0})
c("c.add", "add", lambda o: {"rd": o["rd"], "rs1": o["rd"], "rs2": o["rs2"]})
c("c.fsdsp", "fsd", lambda o: {"rs1": 2, "rs2": o["rs2"], "imm": o["imm"]})
c("c.swsp", "sw", lambda o: {"rs1": 2, "rs2": o["rs2"], "imm": o["imm"]})
c("c.sdsp", "sd", lambda o: {"rs1": 2, "rs2": o["rs2"], "imm": o["imm"]})
