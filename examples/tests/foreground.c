/*
 * foreground: the set_foreground extension call (README "Console"). Only a
 * live child of the caller can be named, or the caller itself for its
 * parent; naming 0 clears it; the answer says whether Ctrl-C killed the
 * child named before (here never: no key is typed), so it is 0 each time.
 */
#define TEST_NAME "foreground"
#include <stdlib.h>
#include "testlib.h"

int main(int argc, char **argv)
{
    int status, child, r;

    if ((r = set_foreground(12345)) != -4)
        fail("naming a task that is not a child gave %d, not -4", r);
    if ((r = set_foreground(-1)) != -4)
        fail("naming task -1 gave %d, not -4", r);
    child = fork();
    if (child == 0) {
        if (set_foreground(gettid()) != 0)
            exit(3);
        sleep(2);
        exit(7);
    }
    if (child < 0)
        fail("fork: %d", child);
    if ((r = set_foreground(child)) != 0)
        fail("naming a live child gave %d", r);
    if (wait(&status) != child || status != 7)
        fail("wait: status %d", status);
    if ((r = set_foreground(0)) != 0)
        fail("clearing after a normal exit gave %d, not 0", r);
    if ((r = set_foreground(child)) != -4)
        fail("naming an exited child gave %d, not -4", r);
    pass();
}
