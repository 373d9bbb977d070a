/*
 * vm_new_pages_errors: every new_pages/remove_pages error case of the ABI,
 * each refused with nothing changed (a refused request maps no part of its
 * range: the same range is free to map afterwards).
 */
#define TEST_NAME "vm_new_pages_errors"
#include "testlib.h"

int main(int argc, char **argv);

#define BASE ((char *)0x40000000)
#define PAGE_MASK (~(unsigned int)(PAGE_SIZE - 1))

static int data_word = 17;                 /* .data */
static char bss_block[2 * PAGE_SIZE];      /* .bss */
static const char rodata[] = "read-only";  /* text segment */

static void *page_of(const void *p)
{
    return (void *)((unsigned int)p & PAGE_MASK);
}

/* A request that must fail and leave [base, base+len) exactly as it was. */
static void refused(void *base, int len, int line)
{
    if (new_pages(base, len) >= 0)
        fail("line %d: new_pages(%p, %d) succeeded", line, base, len);
}
#define REFUSED(b, l) refused((void *)(b), (l), __LINE__)

static void argument_errors(void)
{
    REFUSED(BASE + 1, PAGE_SIZE);                    /* unaligned base */
    REFUSED(BASE + PAGE_SIZE - 1, PAGE_SIZE);
    REFUSED(BASE, 0);                                /* empty */
    REFUSED(BASE, -PAGE_SIZE);                       /* negative */
    REFUSED(BASE, (int)0x80000000);                  /* INT_MIN */
    REFUSED(BASE, 1);                                /* not whole pages */
    REFUSED(BASE, PAGE_SIZE + 1);
    REFUSED(BASE, PAGE_SIZE - 1);
    REFUSED(0, PAGE_SIZE);                           /* below user memory */
    REFUSED(0x00800000, PAGE_SIZE);
    REFUSED(0x00FFF000, PAGE_SIZE);
    REFUSED(0x00FFF000, 2 * PAGE_SIZE);              /* straddles 0x01000000 */
    REFUSED(0xFFFFF000u, 2 * PAGE_SIZE);             /* wraps past 4 GiB */
    REFUSED(0xF0000000u, 0x7FFFF000);                /* ends past 4 GiB */
    /* None of those mapped anything at BASE. */
    CHECK(new_pages(BASE, PAGE_SIZE) == 0);
    CHECK(remove_pages(BASE) == 0);
}

static void overlap_errors(void)
{
    int local = 0;

    REFUSED(page_of((void *)main), PAGE_SIZE);       /* text */
    REFUSED(page_of(rodata), PAGE_SIZE);
    REFUSED(page_of(&data_word), PAGE_SIZE);         /* data */
    REFUSED(page_of(bss_block + PAGE_SIZE), PAGE_SIZE);  /* bss */
    REFUSED(page_of(&local), PAGE_SIZE);             /* stack */
    REFUSED(0xFFFFF000u, PAGE_SIZE);                 /* top stack page (the arguments) */
    REFUSED(0xFFFFE000u, PAGE_SIZE);                 /* the page below it (main's frame) */
    REFUSED((char *)page_of((void *)main) - 16 * PAGE_SIZE, 32 * PAGE_SIZE);

    CHECK(new_pages(BASE, 4 * PAGE_SIZE) == 0);
    BASE[0] = 'x';
    REFUSED(BASE, 4 * PAGE_SIZE);                    /* the same */
    REFUSED(BASE + 3 * PAGE_SIZE, PAGE_SIZE);        /* its last page */
    REFUSED(BASE - PAGE_SIZE, 2 * PAGE_SIZE);        /* its first page */
    REFUSED(BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE);    /* its end */
    REFUSED(BASE - PAGE_SIZE, 6 * PAGE_SIZE);        /* all of it */
    CHECK(BASE[0] == 'x');                           /* untouched */
    /* The refusals mapped nothing next to it either. */
    CHECK(new_pages(BASE - PAGE_SIZE, PAGE_SIZE) == 0);
    CHECK(new_pages(BASE + 4 * PAGE_SIZE, PAGE_SIZE) == 0);
    CHECK(remove_pages(BASE - PAGE_SIZE) == 0);
    CHECK(remove_pages(BASE + 4 * PAGE_SIZE) == 0);
    CHECK(remove_pages(BASE) == 0);
}

static void remove_errors(void)
{
    int local = 0;

    CHECK(new_pages(BASE, 3 * PAGE_SIZE) == 0);
    BASE[PAGE_SIZE] = 'y';
    CHECK(remove_pages(BASE + PAGE_SIZE) < 0);       /* middle of the region */
    CHECK(remove_pages(BASE + 2 * PAGE_SIZE) < 0);   /* its last page */
    CHECK(remove_pages(BASE + 1) < 0);               /* unaligned */
    CHECK(remove_pages(BASE - PAGE_SIZE) < 0);       /* just before it */
    CHECK(remove_pages(BASE + 3 * PAGE_SIZE) < 0);   /* just after it */
    CHECK(remove_pages((void *)0x50000000) < 0);     /* nothing there */
    CHECK(remove_pages((void *)0) < 0);
    CHECK(remove_pages((void *)0x00800000) < 0);     /* kernel memory */
    CHECK(remove_pages(page_of((void *)main)) < 0);  /* text: not new_pages */
    CHECK(remove_pages(page_of(&data_word)) < 0);
    CHECK(remove_pages(page_of(bss_block)) < 0);
    CHECK(remove_pages(page_of(&local)) < 0);        /* the exec stack */
    CHECK(BASE[PAGE_SIZE] == 'y');                   /* still mapped */
    CHECK(data_word == 17 && local == 0);
    CHECK(remove_pages(BASE) == 0);
    CHECK(remove_pages(BASE) < 0);                   /* twice */
    /* Two adjacent regions are removed one at a time. */
    CHECK(new_pages(BASE, PAGE_SIZE) == 0);
    CHECK(new_pages(BASE + PAGE_SIZE, PAGE_SIZE) == 0);
    CHECK(remove_pages(BASE) == 0);
    BASE[PAGE_SIZE] = 'z';                           /* the other survives */
    CHECK(new_pages(BASE, 2 * PAGE_SIZE) < 0);
    CHECK(remove_pages(BASE + PAGE_SIZE) == 0);
    CHECK(new_pages(BASE, 2 * PAGE_SIZE) == 0);      /* and now the range is free */
    CHECK(BASE[PAGE_SIZE] == 0);
    CHECK(remove_pages(BASE) == 0);
}

int main(int argc, char **argv)
{
    argument_errors();
    overlap_errors();
    remove_errors();
    pass();
}
