/*
 * types.h: 15-410's basic types header, which student code (a malloc
 * wrapper, a thread library) includes for size_t and the fixed-width
 * integer types. Safe to include from assembly (.S).
 */
#ifndef _TYPES_H
#define _TYPES_H

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)
/* Only the standard types: a student's code that defines its own bool,
 * uint or ssize_t must not collide with definitions from here. */
#include <stddef.h>
#include <stdint.h>
#endif /* !ASSEMBLER */

#endif /* _TYPES_H */
