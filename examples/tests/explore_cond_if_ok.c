#define CORRECT
#define TEST_NAME "explore_cond_if_ok"
#include "explore_cond_if.c"
