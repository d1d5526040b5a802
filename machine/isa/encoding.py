"""Every instruction encoding of RV64IMAFDC + Zicsr + Zifencei + privileged.

The table is written in the notation of riscv-opcodes (the source of the ISA
spec's opcode tables and of Spike's `encoding.h`): a mnemonic, its operand
fields, then fixed bit ranges `hi..lo=value` or single bits `n=value`. The
match/mask pairs are computed from it at import, never typed by hand.

Operand fields name what the decoder extracts (see `FIELDS`); a compressed
instruction's operands are the arguments of the base instruction it expands
to (see `rvc.py`).
"""

from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Tuple

OPCODES = """
# rv_i
lui        rd imm20                            6..2=0x0D 1..0=3
auipc      rd imm20                            6..2=0x05 1..0=3
jal        rd jimm20                           6..2=0x1b 1..0=3
jalr       rd rs1 imm12               14..12=0 6..2=0x19 1..0=3
beq        bimm12hi rs1 rs2 bimm12lo  14..12=0 6..2=0x18 1..0=3
bne        bimm12hi rs1 rs2 bimm12lo  14..12=1 6..2=0x18 1..0=3
blt        bimm12hi rs1 rs2 bimm12lo  14..12=4 6..2=0x18 1..0=3
bge        bimm12hi rs1 rs2 bimm12lo  14..12=5 6..2=0x18 1..0=3
bltu       bimm12hi rs1 rs2 bimm12lo  14..12=6 6..2=0x18 1..0=3
bgeu       bimm12hi rs1 rs2 bimm12lo  14..12=7 6..2=0x18 1..0=3
lb         rd rs1 imm12               14..12=0 6..2=0x00 1..0=3
lh         rd rs1 imm12               14..12=1 6..2=0x00 1..0=3
lw         rd rs1 imm12               14..12=2 6..2=0x00 1..0=3
lbu        rd rs1 imm12               14..12=4 6..2=0x00 1..0=3
lhu        rd rs1 imm12               14..12=5 6..2=0x00 1..0=3
sb         imm12hi rs1 rs2 imm12lo    14..12=0 6..2=0x08 1..0=3
sh         imm12hi rs1 rs2 imm12lo    14..12=1 6..2=0x08 1..0=3
sw         imm12hi rs1 rs2 imm12lo    14..12=2 6..2=0x08 1..0=3
addi       rd rs1 imm12               14..12=0 6..2=0x04 1..0=3
slti       rd rs1 imm12               14..12=2 6..2=0x04 1..0=3
sltiu      rd rs1 imm12               14..12=3 6..2=0x04 1..0=3
xori       rd rs1 imm12               14..12=4 6..2=0x04 1..0=3
ori        rd rs1 imm12               14..12=6 6..2=0x04 1..0=3
andi       rd rs1 imm12               14..12=7 6..2=0x04 1..0=3
add        rd rs1 rs2 31..25=0        14..12=0 6..2=0x0C 1..0=3
sub        rd rs1 rs2 31..25=32       14..12=0 6..2=0x0C 1..0=3
sll        rd rs1 rs2 31..25=0        14..12=1 6..2=0x0C 1..0=3
slt        rd rs1 rs2 31..25=0        14..12=2 6..2=0x0C 1..0=3
sltu       rd rs1 rs2 31..25=0        14..12=3 6..2=0x0C 1..0=3
xor        rd rs1 rs2 31..25=0        14..12=4 6..2=0x0C 1..0=3
srl        rd rs1 rs2 31..25=0        14..12=5 6..2=0x0C 1..0=3
sra        rd rs1 rs2 31..25=32       14..12=5 6..2=0x0C 1..0=3
or         rd rs1 rs2 31..25=0        14..12=6 6..2=0x0C 1..0=3
and        rd rs1 rs2 31..25=0        14..12=7 6..2=0x0C 1..0=3
fence      fm pred succ rs1           14..12=0 rd 6..2=0x03 1..0=3
ecall      11..7=0 19..15=0 31..20=0x000 14..12=0 6..2=0x1C 1..0=3
ebreak     11..7=0 19..15=0 31..20=0x001 14..12=0 6..2=0x1C 1..0=3
# rv64_i
addiw      rd rs1 imm12               14..12=0 6..2=0x06 1..0=3
slliw      rd rs1 31..25=0 shamtw     14..12=1 6..2=0x06 1..0=3
srliw      rd rs1 31..25=0 shamtw     14..12=5 6..2=0x06 1..0=3
sraiw      rd rs1 31..25=32 shamtw    14..12=5 6..2=0x06 1..0=3
addw       rd rs1 rs2 31..25=0        14..12=0 6..2=0x0E 1..0=3
subw       rd rs1 rs2 31..25=32       14..12=0 6..2=0x0E 1..0=3
sllw       rd rs1 rs2 31..25=0        14..12=1 6..2=0x0E 1..0=3
srlw       rd rs1 rs2 31..25=0        14..12=5 6..2=0x0E 1..0=3
sraw       rd rs1 rs2 31..25=32       14..12=5 6..2=0x0E 1..0=3
ld         rd rs1 imm12               14..12=3 6..2=0x00 1..0=3
lwu        rd rs1 imm12               14..12=6 6..2=0x00 1..0=3
sd         imm12hi rs1 rs2 imm12lo    14..12=3 6..2=0x08 1..0=3
slli       rd rs1 31..26=0 shamtd     14..12=1 6..2=0x04 1..0=3
srli       rd rs1 31..26=0 shamtd     14..12=5 6..2=0x04 1..0=3
srai       rd rs1 31..26=16 shamtd    14..12=5 6..2=0x04 1..0=3
# rv_m, rv64_m
mul        rd rs1 rs2 31..25=1        14..12=0 6..2=0x0C 1..0=3
mulh       rd rs1 rs2 31..25=1        14..12=1 6..2=0x0C 1..0=3
mulhsu     rd rs1 rs2 31..25=1        14..12=2 6..2=0x0C 1..0=3
mulhu      rd rs1 rs2 31..25=1        14..12=3 6..2=0x0C 1..0=3
div        rd rs1 rs2 31..25=1        14..12=4 6..2=0x0C 1..0=3
divu       rd rs1 rs2 31..25=1        14..12=5 6..2=0x0C 1..0=3
rem        rd rs1 rs2 31..25=1        14..12=6 6..2=0x0C 1..0=3
remu       rd rs1 rs2 31..25=1        14..12=7 6..2=0x0C 1..0=3
mulw       rd rs1 rs2 31..25=1        14..12=0 6..2=0x0E 1..0=3
divw       rd rs1 rs2 31..25=1        14..12=4 6..2=0x0E 1..0=3
divuw      rd rs1 rs2 31..25=1        14..12=5 6..2=0x0E 1..0=3
remw       rd rs1 rs2 31..25=1        14..12=6 6..2=0x0E 1..0=3
remuw      rd rs1 rs2 31..25=1        14..12=7 6..2=0x0E 1..0=3
# rv_a, rv64_a
lr.w       rd rs1 24..20=0 aq rl 31..29=0 28..27=2 14..12=2 6..2=0x0B 1..0=3
sc.w       rd rs1 rs2      aq rl 31..29=0 28..27=3 14..12=2 6..2=0x0B 1..0=3
amoswap.w  rd rs1 rs2      aq rl 31..29=0 28..27=1 14..12=2 6..2=0x0B 1..0=3
amoadd.w   rd rs1 rs2      aq rl 31..29=0 28..27=0 14..12=2 6..2=0x0B 1..0=3
amoxor.w   rd rs1 rs2      aq rl 31..29=1 28..27=0 14..12=2 6..2=0x0B 1..0=3
amoand.w   rd rs1 rs2      aq rl 31..29=3 28..27=0 14..12=2 6..2=0x0B 1..0=3
amoor.w    rd rs1 rs2      aq rl 31..29=2 28..27=0 14..12=2 6..2=0x0B 1..0=3
amomin.w   rd rs1 rs2      aq rl 31..29=4 28..27=0 14..12=2 6..2=0x0B 1..0=3
amomax.w   rd rs1 rs2      aq rl 31..29=5 28..27=0 14..12=2 6..2=0x0B 1..0=3
amominu.w  rd rs1 rs2      aq rl 31..29=6 28..27=0 14..12=2 6..2=0x0B 1..0=3
amomaxu.w  rd rs1 rs2      aq rl 31..29=7 28..27=0 14..12=2 6..2=0x0B 1..0=3
lr.d       rd rs1 24..20=0 aq rl 31..29=0 28..27=2 14..12=3 6..2=0x0B 1..0=3
sc.d       rd rs1 rs2      aq rl 31..29=0 28..27=3 14..12=3 6..2=0x0B 1..0=3
amoswap.d  rd rs1 rs2      aq rl 31..29=0 28..27=1 14..12=3 6..2=0x0B 1..0=3
amoadd.d   rd rs1 rs2      aq rl 31..29=0 28..27=0 14..12=3 6..2=0x0B 1..0=3
amoxor.d   rd rs1 rs2      aq rl 31..29=1 28..27=0 14..12=3 6..2=0x0B 1..0=3
amoand.d   rd rs1 rs2      aq rl 31..29=3 28..27=0 14..12=3 6..2=0x0B 1..0=3
amoor.d    rd rs1 rs2      aq rl 31..29=2 28..27=0 14..12=3 6..2=0x0B 1..0=3
amomin.d   rd rs1 rs2      aq rl 31..29=4 28..27=0 14..12=3 6..2=0x0B 1..0=3
amomax.d   rd rs1 rs2      aq rl 31..29=5 28..27=0 14..12=3 6..2=0x0B 1..0=3
amominu.d  rd rs1 rs2      aq rl 31..29=6 28..27=0 14..12=3 6..2=0x0B 1..0=3
amomaxu.d  rd rs1 rs2      aq rl 31..29=7 28..27=0 14..12=3 6..2=0x0B 1..0=3
# rv_f, rv64_f
flw        rd rs1 imm12               14..12=2 6..2=0x01 1..0=3
fsw        imm12hi rs1 rs2 imm12lo    14..12=2 6..2=0x09 1..0=3
fmadd.s    rd rs1 rs2 rs3 rm 26..25=0 6..2=0x10 1..0=3
fmsub.s    rd rs1 rs2 rs3 rm 26..25=0 6..2=0x11 1..0=3
fnmsub.s   rd rs1 rs2 rs3 rm 26..25=0 6..2=0x12 1..0=3
fnmadd.s   rd rs1 rs2 rs3 rm 26..25=0 6..2=0x13 1..0=3
fadd.s     rd rs1 rs2 31..27=0x00 rm 26..25=0 6..2=0x14 1..0=3
fsub.s     rd rs1 rs2 31..27=0x01 rm 26..25=0 6..2=0x14 1..0=3
fmul.s     rd rs1 rs2 31..27=0x02 rm 26..25=0 6..2=0x14 1..0=3
fdiv.s     rd rs1 rs2 31..27=0x03 rm 26..25=0 6..2=0x14 1..0=3
fsqrt.s    rd rs1 24..20=0 31..27=0x0B rm 26..25=0 6..2=0x14 1..0=3
fsgnj.s    rd rs1 rs2 31..27=0x04 14..12=0 26..25=0 6..2=0x14 1..0=3
fsgnjn.s   rd rs1 rs2 31..27=0x04 14..12=1 26..25=0 6..2=0x14 1..0=3
fsgnjx.s   rd rs1 rs2 31..27=0x04 14..12=2 26..25=0 6..2=0x14 1..0=3
fmin.s     rd rs1 rs2 31..27=0x05 14..12=0 26..25=0 6..2=0x14 1..0=3
fmax.s     rd rs1 rs2 31..27=0x05 14..12=1 26..25=0 6..2=0x14 1..0=3
fcvt.w.s   rd rs1 24..20=0 31..27=0x18 rm 26..25=0 6..2=0x14 1..0=3
fcvt.wu.s  rd rs1 24..20=1 31..27=0x18 rm 26..25=0 6..2=0x14 1..0=3
fmv.x.w    rd rs1 24..20=0 31..27=0x1C 14..12=0 26..25=0 6..2=0x14 1..0=3
feq.s      rd rs1 rs2 31..27=0x14 14..12=2 26..25=0 6..2=0x14 1..0=3
flt.s      rd rs1 rs2 31..27=0x14 14..12=1 26..25=0 6..2=0x14 1..0=3
fle.s      rd rs1 rs2 31..27=0x14 14..12=0 26..25=0 6..2=0x14 1..0=3
fclass.s   rd rs1 24..20=0 31..27=0x1C 14..12=1 26..25=0 6..2=0x14 1..0=3
fcvt.s.w   rd rs1 24..20=0 31..27=0x1A rm 26..25=0 6..2=0x14 1..0=3
fcvt.s.wu  rd rs1 24..20=1 31..27=0x1A rm 26..25=0 6..2=0x14 1..0=3
fmv.w.x    rd rs1 24..20=0 31..27=0x1E 14..12=0 26..25=0 6..2=0x14 1..0=3
fcvt.l.s   rd rs1 24..20=2 31..27=0x18 rm 26..25=0 6..2=0x14 1..0=3
fcvt.lu.s  rd rs1 24..20=3 31..27=0x18 rm 26..25=0 6..2=0x14 1..0=3
fcvt.s.l   rd rs1 24..20=2 31..27=0x1A rm 26..25=0 6..2=0x14 1..0=3
fcvt.s.lu  rd rs1 24..20=3 31..27=0x1A rm 26..25=0 6..2=0x14 1..0=3
# rv_d, rv64_d
fld        rd rs1 imm12               14..12=3 6..2=0x01 1..0=3
fsd        imm12hi rs1 rs2 imm12lo    14..12=3 6..2=0x09 1..0=3
fmadd.d    rd rs1 rs2 rs3 rm 26..25=1 6..2=0x10 1..0=3
fmsub.d    rd rs1 rs2 rs3 rm 26..25=1 6..2=0x11 1..0=3
fnmsub.d   rd rs1 rs2 rs3 rm 26..25=1 6..2=0x12 1..0=3
fnmadd.d   rd rs1 rs2 rs3 rm 26..25=1 6..2=0x13 1..0=3
fadd.d     rd rs1 rs2 31..27=0x00 rm 26..25=1 6..2=0x14 1..0=3
fsub.d     rd rs1 rs2 31..27=0x01 rm 26..25=1 6..2=0x14 1..0=3
fmul.d     rd rs1 rs2 31..27=0x02 rm 26..25=1 6..2=0x14 1..0=3
fdiv.d     rd rs1 rs2 31..27=0x03 rm 26..25=1 6..2=0x14 1..0=3
fsqrt.d    rd rs1 24..20=0 31..27=0x0B rm 26..25=1 6..2=0x14 1..0=3
fsgnj.d    rd rs1 rs2 31..27=0x04 14..12=0 26..25=1 6..2=0x14 1..0=3
fsgnjn.d   rd rs1 rs2 31..27=0x04 14..12=1 26..25=1 6..2=0x14 1..0=3
fsgnjx.d   rd rs1 rs2 31..27=0x04 14..12=2 26..25=1 6..2=0x14 1..0=3
fmin.d     rd rs1 rs2 31..27=0x05 14..12=0 26..25=1 6..2=0x14 1..0=3
fmax.d     rd rs1 rs2 31..27=0x05 14..12=1 26..25=1 6..2=0x14 1..0=3
fcvt.s.d   rd rs1 24..20=1 31..27=0x08 rm 26..25=0 6..2=0x14 1..0=3
fcvt.d.s   rd rs1 24..20=0 31..27=0x08 rm 26..25=1 6..2=0x14 1..0=3
feq.d      rd rs1 rs2 31..27=0x14 14..12=2 26..25=1 6..2=0x14 1..0=3
flt.d      rd rs1 rs2 31..27=0x14 14..12=1 26..25=1 6..2=0x14 1..0=3
fle.d      rd rs1 rs2 31..27=0x14 14..12=0 26..25=1 6..2=0x14 1..0=3
fclass.d   rd rs1 24..20=0 31..27=0x1C 14..12=1 26..25=1 6..2=0x14 1..0=3
fcvt.w.d   rd rs1 24..20=0 31..27=0x18 rm 26..25=1 6..2=0x14 1..0=3
fcvt.wu.d  rd rs1 24..20=1 31..27=0x18 rm 26..25=1 6..2=0x14 1..0=3
fcvt.d.w   rd rs1 24..20=0 31..27=0x1A rm 26..25=1 6..2=0x14 1..0=3
fcvt.d.wu  rd rs1 24..20=1 31..27=0x1A rm 26..25=1 6..2=0x14 1..0=3
fcvt.l.d   rd rs1 24..20=2 31..27=0x18 rm 26..25=1 6..2=0x14 1..0=3
fcvt.lu.d  rd rs1 24..20=3 31..27=0x18 rm 26..25=1 6..2=0x14 1..0=3
fmv.x.d    rd rs1 24..20=0 31..27=0x1C 14..12=0 26..25=1 6..2=0x14 1..0=3
fcvt.d.l   rd rs1 24..20=2 31..27=0x1A rm 26..25=1 6..2=0x14 1..0=3
fcvt.d.lu  rd rs1 24..20=3 31..27=0x1A rm 26..25=1 6..2=0x14 1..0=3
fmv.d.x    rd rs1 24..20=0 31..27=0x1E 14..12=0 26..25=1 6..2=0x14 1..0=3
# rv_zicsr
csrrw      rd rs1 csr                 14..12=1 6..2=0x1C 1..0=3
csrrs      rd rs1 csr                 14..12=2 6..2=0x1C 1..0=3
csrrc      rd rs1 csr                 14..12=3 6..2=0x1C 1..0=3
csrrwi     rd zimm csr                14..12=5 6..2=0x1C 1..0=3
csrrsi     rd zimm csr                14..12=6 6..2=0x1C 1..0=3
csrrci     rd zimm csr                14..12=7 6..2=0x1C 1..0=3
# rv_zifencei
fence.i    imm12 rs1 14..12=1 rd 6..2=0x03 1..0=3
# rv_system, rv_s
mret       11..7=0 19..15=0 31..20=0x302 14..12=0 6..2=0x1C 1..0=3
sret       11..7=0 19..15=0 31..20=0x102 14..12=0 6..2=0x1C 1..0=3
wfi        11..7=0 19..15=0 31..20=0x105 14..12=0 6..2=0x1C 1..0=3
sfence.vma 11..7=0 rs1 rs2 31..25=0x09 14..12=0 6..2=0x1C 1..0=3
# rv_c, rv64_c, rv_c_d
c.addi4spn rd_p c_nzuimm10                     1..0=0 15..13=0
c.fld      rd_p rs1_p c_uimm8lo c_uimm8hi      1..0=0 15..13=1
c.lw       rd_p rs1_p c_uimm7lo c_uimm7hi      1..0=0 15..13=2
c.ld       rd_p rs1_p c_uimm8lo c_uimm8hi      1..0=0 15..13=3
c.fsd      rs1_p rs2_p c_uimm8lo c_uimm8hi     1..0=0 15..13=5
c.sw       rs1_p rs2_p c_uimm7lo c_uimm7hi     1..0=0 15..13=6
c.sd       rs1_p rs2_p c_uimm8lo c_uimm8hi     1..0=0 15..13=7
c.nop      c_nzimm6hi c_nzimm6lo               1..0=1 15..13=0 11..7=0
c.addi     rd_rs1_n0 c_nzimm6lo c_nzimm6hi     1..0=1 15..13=0
c.addiw    rd_rs1 c_imm6lo c_imm6hi            1..0=1 15..13=1
c.li       rd c_imm6lo c_imm6hi                1..0=1 15..13=2
c.addi16sp c_nzimm10hi c_nzimm10lo             1..0=1 15..13=3 11..7=2
c.lui      rd_n2 c_nzimm18hi c_nzimm18lo       1..0=1 15..13=3
c.srli     rd_rs1_p c_nzuimm6lo c_nzuimm6hi    1..0=1 15..13=4 11..10=0
c.srai     rd_rs1_p c_nzuimm6lo c_nzuimm6hi    1..0=1 15..13=4 11..10=1
c.andi     rd_rs1_p c_imm6hi c_imm6lo          1..0=1 15..13=4 11..10=2
c.sub      rd_rs1_p rs2_p 1..0=1 15..13=4 12=0 11..10=3 6..5=0
c.xor      rd_rs1_p rs2_p 1..0=1 15..13=4 12=0 11..10=3 6..5=1
c.or       rd_rs1_p rs2_p 1..0=1 15..13=4 12=0 11..10=3 6..5=2
c.and      rd_rs1_p rs2_p 1..0=1 15..13=4 12=0 11..10=3 6..5=3
c.subw     rd_rs1_p rs2_p 1..0=1 15..13=4 12=1 11..10=3 6..5=0
c.addw     rd_rs1_p rs2_p 1..0=1 15..13=4 12=1 11..10=3 6..5=1
c.j        c_imm12                             1..0=1 15..13=5
c.beqz     rs1_p c_bimm9lo c_bimm9hi           1..0=1 15..13=6
c.bnez     rs1_p c_bimm9lo c_bimm9hi           1..0=1 15..13=7
c.slli     rd_rs1_n0 c_nzuimm6hi c_nzuimm6lo   1..0=2 15..13=0
c.fldsp    rd c_uimm9sphi c_uimm9splo          1..0=2 15..13=1
c.lwsp     rd_n0 c_uimm8sphi c_uimm8splo       1..0=2 15..13=2
c.ldsp     rd_n0 c_uimm9sphi c_uimm9splo       1..0=2 15..13=3
c.jr       rs1_n0                              1..0=2 15..13=4 12=0 6..2=0
c.mv       rd c_rs2_n0                         1..0=2 15..13=4 12=0
c.ebreak                                       1..0=2 15..13=4 12=1 11..2=0
c.jalr     c_rs1_n0                            1..0=2 15..13=4 12=1 6..2=0
c.add      rd_rs1 c_rs2_n0                     1..0=2 15..13=4 12=1
c.fsdsp    c_rs2 c_uimm9sp_s                   1..0=2 15..13=5
c.swsp     c_rs2 c_uimm8sp_s                   1..0=2 15..13=6
c.sdsp     c_rs2 c_uimm9sp_s                   1..0=2 15..13=7
"""


def _bits(w: int, hi: int, lo: int) -> int:
    return (w >> lo) & ((1 << (hi - lo + 1)) - 1)


def _sext(v: int, bits: int) -> int:
    sign = 1 << (bits - 1)
    return (v ^ sign) - sign


def _scatter(w: int, spec: Tuple[Tuple[int, int, int], ...]) -> int:
    """Gather instruction bits [hi..lo] into immediate bit position `at`."""
    v = 0
    for hi, lo, at in spec:
        v |= _bits(w, hi, lo) << at
    return v


# Operand extractors: name -> (operand it provides, function of the word).
# Paired fields (imm12hi/imm12lo, ...) are extracted once, by the first name.
FIELDS: Dict[str, Tuple[str, Callable[[int], int]]] = {
    "rd": ("rd", lambda w: _bits(w, 11, 7)),
    "rs1": ("rs1", lambda w: _bits(w, 19, 15)),
    "rs2": ("rs2", lambda w: _bits(w, 24, 20)),
    "rs3": ("rs3", lambda w: _bits(w, 31, 27)),
    "rm": ("rm", lambda w: _bits(w, 14, 12)),
    "csr": ("csr", lambda w: _bits(w, 31, 20)),
    "zimm": ("zimm", lambda w: _bits(w, 19, 15)),
    "shamtd": ("imm", lambda w: _bits(w, 25, 20)),
    "shamtw": ("imm", lambda w: _bits(w, 24, 20)),
    "imm12": ("imm", lambda w: _sext(_bits(w, 31, 20), 12)),
    "imm12hi": ("imm", lambda w: _sext((_bits(w, 31, 25) << 5) | _bits(w, 11, 7), 12)),
    "bimm12hi": ("imm", lambda w: _sext(_scatter(w, ((31, 31, 12), (7, 7, 11), (30, 25, 5), (11, 8, 1))), 13)),
    "imm20": ("imm", lambda w: _sext(w & 0xFFFFF000, 32)),
    "jimm20": ("imm", lambda w: _sext(_scatter(w, ((31, 31, 20), (19, 12, 12), (20, 20, 11), (30, 21, 1))), 21)),
    "fm": ("fm", lambda w: _bits(w, 31, 28)),
    "pred": ("pred", lambda w: _bits(w, 27, 24)),
    "succ": ("succ", lambda w: _bits(w, 23, 20)),
    "aq": ("aq", lambda w: _bits(w, 26, 26)),
    "rl": ("rl", lambda w: _bits(w, 25, 25)),
    # compressed registers and immediates
    "rd_p": ("rd", lambda w: 8 + _bits(w, 4, 2)),
    "rs1_p": ("rs1", lambda w: 8 + _bits(w, 9, 7)),
    "rs2_p": ("rs2", lambda w: 8 + _bits(w, 4, 2)),
    "rd_rs1_p": ("rd", lambda w: 8 + _bits(w, 9, 7)),
    "rd_rs1_n0": ("rd", lambda w: _bits(w, 11, 7)),
    "rd_rs1": ("rd", lambda w: _bits(w, 11, 7)),
    "rd_n0": ("rd", lambda w: _bits(w, 11, 7)),
    "rd_n2": ("rd", lambda w: _bits(w, 11, 7)),
    "rs1_n0": ("rs1", lambda w: _bits(w, 11, 7)),
    "c_rs1_n0": ("rs1", lambda w: _bits(w, 11, 7)),
    "c_rs2_n0": ("rs2", lambda w: _bits(w, 6, 2)),
    "c_rs2": ("rs2", lambda w: _bits(w, 6, 2)),
    "c_nzuimm10": ("imm", lambda w: _scatter(w, ((12, 11, 4), (10, 7, 6), (6, 6, 2), (5, 5, 3)))),
    "c_uimm8lo": ("imm", lambda w: _scatter(w, ((12, 10, 3), (6, 5, 6)))),
    "c_uimm7lo": ("imm", lambda w: _scatter(w, ((12, 10, 3), (6, 6, 2), (5, 5, 6)))),
    "c_nzimm6hi": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 5), (6, 2, 0))), 6)),
    "c_nzimm6lo": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 5), (6, 2, 0))), 6)),
    "c_imm6lo": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 5), (6, 2, 0))), 6)),
    "c_imm6hi": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 5), (6, 2, 0))), 6)),
    "c_nzimm10hi": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 9), (6, 6, 4), (5, 5, 6), (4, 3, 7), (2, 2, 5))), 10)),
    "c_nzimm18hi": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 17), (6, 2, 12))), 18)),
    "c_nzuimm6lo": ("imm", lambda w: _scatter(w, ((12, 12, 5), (6, 2, 0)))),
    "c_nzuimm6hi": ("imm", lambda w: _scatter(w, ((12, 12, 5), (6, 2, 0)))),
    "c_imm12": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 11), (11, 11, 4), (10, 9, 8), (8, 8, 10), (7, 7, 6), (6, 6, 7), (5, 3, 1), (2, 2, 5))), 12)),
    "c_bimm9lo": ("imm", lambda w: _sext(_scatter(w, ((12, 12, 8), (11, 10, 3), (6, 5, 6), (4, 3, 1), (2, 2, 5))), 9)),
    "c_uimm9sphi": ("imm", lambda w: _scatter(w, ((12, 12, 5), (6, 5, 3), (4, 2, 6)))),
    "c_uimm8sphi": ("imm", lambda w: _scatter(w, ((12, 12, 5), (6, 4, 2), (3, 2, 6)))),
    "c_uimm9sp_s": ("imm", lambda w: _scatter(w, ((12, 10, 3), (9, 7, 6)))),
    "c_uimm8sp_s": ("imm", lambda w: _scatter(w, ((12, 9, 2), (8, 7, 6)))),
}
# Both halves of a split field name the same extractor; the first one met
# in a table line extracts the operand.
for _a, _b in (("imm12hi", "imm12lo"), ("bimm12hi", "bimm12lo"), ("c_uimm8lo", "c_uimm8hi"),
               ("c_uimm7lo", "c_uimm7hi"), ("c_nzimm10hi", "c_nzimm10lo"),
               ("c_nzimm18hi", "c_nzimm18lo"), ("c_uimm9sphi", "c_uimm9splo"),
               ("c_uimm8sphi", "c_uimm8splo"), ("c_bimm9lo", "c_bimm9hi")):
    FIELDS[_b] = FIELDS[_a]


class Encoding(NamedTuple):
    """One instruction's encoding: match/mask and how to extract operands."""

    name: str
    match: int
    mask: int
    length: int  # 2 or 4 bytes
    fields: Tuple[str, ...]  # extractor names from FIELDS, in table order

    def operands(self, word: int) -> Dict[str, int]:
        """The operand values of an instruction word with this encoding."""
        return {FIELDS[f][0]: FIELDS[f][1](word) for f in self.fields}


def _parse_line(line: str) -> Encoding:
    name, *items = line.split()
    match = mask = 0
    fields: List[str] = []
    for item in items:
        if "=" not in item:
            if item not in FIELDS:
                raise ValueError(f"{name}: unknown operand field {item}")
            if all(FIELDS[f][0] != FIELDS[item][0] for f in fields):
                fields.append(item)
            continue
        rng, val = item.split("=")
        hi, lo = (int(b) for b in rng.split("..")) if ".." in rng else (int(rng), int(rng))
        width = hi - lo + 1
        value = int(val, 0)
        if value >> width:
            raise ValueError(f"{name}: {item} does not fit")
        mask |= ((1 << width) - 1) << lo
        match |= value << lo
    length = 2 if name.startswith("c.") else 4
    return Encoding(name, match, mask, length, tuple(fields))


def _parse(text: str) -> Dict[str, Encoding]:
    table: Dict[str, Encoding] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            enc = _parse_line(line)
            if enc.name in table:
                raise ValueError(f"duplicate encoding {enc.name}")
            table[enc.name] = enc
    return table


ENCODINGS: Dict[str, Encoding] = _parse(OPCODES)
