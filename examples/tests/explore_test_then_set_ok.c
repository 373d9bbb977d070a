#define CORRECT
#define TEST_NAME "explore_test_then_set_ok"
#include "explore_test_then_set.c"
