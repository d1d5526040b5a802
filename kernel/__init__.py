"""The guest kernel (C/asm sources, user programs, build) and the Python views of its structures."""
