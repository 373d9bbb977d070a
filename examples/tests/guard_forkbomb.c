/*
 * guard_forkbomb: every task forks until the kernel refuses, and every child
 * does the same. The refusal must be a clean error; then every task waits
 * for its children and reports the size of its subtree, and the first task
 * checks the machine still forks and runs programs. Run it with a small
 * --memory so that memory, not time, ends the bomb.
 */
#define TEST_NAME "guard_forkbomb"
#include "testlib.h"
#include <stdlib.h>

int main(int argc, char **argv)
{
    int root = gettid();
    int refused = 0;
    for (;;) {
        int pid = fork();
        if (pid == 0)
            continue;                    /* the child bombs too */
        if (pid < 0) {
            refused = pid;
            break;
        }
    }
    /* Every task's subtree size comes back through its exit status. */
    int tasks = 1, status;
    while (wait(&status) >= 0) {
        if (status < 1)
            fail("a bomb task ended with status %d", status);
        tasks += status;
    }
    if (gettid() != root)
        exit(tasks);
    printf("guard_forkbomb: %d tasks, then fork refused with %d\n", tasks, refused);
    CHECK(tasks > 8);
    /* After the storm: the machine forks, execs and collects as usual. */
    int pid = fork();
    if (pid == 0) {
        char *args[] = { "exitcode", "3", 0 };
        exec("exitcode", args);
        exit(99);
    }
    CHECK(pid > 0);
    CHECK(wait(&status) == pid);
    printf("guard_forkbomb: child after the bomb exited with %d\n", status);
    CHECK(status == 3);
    pass();
}
