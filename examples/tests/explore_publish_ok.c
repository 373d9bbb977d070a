#define CORRECT
#define TEST_NAME "explore_publish_ok"
#include "explore_publish.c"
