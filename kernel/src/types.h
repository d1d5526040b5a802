// Fixed-width types for a freestanding RV64 kernel (no libc headers).
#ifndef TYPES_H
#define TYPES_H

typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;
typedef signed char int8;
typedef short int16;
typedef int int32;
typedef long int64;
typedef unsigned int uint;
typedef unsigned long size_t;
typedef long ssize_t;

typedef uint64 pte_t;
typedef uint64 *pagetable_t;   // 512 PTEs

#define NULL ((void *)0)
#define offsetof(t, m) __builtin_offsetof(t, m)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) \
  ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
