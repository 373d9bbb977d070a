// Host limits checked before anything else runs. See include/pb_host.h.
#define _GNU_SOURCE
#include "pb_host.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

// The main thread's stack is sized by RLIMIT_STACK when the process is exec'd, and the Swift
// runtime and the argument parser need about 56 KiB of it before main's first line (a debug
// build under `ulimit -s 48` died of SIGSEGV even for --help; issue 17, 5). Nothing in Swift
// could say so: this runs as an ELF constructor, after the libraries' own and before main. If
// the soft limit is too small and the hard limit allows, it raises the soft limit and execs
// the same binary again (the new size only applies at exec); if not, it says which limit.
#define PB_STACK_NEEDED (1024 * 1024)
#define PB_STACK_WANTED (8 * 1024 * 1024)

__attribute__((constructor)) static void pb_host_check_stack(int argc, char **argv, char **envp) {
    (void)argc;
    struct rlimit stack;
    if (getrlimit(RLIMIT_STACK, &stack) != 0 || stack.rlim_cur == RLIM_INFINITY ||
        stack.rlim_cur >= PB_STACK_NEEDED) {
        return;
    }
    const char *again = getenv("PEBBLEBED_STACK_RAISED");
    if (stack.rlim_max == RLIM_INFINITY || stack.rlim_max >= PB_STACK_NEEDED) {
        if (!again) {
            stack.rlim_cur = stack.rlim_max == RLIM_INFINITY || stack.rlim_max > PB_STACK_WANTED
                ? PB_STACK_WANTED : stack.rlim_max;
            if (setrlimit(RLIMIT_STACK, &stack) == 0) {
                // Marks the second start so that a limit that did not take cannot loop.
                setenv("PEBBLEBED_STACK_RAISED", "1", 1);
                (void)envp;
                execv("/proc/self/exe", argv);
            }
        }
    }
    char line[200];
    int n = snprintf(line, sizeof line,
                     "pebblebed: the stack size limit (ulimit -s) is %lu KiB; the emulator needs at least %d KiB\n",
                     (unsigned long)(stack.rlim_cur / 1024), PB_STACK_NEEDED / 1024);
    if (n > 0) (void)!write(STDERR_FILENO, line, (size_t)n);
    _exit(2);
}

// SIGXFSZ is ignored on purpose: a write or ftruncate past RLIMIT_FSIZE then fails with EFBIG,
// which the caller reports naming the limit, instead of the signal killing the emulator with
// no word (the memfd of physical memory is a file too: `ulimit -f` below --memory did that).
int pb_host_ignore_file_size_signal(void) {
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    return sigaction(SIGXFSZ, &ignore, NULL) ? errno : 0;
}

uint64_t pb_host_limit(int resource) {
    struct rlimit limit;
    if (getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
    return (uint64_t)limit.rlim_cur;
}

int pb_host_ensure_open_files(uint64_t needed, uint64_t *soft, uint64_t *hard) {
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) != 0) return 0;
    *soft = files.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)files.rlim_cur;
    *hard = files.rlim_max == RLIM_INFINITY ? UINT64_MAX : (uint64_t)files.rlim_max;
    if (files.rlim_cur == RLIM_INFINITY || files.rlim_cur >= needed) return 0;
    if (files.rlim_max != RLIM_INFINITY && files.rlim_max < needed) return -1;
    files.rlim_cur = needed;
    return setrlimit(RLIMIT_NOFILE, &files) == 0 ? 0 : -1;
}

int pb_host_close_descriptors_above_limit(void) {
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return 0;
    return close_range((unsigned)files.rlim_cur, ~0u, 0) == 0 ? 0 : errno;
}
