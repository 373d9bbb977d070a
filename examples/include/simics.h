/*
 * simics.h: 15-410's debugging and simulator interface. A program talks to
 * the Simics simulator through sim_call(cmd, ...): %ebx = cmd, %ecx and
 * %edx the arguments, then the magic instruction `xchg %ebx,%ebx`.
 * Pebblebed's loader turns that instruction inside sim_call into a trap,
 * so the calls reach its kernel (Sources/Pebblebed/Simics/README.md):
 *   - sim_in_simics answers 1, sim_memsize the memory in KiB;
 *   - sim_puts and sim_printf write a line to the kernel log;
 *   - sim_breakpoint (MAGIC_BREAK) stops a host debugger when one is
 *     attached (pebblebed run --gdb) and is logged otherwise;
 *   - sim_halt halts the machine;
 *   - sim_update_scoreboard reaches the harness call, which is logged;
 *   - magic_readline is readline (the harness's key feeding is not here);
 *   - sim_ck1, sim_fr_prog, sim_fr_here belong to the course's grading
 *     scripts, which Pebblebed does not have: they only log that they ran.
 * lprintf writes one formatted line to the kernel log (Pebblebed extension
 * vector LPRINTF_INT), not to the console.
 * The library's sim_call is an object of its own: a program that brings its
 * own sim_call keeps it. Safe to include from assembly (.S).
 */
#ifndef _SIMICS_H
#define _SIMICS_H

#define SIM_IN_SIMICS    0x04100000
#define SIM_MEMSIZE      0x04100001
#define SIM_PUTS         0x04100002
#define SIM_BREAKPOINT   0x04100003
#define SIM_HALT         0x04100004
#define SIM_TEST_REPORT  0x0410800B

#if !defined(ASSEMBLER) && !defined(__ASSEMBLER__)

int sim_call(int cmd, ...);

int sim_in_simics(void);
int sim_memsize(void);
void sim_puts(const char *arg);
void sim_breakpoint(void);
void sim_halt(void);
void sim_ck1(void);
void sim_fr_prog(int a);
void sim_fr_here(void);
void sim_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int magic_readline(int size, char *buf);
void sim_update_scoreboard(char *testname, int success);

int lprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

#define MAGIC_BREAK sim_breakpoint()

#endif /* !ASSEMBLER */

#endif /* _SIMICS_H */
