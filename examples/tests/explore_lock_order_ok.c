#define CORRECT
#define TEST_NAME "explore_lock_order_ok"
#include "explore_lock_order.c"
