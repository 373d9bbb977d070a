/*
 * guard_newpages: new_pages one page at a time until the kernel refuses.
 * The refusal is a clean error; while memory is exhausted fork is refused
 * too; every page granted can still be written (its frame was reserved, so
 * the zero-fill fault cannot fail); after remove_pages the memory is back.
 */
#define TEST_NAME "guard_newpages"
#include "testlib.h"
#include <stdlib.h>

#define BASE 0x10000000u
#define PAGE 4096u
#define MAX_PAGES 0x20000u   /* 512 MiB of address space: more than any test machine */

static unsigned int grab(void)
{
    unsigned int n = 0;
    while (n < MAX_PAGES && new_pages((void *)(BASE + n * PAGE), PAGE) == 0)
        n++;
    return n;
}

static void release(unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        if (remove_pages((void *)(BASE + i * PAGE)) < 0)
            fail("remove_pages of page %u", i);
}

int main(int argc, char **argv)
{
    unsigned int n = grab();
    int err = new_pages((void *)(BASE + n * PAGE), PAGE);
    printf("guard_newpages: %u pages (%u KiB), then new_pages refused with %d\n", n, n * 4, err);
    CHECK(n > 16 && n < MAX_PAGES && err < 0);
    CHECK(new_pages((void *)0x80000000, 64 * PAGE) < 0);
    int pid = fork();
    if (pid == 0)
        exit(0);
    printf("guard_newpages: fork with memory exhausted -> %d\n", pid);
    CHECK(pid < 0);
    /* Every granted page really has a frame behind it. */
    for (unsigned int i = 0; i < n; i++)
        *(volatile unsigned int *)(BASE + i * PAGE) = i;
    for (unsigned int i = 0; i < n; i++)
        CHECK(*(volatile unsigned int *)(BASE + i * PAGE) == i);
    release(n);
    /* All of it comes back. */
    unsigned int again = grab();
    printf("guard_newpages: %u pages again after remove_pages\n", again);
    CHECK(again == n);
    release(again);
    pid = fork();
    if (pid == 0)
        exit(4);
    int status = 0;
    CHECK(pid > 0 && wait(&status) == pid && status == 4);
    pass();
}
