/*
 * swexn_newpages: a handler maps the missing page with new_pages and
 * resumes; the faulting store then completes, a faulting load reads zero,
 * and the handler ran once per page.
 */
#define TEST_NAME "swexn_newpages"
#include "testlib.h"

#define AREA 0x60000000u
#define PAGES 12
#define PAGE_MASK (~(unsigned int)(PAGE_SIZE - 1))

static char exn_stack[PAGE_SIZE] __attribute__((aligned(16)));
static volatile int faults;
static volatile unsigned int last_cr2;

__attribute__((force_align_arg_pointer))
static void handler(void *arg, ureg_t *ureg)
{
    if (arg != (void *)0x5eed || ureg->cause != SWEXN_CAUSE_PAGEFAULT)
        fail("handler got arg %p cause %#x", arg, ureg->cause);
    if (ureg->cr2 < AREA || ureg->cr2 >= AREA + 4 * PAGES * PAGE_SIZE)
        fail("unexpected fault at %#x, eip %#x", ureg->cr2, ureg->eip);
    last_cr2 = ureg->cr2;
    faults++;
    if (new_pages((void *)(ureg->cr2 & PAGE_MASK), PAGE_SIZE) < 0)
        fail("new_pages for %#x refused", ureg->cr2);
    swexn(exn_stack + sizeof(exn_stack), handler, (void *)0x5eed, ureg);
    fail("swexn refused to resume");
}

int main(int argc, char **argv)
{
    int i;
    unsigned int a;

    CHECK(swexn(exn_stack + sizeof(exn_stack), handler, (void *)0x5eed, 0) == 0);
    for (i = 0; i < PAGES; i++) {                   /* every fourth page, a store */
        a = AREA + (unsigned int)i * 4 * PAGE_SIZE + 100;
        *(volatile unsigned int *)a = a;
        CHECK(last_cr2 == a);
        CHECK(*(volatile unsigned int *)a == a);
    }
    CHECK(faults == PAGES);
    a = AREA + PAGE_SIZE + 8;                       /* a load from a missing page */
    CHECK(*(volatile unsigned int *)a == 0);
    CHECK(faults == PAGES + 1 && last_cr2 == a);
    for (i = 0; i < PAGES; i++)                     /* no further faults */
        CHECK(*(volatile unsigned int *)(AREA + (unsigned int)i * 4 * PAGE_SIZE + 100)
              == AREA + (unsigned int)i * 4 * PAGE_SIZE + 100);
    CHECK(faults == PAGES + 1);
    pass();
}
