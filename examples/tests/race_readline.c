/*
 * race_readline: THREADS threads call readline at once, LINES each, while
 * the keyboard delivers THREADS * LINES lines (the test feeds them on the
 * host's standard input), each of the form
 *     rl NN <PAYLOAD copies of the letter 'a' + NN % 26>
 * Readers take turns, so every line must reach exactly one reader whole,
 * and one reader's lines must come in keyboard order.
 */
#define TEST_NAME "race_readline"
#include <thread.h>
#include <mutex.h>
#include "testlib.h"
#include "race_util.h"

#define THREADS 3
#define LINES 6             /* per thread */
#define PAYLOAD 30
#define TOTAL (THREADS * LINES)

static mutex_t lock;
static int received[TOTAL];

/* The line number of a well-formed line, or -1. */
static int parse_line(const char *s, int len)
{
    int n, i;

    if (len != 6 + PAYLOAD + 1 || s[0] != 'r' || s[1] != 'l' || s[2] != ' ' || s[5] != ' ')
        return -1;
    if (s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9' || s[len - 1] != '\n')
        return -1;
    n = (s[3] - '0') * 10 + (s[4] - '0');
    if (n >= TOTAL)
        return -1;
    for (i = 0; i < PAYLOAD; i++)
        if (s[6 + i] != 'a' + n % 26)
            return -1;
    return n;
}

static void *reader(void *arg)
{
    char line[80];
    int i, len, n, last = -1;

    for (i = 0; i < LINES; i++) {
        len = readline(sizeof(line) - 1, line);
        if (len < 0)
            fail("readline returned %d", len);
        line[len] = '\0';
        if ((n = parse_line(line, len)) < 0)
            fail("reader %d got a broken line of %d bytes: %s", (int)arg, len, line);
        if (n <= last)
            fail("reader %d got line %d after line %d", (int)arg, n, last);
        last = n;
        mutex_lock(&lock);
        received[n]++;
        mutex_unlock(&lock);
        window(n % 4 * 10);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int tids[THREADS], i;

    CHECK(thr_init(8 * 1024) == 0);
    CHECK(mutex_init(&lock) == 0);
    for (i = 1; i < THREADS; i++)
        CHECK((tids[i] = thr_create(reader, (void *)i)) > 0);
    reader((void *)0);
    for (i = 1; i < THREADS; i++)
        CHECK(thr_join(tids[i], NULL) == 0);
    for (i = 0; i < TOTAL; i++)
        if (received[i] != 1)
            fail("line %d was received %d times", i, received[i]);
    pass();
}
