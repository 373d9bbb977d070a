/*
 * types.h: 15-410's basic types header, which student code (a malloc
 * wrapper, a thread library) includes for size_t and the fixed-width
 * integer types. Safe to include from assembly (.S).
 */
#ifndef _TYPES_H
#define _TYPES_H

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef int ssize_t;
typedef unsigned int uint;
#endif /* !ASSEMBLER */

#endif /* _TYPES_H */
