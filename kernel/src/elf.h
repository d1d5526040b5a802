// ELF64 file format, the parts exec needs.
#ifndef ELF_H
#define ELF_H
#include "types.h"

#define ELF_MAGIC 0x464C457FU   // "\x7FELF" in little endian
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_RISCV 243

struct elfhdr {
  uint32 magic;
  uint8 class, data, version, osabi;
  uint8 pad[8];
  uint16 type;
  uint16 machine;
  uint32 eversion;
  uint64 entry;
  uint64 phoff;
  uint64 shoff;
  uint32 flags;
  uint16 ehsize;
  uint16 phentsize;
  uint16 phnum;
  uint16 shentsize;
  uint16 shnum;
  uint16 shstrndx;
};

struct proghdr {
  uint32 type;
  uint32 flags;
  uint64 off;
  uint64 vaddr;
  uint64 paddr;
  uint64 filesz;
  uint64 memsz;
  uint64 align;
};

#define PT_LOAD 1
#define PT_INTERP 3
#define PF_X 1
#define PF_W 2
#define PF_R 4

#endif
