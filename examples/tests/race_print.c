/*
 * race_print: THREADS threads print at once. Each print call writes two
 * distinctive lines:
 *     race_print t<T> n<NN> a:<payload>
 *     race_print t<T> n<NN> b:<payload>
 * where the payload is PAYLOAD copies of the letter 'A' + T. One print
 * call's text must come out unbroken, so the "b" line must directly follow
 * its "a" line and neither may contain anything foreign. The program cannot
 * read its own console, so a Swift test (RaceProgramTests) checks stdout;
 * here we check only that every print call succeeds.
 */
#define TEST_NAME "race_print"
#include <thread.h>
#include <string.h>
#include "testlib.h"
#include "race_util.h"

#define THREADS 4
#define PRINTS 20           /* per thread */
#define PAYLOAD 40

/* Formats one print call's text by hand (no printf: a single buffer, one call). */
static int format_pair(char *out, int t, int n)
{
    int len = 0, half, i;

    for (half = 0; half < 2; half++) {
        memcpy(out + len, "race_print t", 12);
        len += 12;
        out[len++] = '0' + t;
        out[len++] = ' ';
        out[len++] = 'n';
        out[len++] = '0' + n / 10;
        out[len++] = '0' + n % 10;
        out[len++] = ' ';
        out[len++] = half ? 'b' : 'a';
        out[len++] = ':';
        for (i = 0; i < PAYLOAD; i++)
            out[len++] = 'A' + t;
        out[len++] = '\n';
    }
    return len;
}

static void *printer(void *arg)
{
    int t = (int)arg, n, len, wrote;
    char text[2 * (24 + PAYLOAD)];

    for (n = 0; n < PRINTS; n++) {
        len = format_pair(text, t, n);
        if ((wrote = print(len, text)) < 0)
            fail("thread %d: print of %d bytes returned %d", t, len, wrote);
        window(t * 7 + n % 3 * 5);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[THREADS], i;

    CHECK(thr_init(8 * 1024) == 0);
    for (i = 1; i < THREADS; i++)
        CHECK((tids[i] = thr_create(printer, (void *)i)) > 0);
    printer((void *)0);
    for (i = 1; i < THREADS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    pass();
}
