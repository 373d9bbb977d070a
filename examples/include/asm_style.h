/*
 * asm_style.h: conveniences for writing i386 assembly (.S) that C calls,
 * in the GNU as (AT&T) style the course's code uses:
 *     #include <asm_style.h>
 *     ENTRY(get_esp)
 *         movl %esp, %eax
 *         ret
 *     END(get_esp)
 * Including it from C only defines the same macros, which C never uses.
 */
#ifndef _ASM_STYLE_H
#define _ASM_STYLE_H

/* A global function: text section, aligned, typed, with its label. */
#define ENTRY(name) \
    .text; .globl name; .type name, @function; .align 4; name:
/* Ends a function started with ENTRY: gives the symbol its size. */
#define END(name) .size name, . - name

/* Offsets of cdecl arguments from %esp at a function's first instruction. */
#define ARG1 4
#define ARG2 8
#define ARG3 12
#define ARG4 16

#endif /* _ASM_STYLE_H */
