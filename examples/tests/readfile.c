/*
 * readfile: reads the "." listing (which must name this program and end in
 * an empty name), reads a file in pieces at offsets and compares with a
 * read in one go, and checks the error cases.
 */
#define TEST_NAME "readfile"
#include <string.h>
#include "testlib.h"

static char whole[8192], pieces[8192];

static int listing_has(const char *list, int len, const char *name)
{
    int i = 0;

    while (i < len && list[i]) {
        if (strcmp(list + i, name) == 0)
            return 1;
        i += (int)strlen(list + i) + 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int n, got, k;

    n = readfile(".", whole, sizeof(whole), 0);
    CHECK(n > 0);
    CHECK(whole[n - 1] == '\0' && (n < 2 || whole[n - 2] == '\0'));
    CHECK(listing_has(whole, n, "readfile"));
    CHECK(listing_has(whole, n, "init"));

    n = readfile("readfile", whole, sizeof(whole), 0);     /* our own ELF */
    CHECK(n == (int)sizeof(whole));
    CHECK(memcmp(whole, "\177ELF", 4) == 0);
    for (got = 0; got < n; got += k) {
        k = readfile("readfile", pieces + got, 1000 < n - got ? 1000 : n - got, got);
        CHECK(k > 0);
    }
    CHECK(memcmp(whole, pieces, sizeof(whole)) == 0);

    CHECK(readfile("no_such_file", whole, 10, 0) < 0);
    CHECK(readfile("readfile", whole, -1, 0) < 0);
    CHECK(readfile("readfile", whole, 10, -1) < 0);
    CHECK(readfile("readfile", whole, 10, 0x7fffffff) < 0);
    CHECK(readfile("readfile", (char *)0x00800000, 10, 0) < 0);
    CHECK(readfile("readfile", (char *)(void *)main, 10, 0) < 0);   /* read-only text */
    CHECK(readfile((char *)0x00800000, whole, 10, 0) < 0);
    CHECK(readfile("readfile", whole, 0, 0) == 0);
    pass();
}
