// The C library string and memory functions the kernel (and gcc) need.
#include "types.h"
#include "defs.h"

void *memset(void *dst, int c, size_t n)
{
  uint8 *d = dst;
  if (((uint64)d & 7) == 0 && (n & 7) == 0) {
    uint64 v = (uint8)c;
    v |= v << 8;
    v |= v << 16;
    v |= v << 32;
    uint64 *q = dst, *end = q + n / 8;
    while (end - q >= 8) {   // whole pages are zeroed often: 64 bytes a turn
      q[0] = v; q[1] = v; q[2] = v; q[3] = v;
      q[4] = v; q[5] = v; q[6] = v; q[7] = v;
      q += 8;
    }
    while (q < end)
      *q++ = v;
    return dst;
  }
  for (size_t i = 0; i < n; i++)
    d[i] = c;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
  uint8 *d = dst;
  const uint8 *s = src;
  if (s < d && s + n > d) {
    while (n-- > 0)
      d[n] = s[n];
    return dst;
  }
  if ((((uint64)d | (uint64)s | n) & 7) == 0) {
    uint64 *qd = dst, *end = qd + n / 8;
    const uint64 *qs = src;
    while (end - qd >= 8) {   // copy-on-write copies whole pages
      uint64 a = qs[0], b = qs[1], c = qs[2], e = qs[3];
      uint64 f = qs[4], g = qs[5], h = qs[6], k = qs[7];
      qd[0] = a; qd[1] = b; qd[2] = c; qd[3] = e;
      qd[4] = f; qd[5] = g; qd[6] = h; qd[7] = k;
      qd += 8;
      qs += 8;
    }
    while (qd < end)
      *qd++ = *qs++;
    return dst;
  }
  for (size_t i = 0; i < n; i++)
    d[i] = s[i];
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
  return memmove(dst, src, n);
}

int memcmp(const void *a, const void *b, size_t n)
{
  const uint8 *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i])
      return x[i] - y[i];
  return 0;
}

size_t strlen(const char *s)
{
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

int strcmp(const char *a, const char *b)
{
  while (*a && *a == *b)
    a++, b++;
  return (uint8)*a - (uint8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
  while (n > 0 && *a && *a == *b)
    n--, a++, b++;
  return n == 0 ? 0 : (uint8)*a - (uint8)*b;
}

// Copy at most size-1 bytes and always terminate.
char *safestrcpy(char *dst, const char *src, size_t size)
{
  if (size == 0)
    return dst;
  size_t i = 0;
  for (; i + 1 < size && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}

char *strchr(const char *s, int c)
{
  for (; *s; s++)
    if (*s == c)
      return (char *)s;
  return 0;
}
