/*
 * colors: a console demo. Prints every foreground color on every background,
 * then draws a box with set_cursor_pos in space it made by scrolling, reads
 * the cursor back with get_cursor_pos, and restores the usual colors.
 */
#include <stdio.h>
#include <syscall.h>

#define NORMAL (FGND_LGRAY | BGND_BLACK)
#define BOX_ROWS 6
#define BOX_COLS 30

static const char *fg_names[16] = {
    "black", "blue", "green", "cyan", "red", "magenta", "brown", "lgray",
    "dgray", "bblue", "bgreen", "bcyan", "pink", "bmagenta", "yellow", "white"
};

static void color_table(void)
{
    int bg, fg;

    for (bg = 0; bg < 8; bg++) {
        for (fg = 0; fg < 16; fg++) {
            set_term_color(fg | (bg << 4));
            printf("%X%X", bg, fg);
            set_term_color(NORMAL);
            printf(" ");
        }
        printf("\n");
    }
    for (fg = 0; fg < 16; fg++) {
        set_term_color(fg);
        printf("%s ", fg_names[fg]);
    }
    set_term_color(NORMAL);
    printf("\n");
}

static void put_at(int row, int col, char c)
{
    set_cursor_pos(row, col);
    print(1, &c);
}

/* Draws a box whose top-left corner is (top, left). */
static void draw_box(int top, int left)
{
    int r, c;

    set_term_color(FGND_YLLW | BGND_BLUE);
    for (c = 0; c < BOX_COLS; c++) {
        put_at(top, left + c, c == 0 || c == BOX_COLS - 1 ? '+' : '-');
        put_at(top + BOX_ROWS - 1, left + c, c == 0 || c == BOX_COLS - 1 ? '+' : '-');
    }
    for (r = 1; r < BOX_ROWS - 1; r++) {
        put_at(top + r, left, '|');
        put_at(top + r, left + BOX_COLS - 1, '|');
    }
    set_cursor_pos(top + 2, left + 3);
    set_term_color(FGND_WHITE | BGND_BLUE);
    printf("drawn with set_cursor_pos");
    set_term_color(NORMAL);
}

int main(int argc, char **argv)
{
    int row, col, i;

    color_table();
    for (i = 0; i < BOX_ROWS; i++)      /* scroll up to make room for the box */
        printf("\n");
    if (get_cursor_pos(&row, &col) < 0) {
        printf("colors: get_cursor_pos failed\n");
        return 1;
    }
    draw_box(row - BOX_ROWS, 10);
    set_cursor_pos(row, 0);
    printf("cursor was at row %d, column %d before drawing\n", row, col);
    if (set_cursor_pos(CONSOLE_HEIGHT, 0) >= 0 || set_term_color(0x100) >= 0) {
        printf("colors: invalid cursor position or color was accepted\n");
        return 1;
    }
    return 0;
}
