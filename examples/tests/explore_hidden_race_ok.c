#define CORRECT
#define TEST_NAME "explore_hidden_race_ok"
#include "explore_hidden_race.c"
