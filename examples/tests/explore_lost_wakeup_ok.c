#define CORRECT
#define TEST_NAME "explore_lost_wakeup_ok"
#include "explore_lost_wakeup.c"
