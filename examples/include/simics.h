/*
 * simics.h: debugging aids. lprintf writes one line to the host's kernel
 * log (Pebblebed extension vector LPRINTF_INT), not to the console.
 * MAGIC_BREAK only logs where it was hit: Pebblebed has no Simics magic
 * instruction yet, and an int3 would kill the program.
 */
#ifndef _SIMICS_H
#define _SIMICS_H

int lprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

#define MAGIC_BREAK \
    do { lprintf("MAGIC_BREAK at %s:%d", __FILE__, __LINE__); } while (0)

#endif /* _SIMICS_H */
