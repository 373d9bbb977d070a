/*
 * shell: reads a line, runs `prog args...` with fork + exec + wait, and
 * reports a nonzero exit status. "double quotes" make one argument of words
 * and spaces (\" and \\ inside them are a quote and a backslash). A trailing
 * `&` runs the program in the background; a background job that ended is
 * reported before the next prompt, as sh does ("[N] done prog status S"),
 * or on the way when the shell waits for a foreground program. Errors say
 * what the kernel's number means (pb_extensions.h). Builtins: exit [status],
 * ls [PATTERN], echo, help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syscall.h>
#include <pb_extensions.h>

#define LINE_MAX 256
#define MAX_ARGS 32
/* Status of a child whose exec failed (it already printed why). */
#define EXEC_FAILED 127

struct command {
    int argc;
    char *argv[MAX_ARGS + 1];
    int background;
};

#define PARSE_TOO_MANY (-1)
#define PARSE_UNCLOSED (-2)

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits line in place into words. Inside double quotes blanks and '&' are
 * ordinary characters, and \" and \\ stand for " and \ ("" is an empty
 * argument); a quoted part may be glued to unquoted text (a"b c"d is one
 * word). A final unquoted "&" (alone or glued to the last word) asks for
 * the background. Returns PARSE_TOO_MANY or PARSE_UNCLOSED on error. */
static int parse(char *line, struct command *cmd)
{
    char *in = line, *out = line;
    int quoted, amp_at_end = 0;

    cmd->argc = 0;
    cmd->background = 0;
    for (;;) {
        while (is_blank(*in))
            in++;
        if (*in == '\0')
            break;
        if (cmd->argc == MAX_ARGS)
            return PARSE_TOO_MANY;
        /* Words are copied down in place: out never passes in. */
        cmd->argv[cmd->argc++] = out;
        quoted = 0;
        amp_at_end = 0;
        while (*in != '\0' && (quoted || !is_blank(*in))) {
            if (*in == '"') {
                quoted = !quoted;
                in++;
                continue;
            }
            if (quoted && *in == '\\' && (in[1] == '"' || in[1] == '\\'))
                in++;
            amp_at_end = !quoted && *in == '&';
            *out++ = *in++;
        }
        if (quoted)
            return PARSE_UNCLOSED;
        if (*in != '\0')
            in++;
        *out++ = '\0';
    }
    if (cmd->argc > 0 && amp_at_end) {
        char *word = cmd->argv[cmd->argc - 1];
        size_t n = strlen(word);

        cmd->background = 1;
        word[n - 1] = '\0';
        if (n == 1)
            cmd->argc--;
    }
    cmd->argv[cmd->argc] = NULL;
    return 0;
}

/* Background jobs, for their names in "[N] done prog status S". */
#define MAX_JOBS 32
static struct {
    int tid;
    char name[32];
} jobs[MAX_JOBS];

/* With the table full the job still runs and is still reported, as "?". */
static void job_add(int tid, const char *name)
{
    int i;

    for (i = 0; i < MAX_JOBS; i++) {
        if (jobs[i].tid == 0) {
            jobs[i].tid = tid;
            snprintf(jobs[i].name, sizeof(jobs[i].name), "%s", name);
            return;
        }
    }
}

/* The job's name (it is forgotten); "?" for a task the table lost. */
static const char *job_take(int tid)
{
    static char name[32];
    int i;

    for (i = 0; i < MAX_JOBS; i++) {
        if (jobs[i].tid == tid) {
            jobs[i].tid = 0;
            memcpy(name, jobs[i].name, sizeof(name));
            return name;
        }
    }
    return "?";
}

static void report(int tid, int status, int background)
{
    if (background)
        printf("[%d] done %s status %d\n", tid, job_take(tid), status);
    else if (status != 0)
        printf("exited with status %d\n", status);
}

/* Reports the background jobs that have ended, without waiting for any
 * (before each prompt, as sh does). */
static void reap_background(void)
{
    int status, tid;

    while ((tid = pb_wait_nohang(&status)) > 0)
        report(tid, status, 1);
}

/* Waits until task `tid` ends, reporting background tasks met on the way. */
static void wait_for(int tid)
{
    int status, got;

    for (;;) {
        status = 0;
        got = wait(&status);
        if (got < 0) {
            printf("shell: wait failed: %s (%d)\n", pb_strerror(got), got);
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
        printf("shell: fork failed: %s (%d)\n", pb_strerror(tid), tid);
        return;
    }
    if (tid == 0) {
        int err;

        /* Named by the child too: it may run before the parent names it. */
        if (!cmd->background)
            set_foreground(gettid());
        err = exec(cmd->argv[0], cmd->argv);

        printf("cannot run %s: %s (%d)\n", cmd->argv[0],
               err == PB_ENOENT ? "no such program" : pb_strerror(err), err);
        exit(EXEC_FAILED);
    }
    if (cmd->background) {
        job_add(tid, cmd->argv[0]);
        printf("[%d] %s\n", tid, cmd->argv[0]);
    } else {
        /* Ctrl-C at the console kills it (Pebblebed's set_foreground). */
        set_foreground(tid);
        wait_for(tid);
    }
}

/* Reads the whole of file `name` ("." is the listing: names, each
 * NUL-terminated, then a NUL), NUL-padded; NULL if it cannot. */
static char *read_whole(const char *name)
{
    int size = 1024, got = 0, n;
    char *buf = malloc((size_t)size), *bigger;

    while (buf) {
        n = readfile((char *)name, buf + got, size - got - 1, got);
        if (n < 0) {
            if (strcmp(name, ".") == 0)
                printf("ls: cannot read the listing: %s (%d)\n", pb_strerror(n), n);
            break;
        }
        got += n;
        if (got < size - 1) {
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

/* Whether name matches pattern: '*' any run of characters, '?' any one;
 * a pattern with neither matches the names that contain it. */
static int glob_match(const char *pattern, const char *name)
{
    if (*pattern == '\0')
        return *name == '\0';
    if (*pattern == '*')
        return glob_match(pattern + 1, name) || (*name && glob_match(pattern, name + 1));
    if (*name && (*pattern == '?' || *pattern == *name))
        return glob_match(pattern + 1, name + 1);
    return 0;
}

static int matches(const char *pattern, const char *name)
{
    if (!pattern)
        return 1;
    if (strchr(pattern, '*') || strchr(pattern, '?'))
        return glob_match(pattern, name);
    return strstr(name, pattern) != NULL;
}

/* The groups of `ls`. tests.txt (written by examples/Makefile) names the
 * guest test programs, bench_ begins the benchmarks, a name with a '.' is a
 * data file; anything else is a program. (By name only: reading each file's
 * header would load every program of the RAM disk.) */
enum group { PROGRAMS, TESTS, BENCHMARKS, FILES, GROUPS };
static const char *const group_titles[GROUPS] = {
    "programs:", "tests:", "benchmarks:", "files:",
};

static int is_listed(const char *tests, const char *name)
{
    const char *line = tests;
    size_t n = strlen(name);

    while (tests && *line) {
        if (strncmp(line, name, n) == 0 && (line[n] == '\n' || line[n] == '\0'))
            return 1;
        line = strchr(line, '\n');
        if (!line)
            break;
        line++;
    }
    return 0;
}

static enum group group_of(const char *tests, const char *name)
{
    if (is_listed(tests, name))
        return TESTS;
    if (strncmp(name, "bench_", 6) == 0)
        return BENCHMARKS;
    if (strchr(name, '.'))
        return FILES;
    return PROGRAMS;
}

/* Lists the RAM disk by group, each in columns as wide as the longest name
 * plus two; with a pattern, only the names it matches. */
static void builtin_ls(const char *pattern)
{
    char *list = read_whole("."), *tests, *name;
    int width = 0, per_line, col, len, g, shown = 0, in_group;

    if (!list)
        return;
    tests = read_whole("tests.txt");
    for (name = list; *name; name += len + 1) {
        len = (int)strlen(name);
        if (matches(pattern, name) && len + 2 > width)
            width = len + 2;
    }
    /* (width 0: nothing matches, nothing is printed.) */
    per_line = width > 0 && width < CONSOLE_WIDTH ? (CONSOLE_WIDTH - 1) / width : 1;
    for (g = 0; g < GROUPS; g++) {
        col = 0;
        in_group = 0;
        for (name = list; *name; name += strlen(name) + 1) {
            if (!matches(pattern, name) || group_of(tests, name) != (enum group)g)
                continue;
            if (!in_group++)
                printf("%s\n", group_titles[g]);
            printf("%-*s", width, name);
            shown++;
            if (++col == per_line) {
                printf("\n");
                col = 0;
            }
        }
        if (col != 0)
            printf("\n");
    }
    if (shown == 0 && pattern)
        printf("ls: no name matches %s\n", pattern);
    free(tests);
    free(list);
}

static void builtin_echo(struct command *cmd)
{
    int i;

    for (i = 1; i < cmd->argc; i++)
        printf("%s%s", cmd->argv[i], i + 1 < cmd->argc ? " " : "");
    printf("\n");
}

static void builtin_help(void)
{
    printf("Run a program: name [args...] [&]   (& runs it in the background)\n");
    printf("\"two words\" is one argument; a background job's end is reported\n");
    printf("at the next prompt: [N] done name status S\n");
    printf("Builtins: ls [PATTERN] (list the RAM disk by group; * and ? match,\n");
    printf("a plain PATTERN matches names containing it), echo, help, exit [status]\n");
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
        builtin_ls(cmd->argc > 1 ? cmd->argv[1] : NULL);
        return 1;
    }
    if (strcmp(name, "echo") == 0) {
        builtin_echo(cmd);
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
        reap_background();
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
        n = parse(line, &cmd);
        if (n == PARSE_TOO_MANY) {
            printf("shell: too many arguments (at most %d)\n", MAX_ARGS);
            continue;
        }
        if (n == PARSE_UNCLOSED) {
            printf("shell: missing closing quote (\")\n");
            continue;
        }
        if (cmd.argc == 0 || builtin(&cmd))
            continue;
        run(&cmd);
    }
}
