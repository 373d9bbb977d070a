#define CORRECT
#define TEST_NAME "explore_point_race_ok"
#include "explore_point_race.c"
