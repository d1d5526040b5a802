// Flattened device tree: read the few facts the kernel needs (memory, harts,
// timebase, bootargs) into struct bootinfo, before anything is allocated.
#include "types.h"
#include "param.h"
#include "defs.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

struct bootinfo bootinfo;

static uint32 be32(const void *p)
{
  const uint8 *b = p;
  return ((uint32)b[0] << 24) | ((uint32)b[1] << 16) | ((uint32)b[2] << 8) | b[3];
}

static uint64 read_cells(const uint8 *p, int cells)
{
  uint64 v = 0;
  for (int i = 0; i < cells; i++)
    v = (v << 32) | be32(p + 4 * i);
  return v;
}

// Per-node facts gathered while walking, applied at the node's end.
struct node_state {
  char name[32];
  int depth;
  int is_cpu;
  int disabled;
  int64 reg;          // cpu: hart id
};

static int prefix(const char *s, const char *p)
{
  while (*p)
    if (*s++ != *p++)
      return 0;
  return 1;
}

static void on_prop(struct node_state *n, const char *parent, const char *pname,
                    const uint8 *val, uint32 len)
{
  if (n->depth == 1 && prefix(n->name, "memory") && strcmp(pname, "reg") == 0 && len >= 16) {
    if (bootinfo.mem_size == 0) {
      bootinfo.mem_base = read_cells(val, 2);
      bootinfo.mem_size = read_cells(val + 8, 2);
    }
  } else if (n->depth == 1 && strcmp(n->name, "chosen") == 0 && strcmp(pname, "bootargs") == 0) {
    safestrcpy(bootinfo.bootargs, (const char *)val, MIN(len + 1, sizeof(bootinfo.bootargs)));
  } else if (n->depth == 1 && strcmp(n->name, "cpus") == 0 &&
             strcmp(pname, "timebase-frequency") == 0) {
    bootinfo.timebase = len == 8 ? read_cells(val, 2) : be32(val);
  } else if (n->depth == 2 && strcmp(parent, "cpus") == 0 && prefix(n->name, "cpu@")) {
    if (strcmp(pname, "device_type") == 0 && strcmp((const char *)val, "cpu") == 0)
      n->is_cpu = 1;
    else if (strcmp(pname, "reg") == 0)
      n->reg = len == 8 ? (int64)read_cells(val, 2) : be32(val);
    else if (strcmp(pname, "status") == 0 && strcmp((const char *)val, "okay") != 0)
      n->disabled = 1;
  }
}

// Parse the device tree at fdt.  Returns 0 on success.
int fdt_parse(uint64 fdt)
{
  const uint8 *base = (const uint8 *)fdt;
  if (be32(base) != FDT_MAGIC)
    return -1;
  const uint8 *structs = base + be32(base + 8);
  const char *strings = (const char *)base + be32(base + 12);
  struct node_state stack[8];
  int depth = -1;
  const uint8 *p = structs;
  for (;;) {
    uint32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      depth++;
      if (depth < 8) {
        struct node_state *n = &stack[depth];
        memset(n, 0, sizeof(*n));
        n->depth = depth;
        n->reg = -1;
        safestrcpy(n->name, name, sizeof(n->name));
      }
      p += PGROUNDUP_N(strlen(name) + 1, 4);
    } else if (tok == FDT_END_NODE) {
      if (depth >= 0 && depth < 8) {
        struct node_state *n = &stack[depth];
        if (n->is_cpu && !n->disabled && n->reg >= 0 && n->reg < NCPU) {
          bootinfo.hart_present |= 1UL << n->reg;
          bootinfo.nharts++;
        }
      }
      depth--;
    } else if (tok == FDT_PROP) {
      uint32 len = be32(p);
      uint32 nameoff = be32(p + 4);
      const uint8 *val = p + 8;
      if (depth >= 0 && depth < 8)
        on_prop(&stack[depth], depth > 0 ? stack[depth - 1].name : "", strings + nameoff, val, len);
      p = val + PGROUNDUP_N(len, 4);
    } else if (tok == FDT_NOP) {
      continue;
    } else {
      break;
    }
  }
  if (bootinfo.timebase == 0)
    bootinfo.timebase = 10000000;
  return bootinfo.mem_size ? 0 : -1;
}
