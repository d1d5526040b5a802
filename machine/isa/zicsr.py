"""Zicsr: the CSR instructions, through the hart's CSR file (they end the block).

A write happens unless rs1/uimm is x0/0 (csrrs/csrrc) and a read unless rd
is x0 (csrrw/csrrwi), so side effects and the read-only check follow the spec.
"""

from trapscope.machine.isa.table import insn

E = "zicsr"

insn("csrrw", "RD = csr_rw(CSR, RS1, RD_NZ, WORD, PC, C)", ends=True, extension=E)
insn("csrrs", "RD = csr_rs(CSR, RS1, RS1_NZ, WORD, PC, C)", ends=True, extension=E)
insn("csrrc", "RD = csr_rc(CSR, RS1, RS1_NZ, WORD, PC, C)", ends=True, extension=E)
insn("csrrwi", "RD = csr_rw(CSR, ZIMM, RD_NZ, WORD, PC, C)", ends=True, extension=E)
insn("csrrsi", "RD = csr_rs(CSR, ZIMM, RS1_NZ, WORD, PC, C)", ends=True, extension=E)
insn("csrrci", "RD = csr_rc(CSR, ZIMM, RS1_NZ, WORD, PC, C)", ends=True, extension=E)
