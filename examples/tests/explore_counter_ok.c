#define CORRECT
#define TEST_NAME "explore_counter_ok"
#include "explore_counter.c"
