/* malloc410: smalloc/smemalign/sfree and the underscore entry points. */
#define TEST_NAME "malloc410"
#include <malloc.h>
#include <string.h>
#include "testlib.h"

int main(int argc, char **argv)
{
    unsigned int a;
    for (a = sizeof(void *); a <= 8192; a *= 2) {
        char *p = smemalign(a, 100);
        if (p == NULL || ((unsigned int)p & (a - 1)) != 0)
            fail("smemalign(%u) gave %p", a, p);
        memset(p, 0x5a, 100);
        sfree(p, 100);
    }
    if (smemalign(3, 10) != NULL)
        fail("smemalign accepted alignment 3");
    char *q = smalloc(64), *r = _malloc(64);
    if (q == NULL || r == NULL)
        fail("smalloc/_malloc failed");
    memset(q, 1, 64);
    memset(r, 2, 64);
    r = _realloc(r, 128);
    if (r == NULL || r[63] != 2)
        fail("_realloc lost data");
    sfree(q, 64);
    _free(r);
    pass();
}
