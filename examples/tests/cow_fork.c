/*
 * cow_fork: after fork, parent and child each see their own copy of data,
 * bss, heap and stack: writes in one are invisible in the other.
 */
#define TEST_NAME "cow_fork"
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

static int data_word = 1111;
static char bss_block[3 * PAGE_SIZE];

int main(int argc, char **argv)
{
    int stack_word = 3333, tid, status;
    char *heap = malloc(10000);

    CHECK(heap != NULL);
    memset(heap, 'p', 10000);
    memset(bss_block, 'p', sizeof(bss_block));
    tid = fork();
    CHECK(tid >= 0);
    if (tid == 0) {
        data_word = 2222;
        stack_word = 4444;
        memset(heap, 'c', 10000);
        memset(bss_block, 'c', sizeof(bss_block));
        exit(data_word == 2222 && stack_word == 4444 && heap[9999] == 'c' ? 0 : 1);
    }
    CHECK(wait(&status) == tid);
    CHECK(status == 0);
    CHECK(data_word == 1111);
    CHECK(stack_word == 3333);
    CHECK(heap[0] == 'p' && heap[9999] == 'p');
    CHECK(bss_block[0] == 'p' && bss_block[sizeof(bss_block) - 1] == 'p');
    pass();
}
