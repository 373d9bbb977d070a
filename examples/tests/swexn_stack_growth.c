/*
 * swexn_stack_growth: autostack done by the test itself. Its own handler
 * replaces the library's and maps each missing stack page with new_pages;
 * a deep recursion runs megabytes below the few pages exec gave.
 */
#define TEST_NAME "swexn_stack_growth"
#include "testlib.h"

#define DEPTH 40000                 /* 40000 frames of >= 64 bytes: > 2.5 MB */
#define PAGE_MASK (~(unsigned int)(PAGE_SIZE - 1))
#define LIMIT (16u << 20)           /* growth allowed up to 16 MiB below the top */

static char exn_stack[PAGE_SIZE] __attribute__((aligned(16)));
static volatile int growths;
static volatile unsigned int lowest = 0xFFFFFFFFu;


__attribute__((force_align_arg_pointer))
static void grow(void *arg, ureg_t *ureg)
{
    unsigned int page = ureg->cr2 & PAGE_MASK;

    if (ureg->cause != SWEXN_CAUSE_PAGEFAULT || ureg->cr2 < 0u - LIMIT || ureg->cr2 > ureg->esp + PAGE_SIZE)
        fail("not stack growth: cause %#x cr2 %#x esp %#x", ureg->cause, ureg->cr2, ureg->esp);
    if (new_pages((void *)page, PAGE_SIZE) < 0)
        fail("new_pages(%#x) refused", page);
    growths++;
    if (page < lowest)
        lowest = page;
    swexn(exn_stack + sizeof(exn_stack), grow, 0, ureg);
    fail("swexn refused to resume");
}

static int recurse(int n)
{
    volatile char pad[40];

    pad[0] = (char)n;
    pad[39] = (char)(n >> 8);
    if (n == 0)
        return 0;
    return recurse(n - 1) + 1 + (pad[0] - (char)n) + (pad[39] - (char)(n >> 8));
}

int main(int argc, char **argv)
{
    int depth;

    CHECK(swexn(exn_stack + sizeof(exn_stack), grow, 0, 0) == 0);
    depth = recurse(DEPTH);
    if (depth != DEPTH)
        fail("recursion returned %d", depth);
    CHECK(growths > 200);                /* over 800 KiB grown, a page a fault */
    CHECK(lowest < 0xFFFFFFFFu - (1u << 20));
    /* Again: the pages are there now, no more growth. */
    depth = growths;
    CHECK(recurse(DEPTH) == DEPTH);
    CHECK(growths == depth);
    pass();
}
