/*
 * autostack.c: grows the first thread's stack on demand, as Pebbles
 * programs expect. The kernel maps only a few pages at exec; a page fault
 * just below the current bottom is answered here by mapping more pages with
 * new_pages and resuming the faulting instruction.
 *
 * Only the first thread has this handler (thread_fork clears it), so the
 * static exception stack has a single user. fork copies it along with the
 * handler registration, which is what the child needs.
 */
#include <syscall.h>
#include <simics.h>
#include "internal.h"

/* Slack for instructions that write below %esp before moving it (pusha: 32). */
#define BELOW_ESP_SLACK 65536u
/* Map a little more than the faulting page so deep calls take fewer faults. */
#define EXTRA_PAGES 3u

static unsigned int stack_low;
static char exn_stack[4096] __attribute__((aligned(16)));

static void autostack_handler(void *arg, ureg_t *ureg);

static void *exn_stack_top(void)
{
    return exn_stack + sizeof(exn_stack);
}

/* A fault is stack growth if it lands between the limit and the current
 * bottom, near %esp; anything else is a genuine fault. */
static int is_growth(const ureg_t *ureg)
{
    unsigned int floor = _pb_autostack_floor();

    if (ureg->cause != SWEXN_CAUSE_PAGEFAULT)
        return 0;
    if (ureg->cr2 >= stack_low || ureg->cr2 < floor)
        return 0;
    /* Written as a difference: cr2 + slack would wrap past 4 GiB, and the
     * stack lives at the very top of memory. */
    return ureg->cr2 >= ureg->esp || ureg->esp - ureg->cr2 <= BELOW_ESP_SLACK;
}

static int grow_to(unsigned int addr)
{
    unsigned int floor = _pb_autostack_floor();
    unsigned int base = (addr & ~(PAGE_SIZE - 1)) - EXTRA_PAGES * PAGE_SIZE;

    if (base < floor || base > addr)   /* second test: wrapped below 0 */
        base = floor;
    if (new_pages((void *)base, (int)(stack_low - base)) < 0)
        return -1;
    stack_low = base;
    return 0;
}

/*
 * Breakpoint and overflow are traps: the saved eip is already past the
 * instruction, so resuming there would continue as if nothing happened.
 * Step back onto it (int3 CC, int $3 CD 03, into CE, int $4 CD 04) so it
 * runs again with the same flags and the kernel sees it with no handler.
 * Every other cause is a fault whose eip is the instruction itself.
 */
static void rewind_trap(ureg_t *ureg)
{
    const unsigned char *ip = (const unsigned char *)ureg->eip;
    unsigned char one, imm;

    if (ureg->cause == SWEXN_CAUSE_BREAKPOINT) {
        one = 0xCC;
        imm = 0x03;
    } else if (ureg->cause == SWEXN_CAUSE_OVERFLOW) {
        one = 0xCE;
        imm = 0x04;
    } else {
        return;
    }
    if (ip[-1] == one)
        ureg->eip -= 1;
    else if (ip[-2] == 0xCD && ip[-1] == imm)
        ureg->eip -= 2;
}

/*
 * Runs on exn_stack with the handler already deregistered by the kernel.
 * force_align_arg_pointer: the kernel only promises a word-aligned frame.
 */
__attribute__((force_align_arg_pointer))
static void autostack_handler(void *arg, ureg_t *ureg)
{
    (void)arg;
    if (is_growth(ureg) && grow_to(ureg->cr2) == 0) {
        swexn(exn_stack_top(), autostack_handler, 0, ureg);
    } else {
        /* Not ours: resume with no handler, so the fault recurs and the
         * kernel reports and kills the thread as for any unhandled fault. */
        rewind_trap(ureg);
        swexn(0, 0, 0, ureg);
    }
    /* swexn only returns if it rejected ureg, which it did not build. */
    lprintf("autostack: swexn refused to resume at eip %#x", ureg->eip);
    task_vanish(-2);
}

/* Called by crt0 (15-410's name and signature); a user's libautostack may
 * bring its own instead (crt0.S says how that wins). */
void install_autostack(void *stack_high, void *stack_low_arg)
{
    (void)stack_high;           /* crt0 keeps it in _pb_stack_high */
    stack_low = (unsigned int)stack_low_arg;
    if (swexn(exn_stack_top(), autostack_handler, 0, 0) < 0)
        lprintf("autostack: swexn registration failed; the stack cannot grow");
}
