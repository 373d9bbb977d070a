#define CORRECT
#define TEST_NAME "explore_atomic_count_ok"
#include "explore_atomic_count.c"
