// hello: stdio through glibc (printf, buffering, stdout as a tty), argv, environ.
#include <errno.h>
#include "tlib.h"

int main(int argc, char **argv)
{
  tstart("hello");
  printf("hello from %s: %d %s %.3f\n", argv[0], 42, "world", 2.5);
  CHECK(argc >= 1, "argc %d", argc);
  CHECK(isatty(1), "stdout is not a tty");
  char buf[64];
  int n = snprintf(buf, sizeof(buf), "%05d|%-4s|%x", 7, "ab", 255);
  CHECK(n == 13 && strcmp(buf, "00007|ab  |ff") == 0, "snprintf gave %s (%d)", buf, n);
  char *p = malloc(100000);
  CHECK(p, "malloc failed");
  memset(p, 'x', 100000);
  free(p);
  tpass();
}
