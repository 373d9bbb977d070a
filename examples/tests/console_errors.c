/* console_errors: print, cursor and color calls reject bad arguments. */
#define TEST_NAME "console_errors"
#include "testlib.h"

int main(int argc, char **argv)
{
    int row, col;

    CHECK(print(-1, "x") < 0);
    CHECK(print(10, (char *)0x00800000) < 0);
    CHECK(print(0, "") >= 0);
    CHECK(set_cursor_pos(-1, 0) < 0);
    CHECK(set_cursor_pos(0, 80) < 0);
    CHECK(set_cursor_pos(25, 0) < 0);
    CHECK(get_cursor_pos(&row, (int *)0x00800000) < 0);
    CHECK(get_cursor_pos((int *)(void *)main, &col) < 0);
    CHECK(get_cursor_pos(&row, &col) == 0);
    CHECK(row >= 0 && row < 25 && col >= 0 && col < 80);
    CHECK(set_cursor_pos(row, col) == 0);
    CHECK(set_term_color(0x100) < 0);
    CHECK(set_term_color(-1) < 0);
    CHECK(set_term_color(FGND_LGRAY | BGND_BLACK) == 0);
    CHECK(readline(10, (char *)0x00800000) < 0);
    CHECK(readline(-5, (char *)&row) < 0);
    pass();
}
