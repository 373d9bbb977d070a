/*
 * assert.h: a failed assertion prints the expression and file:line on the
 * console (and the host log) and ends the whole task with status -1.
 * Not guarded on purpose: NDEBUG may change between inclusions (C standard).
 */
/* panic is declared here too, where 15-410's assert.h has it (and in
 * stdlib.h): it ends the whole task after printing the message. */
void panic(const char *format, ...)
    __attribute__((__noreturn__, format(printf, 1, 2)));

#undef assert
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
void __assert_fail(const char *expr, const char *file, int line)
    __attribute__((__noreturn__));
#define assert(expr) \
    ((expr) ? (void)0 : __assert_fail(#expr, __FILE__, __LINE__))
#endif
