#define CORRECT
#define TEST_NAME "explore_wake_early_ok"
#include "explore_wake_early.c"
