/* fault_text: writes into its own (read-only) text; must be killed. */
#define TEST_NAME "fault_text"
#include "testlib.h"

int main(int argc, char **argv)
{
    volatile unsigned char *code = (volatile unsigned char *)(void *)main;

    printf("fault_text: writing into its own text at %p\n", (void *)code);
    code[0] = 0x90;
    fail("survived writing its text");
}
