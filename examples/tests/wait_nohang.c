/*
 * wait_nohang: pb_wait_nohang (pb_extensions.h) never blocks: PB_ECHILD with
 * no children, 0 while a child runs, then the child's tid and status once it
 * has exited, as wait() would; then PB_ECHILD again. Also prints what every
 * error number means (pb_strerror), which the host test compares with the
 * kernel's own PebblesError descriptions.
 */
#define TEST_NAME "wait_nohang"
#include <pb_extensions.h>
#include <stdlib.h>
#include "testlib.h"

int main(void)
{
    int status = 12345, tid, got, err, polls = 0;

    for (err = -1; err >= -10; err--)
        printf("error %d: %s\n", err, pb_strerror(err));
    CHECK(pb_wait_nohang(&status) == PB_ECHILD);
    CHECK(status == 12345);
    tid = fork();
    CHECK(tid >= 0);
    if (tid == 0) {
        sleep(5);           /* still running at the parent's first poll */
        exit(42);
    }
    CHECK(pb_wait_nohang(&status) == 0);
    CHECK(pb_wait_nohang((int *)8) == PB_EFAULT);   /* not writable: nothing consumed */
    /* Poll until it has exited; the sleep between polls is the guest's own. */
    while ((got = pb_wait_nohang(&status)) == 0) {
        polls++;
        sleep(1);
    }
    CHECK(got == tid);
    CHECK(status == 42);
    CHECK(polls > 0);
    CHECK(pb_wait_nohang(NULL) == PB_ECHILD);
    CHECK(wait(&status) == PB_ECHILD);
    pass();
}
