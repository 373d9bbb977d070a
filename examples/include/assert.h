/*
 * assert.h: a failed assertion prints the expression and file:line on the
 * console (and the host log) and ends the whole task with status -1.
 * Not guarded on purpose: NDEBUG may change between inclusions (C standard).
 */
#undef assert
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
void __assert_fail(const char *expr, const char *file, int line)
    __attribute__((__noreturn__));
#define assert(expr) \
    ((expr) ? (void)0 : __assert_fail(#expr, __FILE__, __LINE__))
#endif
