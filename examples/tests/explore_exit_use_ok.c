#define CORRECT
#define TEST_NAME "explore_exit_use_ok"
#include "explore_exit_use.c"
