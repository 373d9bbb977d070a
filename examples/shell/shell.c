/*
 * shell: reads a line, runs `prog args...` with fork + exec + wait, and
 * reports a nonzero exit status. A trailing `&` runs the program in the
 * background; background tasks are collected (and reported) whenever the
 * shell next waits. Builtins: exit [status], ls, help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syscall.h>

#define LINE_MAX 256
#define MAX_ARGS 32
/* Status of a child whose exec failed (it already printed why). */
#define EXEC_FAILED 127

struct command {
    int argc;
    char *argv[MAX_ARGS + 1];
    int background;
};

/* Splits line in place into words; a final "&" (alone or glued to the
 * last word) asks for the background. Returns -1 if there are too many. */
static int parse(char *line, struct command *cmd)
{
    char *save, *word;
    size_t n;

    cmd->argc = 0;
    cmd->background = 0;
    for (word = strtok_r(line, " \t\r\n", &save); word;
         word = strtok_r(NULL, " \t\r\n", &save)) {
        if (cmd->argc == MAX_ARGS)
            return -1;
        cmd->argv[cmd->argc++] = word;
    }
    if (cmd->argc > 0) {
        word = cmd->argv[cmd->argc - 1];
        n = strlen(word);
        if (n > 0 && word[n - 1] == '&') {
            cmd->background = 1;
            word[n - 1] = '\0';
            if (n == 1)
                cmd->argc--;
        }
    }
    cmd->argv[cmd->argc] = NULL;
    return 0;
}

static void report(int tid, int status, int background)
{
    if (background)
        printf("[%d] done, status %d\n", tid, status);
    else if (status != 0)
        printf("exited with status %d\n", status);
}

/* Waits until task `tid` ends, reporting background tasks met on the way. */
static void wait_for(int tid)
{
    int status, got;

    for (;;) {
        status = 0;
        got = wait(&status);
        if (got < 0) {
            printf("shell: wait failed (%d)\n", got);
            return;
        }
        /* Clearing the foreground says whether Ctrl-C killed it. */
        if (got == tid && set_foreground(0) == 1) {
            printf("interrupted (status %d)\n", status);
            return;
        }
        report(got, status, got != tid);
        if (got == tid)
            return;
    }
}

static void run(struct command *cmd)
{
    int tid = fork();

    if (tid < 0) {
        printf("shell: fork failed (%d)\n", tid);
        return;
    }
    if (tid == 0) {
        int err;

        /* Named by the child too: it may run before the parent names it. */
        if (!cmd->background)
            set_foreground(gettid());
        err = exec(cmd->argv[0], cmd->argv);

        printf("%s: cannot run (error %d)\n", cmd->argv[0], err);
        exit(EXEC_FAILED);
    }
    if (cmd->background) {
        printf("[%d] %s\n", tid, cmd->argv[0]);
    } else {
        /* Ctrl-C at the console kills it (Pebblebed's set_foreground). */
        set_foreground(tid);
        wait_for(tid);
    }
}

/* Reads the whole "." listing: names, each NUL-terminated, then a NUL. */
static char *read_listing(void)
{
    int size = 1024, got = 0, n;
    char *buf = malloc((size_t)size), *bigger;

    while (buf) {
        n = readfile(".", buf + got, size - got, got);
        if (n < 0) {
            printf("ls: readfile failed (%d)\n", n);
            break;
        }
        got += n;
        if (got < size) {
            memset(buf + got, 0, (size_t)(size - got));
            return buf;
        }
        size *= 2;
        bigger = realloc(buf, (size_t)size);
        if (!bigger)
            break;
        buf = bigger;
    }
    free(buf);
    return NULL;
}

/* Prints the names in columns as wide as the longest name plus two. */
static void builtin_ls(void)
{
    char *list = read_listing(), *name;
    int width = 0, per_line, col = 0, len;

    if (!list)
        return;
    for (name = list; *name; name += len + 1) {
        len = (int)strlen(name);
        if (len + 2 > width)
            width = len + 2;
    }
    per_line = width < CONSOLE_WIDTH ? (CONSOLE_WIDTH - 1) / width : 1;
    for (name = list; *name; name += strlen(name) + 1) {
        printf("%-*s", width, name);
        if (++col == per_line) {
            printf("\n");
            col = 0;
        }
    }
    if (col != 0)
        printf("\n");
    free(list);
}

static void builtin_help(void)
{
    printf("Run a program: name [args...] [&]   (& runs it in the background)\n");
    printf("Builtins: ls (list the RAM disk), help, exit [status]\n");
    printf("Leaving with status 0 halts the machine; init restarts a shell\n");
    printf("that ends any other way.\n");
}

/* Returns 1 if cmd was a builtin (and ran it). */
static int builtin(struct command *cmd)
{
    const char *name = cmd->argv[0];

    if (strcmp(name, "exit") == 0)
        exit(cmd->argc > 1 ? atoi(cmd->argv[1]) : 0);
    if (strcmp(name, "ls") == 0) {
        builtin_ls();
        return 1;
    }
    if (strcmp(name, "help") == 0) {
        builtin_help();
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char line[LINE_MAX + 1];
    struct command cmd;
    int n;

    for (;;) {
        printf("pebbles$ ");
        n = readline(LINE_MAX, line);
        if (n < 0) {
            printf("shell: readline failed (%d)\n", n);
            return 1;
        }
        if (n == 0) {           /* end of input: leave as `exit` would */
            printf("\n");
            return 0;
        }
        line[n] = '\0';
        if (parse(line, &cmd) < 0) {
            printf("shell: too many arguments (at most %d)\n", MAX_ARGS);
            continue;
        }
        if (cmd.argc == 0 || builtin(&cmd))
            continue;
        run(&cmd);
    }
}
