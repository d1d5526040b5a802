// brktest: the program break: lazy growth, shrink, regrow with zeros, and
// malloc on top of it.
#include <errno.h>
#include <stdint.h>
#include "tlib.h"

#define PG 4096

int main(void)
{
  tstart("brktest");
  char *start = sbrk(0);
  CHECK(start != (void *)-1, "sbrk(0)");
  long before = free_frames();
  char *p = sbrk(256 * PG);
  CHECK(p == start, "sbrk returned %p, break was %p", (void *)p, (void *)start);
  CHECK(sbrk(0) == start + 256 * PG, "break did not move");
  CHECK(before - free_frames() < 4, "brk growth allocated eagerly");
  for (int i = 0; i < 256; i++)
    CHECK(p[i * PG] == 0, "new heap page %d not zero", i);
  for (int i = 0; i < 256; i += 2)
    p[i * PG + 5] = (char)i;
  for (int i = 0; i < 256; i += 2)
    CHECK(p[i * PG + 5] == (char)i, "heap page %d lost its data", i);
  long used = before - free_frames();
  CHECK(used >= 128, "128 touched pages used only %ld frames", used);
  // Shrink: the top half goes away and its frames come back.
  CHECK(brk(start + 128 * PG) == 0, "brk shrink: errno %d", errno);
  CHECK(before - free_frames() < used - 60, "shrinking brk freed nothing");
  // Regrow: the pages come back zeroed.
  CHECK(sbrk(128 * PG) == start + 128 * PG, "regrow");
  for (int i = 128; i < 256; i++)
    CHECK(p[i * PG + 5] == 0, "regrown page %d not zero", i);
  CHECK(brk(start) == 0, "brk back to the start");
  // brk below the heap start leaves the break alone (the kernel answers
  // with the current break, as Linux does).
  CHECK(syscall(SYS_brk, 0x1000) == (long)start, "brk below the heap start moved it");
  CHECK(sbrk(0) == start, "the break moved");
  // malloc of small and large blocks (the large ones use mmap).
  void *blocks[64];
  for (int i = 0; i < 64; i++) {
    blocks[i] = malloc(100 + i * 1000);
    CHECK(blocks[i], "malloc %d", i);
    memset(blocks[i], i, 100 + i * 1000);
  }
  void *big = malloc(4 << 20);
  CHECK(big, "malloc 4 MiB");
  memset(big, 7, 4 << 20);
  for (int i = 0; i < 64; i++) {
    CHECK(((unsigned char *)blocks[i])[99] == i, "block %d corrupted", i);
    free(blocks[i]);
  }
  free(big);
  tpass();
}
