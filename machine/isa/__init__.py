"""The instruction set, declared once.

`encoding` holds every encoding (match/mask, in the riscv-opcodes notation of
the ISA spec's opcode tables) and the operand extractors; the extension
modules (`rv64i`, `rv64m`, `rv64a`, `rv64fd`, `rvc`, `zicsr`, `priv`) hold
one semantics template per instruction. Importing this package fills
`INSNS`, from which the decoder, the block translator, the single-step path
and the trace all derive.
"""

from trapscope.machine.isa import priv, rv64a, rv64fd, rv64i, rv64m, rvc, zicsr  # noqa: F401,E402
from trapscope.machine.isa.table import INSNS, InsnDef, decode, decode_word  # noqa: F401
from trapscope.machine.isa.table import finish as _finish  # noqa: E402

_finish()
