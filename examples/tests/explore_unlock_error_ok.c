#define CORRECT
#define TEST_NAME "explore_unlock_error_ok"
#include "explore_unlock_error.c"
