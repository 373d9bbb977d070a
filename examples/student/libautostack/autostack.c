/*
 * autostack.c: grows the main thread's stack. crt0 calls install_autostack
 * with the stack the kernel gave; a page fault a little below its bottom
 * (and above the limit this library reserves, see thr_internals.h) maps
 * the missing pages and resumes. Anything else is handed back: the
 * handler is deregistered and the faulting instruction runs again.
 */
#include <syscall.h>
#include <ureg.h>
#include <thr_internals.h>

static unsigned int main_low;      /* lowest mapped byte of the main stack */
unsigned int autostack_high;       /* read by thr_init */
static char handler_stack[PAGE_SIZE] __attribute__((aligned(16)));

static void grow(void *arg, ureg_t *ureg);

static void arm(ureg_t *resume)
{
    swexn(handler_stack + sizeof(handler_stack) - 16, grow, 0, resume);
}

static void grow(void *arg, ureg_t *ureg)
{
    unsigned int page = ureg->cr2 & ~(PAGE_SIZE - 1);

    if (ureg->cause == SWEXN_CAUSE_PAGEFAULT && ureg->cr2 < main_low &&
        ureg->cr2 >= autostack_high - MAIN_STACK_MAX &&
        new_pages((void *)page, (int)(main_low - page)) == 0) {
        main_low = page;
        arm(ureg);
    }
    swexn(0, 0, 0, ureg);          /* not ours: run it again with no handler */
}

void install_autostack(void *stack_high, void *stack_low)
{
    autostack_high = (unsigned int)stack_high;
    main_low = (unsigned int)stack_low;
    arm(0);
}
