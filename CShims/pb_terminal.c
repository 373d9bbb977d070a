// Keyboard ring, stdin raw mode and terminal restore. See pb_terminal.h for why this is C.
// Everything reachable from pb_keyboard_drain and pb_terminal_restore is async-signal-safe:
// only read, write, poll, fcntl, tcsetattr and plain memory, no allocation, no stdio.
#define _GNU_SOURCE
#include "pb_terminal.h"
#include "pb_machine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// MARK: - The ring

#define PB_RING_MASK (PB_KEY_RING_CAPACITY - 1u)
_Static_assert((PB_KEY_RING_CAPACITY & PB_RING_MASK) == 0, "ring capacity must be a power of two");

void pb_key_ring_init(pb_key_ring *ring, int escape_enabled) {
    memset(ring, 0, sizeof *ring);
    ring->escape_enabled = escape_enabled;
}

// head and tail run freely and wrap at 2^32; their difference is the fill level. The acquire and
// release orders keep the byte store before the index store even though producer and consumer
// are the same thread: the compiler must not move them across the signal boundary.
uint32_t pb_key_ring_count(const pb_key_ring *ring) {
    uint32_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
    uint32_t tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    return head - tail;
}

uint32_t pb_key_ring_space(const pb_key_ring *ring) {
    return PB_KEY_RING_CAPACITY - pb_key_ring_count(ring);
}

int pb_key_ring_put(pb_key_ring *ring, uint8_t byte) {
    if (pb_key_ring_space(ring) == 0) {
        ring->dropped++;
        return 0;
    }
    uint32_t head = ring->head;
    ring->bytes[head & PB_RING_MASK] = byte;
    __atomic_store_n(&ring->head, head + 1u, __ATOMIC_RELEASE);
    return 1;
}

int pb_key_ring_take(pb_key_ring *ring, uint8_t *out) {
    if (pb_key_ring_count(ring) == 0) {
        return 0;
    }
    uint32_t tail = ring->tail;
    *out = ring->bytes[tail & PB_RING_MASK];
    __atomic_store_n(&ring->tail, tail + 1u, __ATOMIC_RELEASE);
    return 1;
}

// Shift-PgUp and Shift-PgDn as xterm-style terminals send them.
static const uint8_t pb_scroll_up[] = {0x1B, '[', '5', ';', '2', '~'};
static const uint8_t pb_scroll_down[] = {0x1B, '[', '6', ';', '2', '~'};

static void pb_key_ring_release_sequence(pb_key_ring *ring) {
    for (uint32_t i = 0; i < ring->sequence_length; i++) {
        pb_key_ring_put(ring, ring->sequence[i]);
    }
    ring->sequence_length = 0;
}

// A prefix of a scroll key is held back until the next byte decides: the whole key is counted
// in `scroll`, anything else (an arrow key's ESC [ A, a lone ESC then a letter) goes through
// as it came. Returns 1 when the byte was taken by the matcher.
static int pb_key_ring_match_scroll(pb_key_ring *ring, uint8_t byte) {
    if (ring->sequence_length == 0 && byte != 0x1B) {
        return 0;
    }
    ring->sequence[ring->sequence_length++] = byte;
    uint32_t n = ring->sequence_length;
    int up = memcmp(ring->sequence, pb_scroll_up, n) == 0;
    int down = memcmp(ring->sequence, pb_scroll_down, n) == 0;
    if ((up || down) && n == sizeof pb_scroll_up) {
        ring->scroll += up ? -1 : 1;
        ring->sequence_length = 0;
    } else if (!up && !down) {
        pb_key_ring_release_sequence(ring);
    }
    return 1;
}

// The host keys (README "Host keys"): Ctrl-] hands the keyboard to the monitor, which the
// kernel runs; Ctrl-C with a foreground task is the kernel's to act on; Shift-PgUp/PgDn page
// the console's scrollback. Everything else is the guest's.
static void pb_key_ring_feed_byte(pb_key_ring *ring, uint8_t byte) {
    if (!ring->escape_enabled) {
        pb_key_ring_put(ring, byte);
    } else if (ring->monitor_open) {
        if (ring->monitor_count < PB_MONITOR_CAPACITY) {
            ring->monitor[ring->monitor_count++] = byte;
        }
    } else if (byte == PB_KEY_ESCAPE) {
        pb_key_ring_release_sequence(ring);
        ring->monitor_open = 1;
    } else if (byte == PB_KEY_INTERRUPT && ring->interrupt_armed) {
        pb_key_ring_release_sequence(ring);
        ring->interrupts++;
    } else if (!pb_key_ring_match_scroll(ring, byte)) {
        pb_key_ring_put(ring, byte);
    }
}

void pb_key_ring_feed(pb_key_ring *ring, const uint8_t *bytes, size_t count) {
    for (size_t i = 0; i < count; i++) {
        pb_key_ring_feed_byte(ring, bytes[i]);
    }
}

void pb_key_ring_mark_end(pb_key_ring *ring) {
    pb_key_ring_release_sequence(ring);
    ring->end_of_input = 1;
}

uint32_t pb_key_ring_take_monitor(pb_key_ring *ring, uint8_t *out, uint32_t capacity) {
    uint32_t n = ring->monitor_count < capacity ? ring->monitor_count : capacity;
    memcpy(out, ring->monitor, n);
    memmove(ring->monitor, ring->monitor + n, ring->monitor_count - n);
    ring->monitor_count -= n;
    return n;
}

// MARK: - Global keyboard state (stdin)

static pb_key_ring pb_keyboard_ring;
static pb_irq_guard pb_keyboard_guard;   // the keyboard line's screaming-interrupt guard
static void pb_keyboard_ignore_sigio(void);
static int pb_keyboard_kind = PB_INPUT_CLOSED;
static struct termios pb_saved_termios;
static volatile sig_atomic_t pb_saved_termios_valid;
static int pb_saved_file_flags;
static volatile sig_atomic_t pb_saved_file_flags_valid;
static uint8_t pb_exit_sequence[64];
static size_t pb_exit_sequence_length;  // swapped to 0 by the one restore that writes it

void pb_terminal_make_raw(struct termios *t) {
    t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | IXON);
    t->c_iflag |= ICRNL;
    t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t->c_cflag |= CS8;
    t->c_oflag |= OPOST | ONLCR;
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}

int pb_terminal_is_tty(int fd) {
    int saved = errno;
    int result = isatty(fd);
    errno = saved;
    return result;
}

int pb_terminal_window_size(int fd, int *rows, int *columns) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) {
        return -1;
    }
    *rows = size.ws_row;
    *columns = size.ws_col;
    return 0;
}

int pb_terminal_set_window_size(int fd, int rows, int columns) {
    struct winsize size = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)columns};
    return ioctl(fd, TIOCSWINSZ, &size);
}

int pb_terminal_open_pty(char *name, size_t size) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) {
        return -1;
    }
    if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, size) != 0) {
        int saved = errno;
        close(master);
        errno = saved;
        return -1;
    }
    return master;
}

static int pb_keyboard_enter_raw(void) {
    if (tcgetattr(STDIN_FILENO, &pb_saved_termios) != 0) {
        return -1;
    }
    pb_saved_termios_valid = 1;
    struct termios raw = pb_saved_termios;
    pb_terminal_make_raw(&raw);
    return tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

// O_ASYNC is only kept by files that implement fasync: regular files and /dev/null accept the
// F_SETFL and silently drop the bit, so reading it back is how we learn to poll instead.
static int pb_keyboard_enable_sigio(void) {
    int flags = fcntl(STDIN_FILENO, F_GETFL);
    if (flags < 0) {
        return -1;
    }
    pb_saved_file_flags = flags;
    pb_saved_file_flags_valid = 1;
    // SIGIO goes to the kernel's thread (as the timer's SIGALRM, see pb_timer_start); a kernel
    // without F_SETOWN_EX gets the process, which today has no other thread.
    struct f_owner_ex owner = {.type = F_OWNER_TID, .pid = gettid()};
    if (fcntl(STDIN_FILENO, F_SETOWN_EX, &owner) != 0 && fcntl(STDIN_FILENO, F_SETOWN, getpid()) != 0) {
        return -1;
    }
    if (fcntl(STDIN_FILENO, F_SETFL, flags | O_ASYNC | O_NONBLOCK) != 0) {
        return -1;
    }
    int now = fcntl(STDIN_FILENO, F_GETFL);
    return now >= 0 && (now & O_ASYNC) != 0;
}

int pb_keyboard_open(void) {
    struct stat info;
    int tty = pb_terminal_is_tty(STDIN_FILENO);
    pb_key_ring_init(&pb_keyboard_ring, tty);
    pb_irq_guard_init(&pb_keyboard_guard, PB_IRQ_GUARD_LIMIT, PB_IRQ_GUARD_WINDOW_NS);
    if (fstat(STDIN_FILENO, &info) != 0) {
        if (errno != EBADF) {
            return -1;
        }
        pb_keyboard_kind = PB_INPUT_CLOSED;
        pb_key_ring_mark_end(&pb_keyboard_ring);
        pb_keyboard_ignore_sigio();
        return pb_keyboard_kind;
    }
    if (tty && pb_keyboard_enter_raw() != 0) {
        return -1;
    }
    int async = pb_keyboard_enable_sigio();
    if (async < 0) {
        return -1;
    }
    pb_keyboard_kind = tty ? PB_INPUT_TTY : (async ? PB_INPUT_STREAM : PB_INPUT_POLLED);
    if (pb_keyboard_kind == PB_INPUT_POLLED) {
        pb_keyboard_ignore_sigio();   // a file or /dev/null never raises it
    }
    pb_keyboard_drain();
    return pb_keyboard_kind;
}

// Whether stdin has something for a read: bytes, end of file or an error. Asked before every
// read because a read that finds nothing is not free: a FIFO opened read-write (`exec 3<>fifo;
// pebblebed <&3`) is also one of its own writers, and Linux's pipe_read sends SIGIO to the
// writers after every read, even one that returns EAGAIN. Reading on each SIGIO to learn that
// nothing is there would raise the next SIGIO, forever (issue 19, 1). poll sends no signal.
static int pb_keyboard_readable(void) {
    struct pollfd probe = {.fd = STDIN_FILENO, .events = POLLIN};
    int n;
    do {
        n = poll(&probe, 1, 0);
    } while (n < 0 && errno == EINTR);
    // A failed poll says nothing about the input: let read find out (EBADF ends the input).
    return n != 0;
}

// A tty is read completely even when the ring is full (the excess is dropped and counted, as a
// keyboard controller would), so Ctrl-] and the monitor's keys get through whatever the guest does. A pipe or file
// is read only as far as the ring has room: the rest waits in the host, and pb_keyboard_take
// drains again once the ring is empty, because no further SIGIO will announce those bytes.
// Returns 1 when it served something (bytes, or the end of input), 0 when nothing was there.
static int pb_keyboard_drain_once(void) {
    int saved_errno = errno;
    int served = 0;
    uint8_t buffer[256];
    while (!pb_keyboard_ring.end_of_input) {
        size_t want = sizeof buffer;
        if (pb_keyboard_kind != PB_INPUT_TTY) {
            uint32_t space = pb_key_ring_space(&pb_keyboard_ring);
            if (space == 0) {
                break;
            }
            want = space < want ? space : want;
        }
        if (pb_keyboard_kind != PB_INPUT_POLLED && !pb_keyboard_readable()) {
            break;
        }
        ssize_t got = read(STDIN_FILENO, buffer, want);
        if (got > 0) {
            pb_key_ring_feed(&pb_keyboard_ring, buffer, (size_t)got);
            served = 1;
        } else if (got < 0 && errno == EINTR) {
            continue;
        } else if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            // 0 is end of file (a pipe's writer left, a tty hung up); any other error means no
            // more input can come either (EIO after a hang-up, EBADF for a closed stdin).
            pb_key_ring_mark_end(&pb_keyboard_ring);
            served = 1;
        }
    }
    errno = saved_errno;
    return served;
}

void pb_keyboard_drain(void) { (void)pb_keyboard_drain_once(); }

// MARK: - The screaming line

void pb_irq_guard_init(pb_irq_guard *guard, uint32_t limit, uint64_t window_ns) {
    memset(guard, 0, sizeof *guard);
    guard->limit = limit;
    guard->window_ns = window_ns;
}

// Like Linux's note_interrupt, which disables an IRQ line when nearly all of 100,000 interrupts
// went unhandled ("nobody cared"), but by rate: a line that serves nothing `limit` times within
// one window is screaming. Served interrupts do not excuse the unserved ones (a line may both
// carry input and scream); a slow trickle of unserved ones (a tty's output-space wakeups) never
// reaches the limit.
int pb_irq_guard_note(pb_irq_guard *guard, int served, uint64_t now_ns) {
    if (guard->masked || served) {
        return 0;
    }
    guard->total_unserved++;
    if (now_ns - guard->window_start >= guard->window_ns) {
        guard->window_start = now_ns;
        guard->unserved = 0;
    }
    if (++guard->unserved < guard->limit) {
        return 0;
    }
    guard->masked = 1;
    return 1;
}

// With no SIGIO to wait for, the signal is ignored, so the host discards it at the sender:
// another process sending SIGIO in a loop (`kill -IO`) then costs nothing. Handled, each one
// arriving while the last one's handler still ran stacked a signal frame on the alternate
// stack (the machine's handlers are SA_NODEFER), and a fast enough loop overflowed it: the
// emulator died of SIGSEGV without a word.
static void pb_keyboard_ignore_sigio(void) {
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    (void)sigaction(SIGIO, &ignore, NULL);
}

// Turns the line off: no more SIGIO from stdin. The input is then read when a reader asks for
// it (pb_keyboard_take), and readers wait a timer tick between looks (Kernel+KeyboardCalls).
static void pb_keyboard_mask(void) {
    int flags = fcntl(STDIN_FILENO, F_GETFL);
    if (flags >= 0) {
        (void)fcntl(STDIN_FILENO, F_SETFL, flags & ~O_ASYNC);
    }
    pb_keyboard_ignore_sigio();
}

int pb_keyboard_interrupt(void) {
    int served = pb_keyboard_drain_once();
    // A full ring is not a silent line: the bytes wait for a reader, and the next read serves.
    if (!served && pb_keyboard_kind != PB_INPUT_TTY && pb_key_ring_space(&pb_keyboard_ring) == 0) {
        served = 1;
    }
    if (pb_irq_guard_note(&pb_keyboard_guard, served, pb_monotonic_ns())) {
        pb_keyboard_mask();
        return 1;
    }
    return 0;
}

uint64_t pb_keyboard_unserved(void) { return pb_keyboard_guard.total_unserved; }

// A tty's bytes come with SIGIO; every other kind, and a masked tty, is read when asked.
static int pb_keyboard_read_on_demand(void) {
    return pb_keyboard_kind != PB_INPUT_TTY || pb_keyboard_guard.masked;
}

int pb_keyboard_take(uint8_t *out) {
    if (pb_key_ring_count(&pb_keyboard_ring) == 0 && pb_keyboard_read_on_demand()) {
        pb_keyboard_drain();
    }
    return pb_key_ring_take(&pb_keyboard_ring, out);
}

int pb_keyboard_at_end(void) {
    if (pb_key_ring_count(&pb_keyboard_ring) == 0 && pb_keyboard_read_on_demand()) {
        pb_keyboard_drain();
    }
    return pb_keyboard_ring.end_of_input && pb_key_ring_count(&pb_keyboard_ring) == 0;
}

int pb_keyboard_needs_polling(void) { return pb_keyboard_kind == PB_INPUT_POLLED || pb_keyboard_guard.masked; }
int pb_keyboard_never_waits(void) { return pb_keyboard_kind == PB_INPUT_POLLED; }
uint32_t pb_keyboard_take_monitor(uint8_t *out, uint32_t capacity) {
    return pb_key_ring_take_monitor(&pb_keyboard_ring, out, capacity);
}
int pb_keyboard_monitor_open(void) { return pb_keyboard_ring.monitor_open; }
void pb_keyboard_close_monitor(void) { pb_keyboard_ring.monitor_open = 0; }
void pb_keyboard_feed(const uint8_t *bytes, size_t count) { pb_key_ring_feed(&pb_keyboard_ring, bytes, count); }
void pb_keyboard_put(uint8_t byte) { (void)pb_key_ring_put(&pb_keyboard_ring, byte); }
void pb_keyboard_arm_interrupt(int armed) { pb_keyboard_ring.interrupt_armed = armed; }
uint32_t pb_keyboard_take_interrupts(void) {
    uint32_t n = pb_keyboard_ring.interrupts;
    pb_keyboard_ring.interrupts = 0;
    return n;
}
int pb_keyboard_take_scroll(void) {
    int n = pb_keyboard_ring.scroll;
    pb_keyboard_ring.scroll = 0;
    return n;
}

// MARK: - Resize

static volatile sig_atomic_t pb_terminal_resized;
static long pb_resize_pid, pb_resize_tid;

// A raw system call: no errno, no stack protector, nothing reached through FS.
static long pb_raw_syscall3(long number, long a, long b, long c) {
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}

// SIGWINCH may interrupt guest code, so it must not touch errno or anything thread-local. It
// notes the resize and sends the kernel's thread SIGIO, whose handler is the machine's
// keyboard interrupt (blocked while this one runs, taken as soon as it returns); the kernel's
// keyboard service then looks at the note. With SIGIO ignored (a file as stdin, a masked
// line) the note waits for the next console flush.
static void pb_terminal_resize_handler(int sig) {
    (void)sig;
    pb_terminal_resized = 1;
    (void)pb_raw_syscall3(SYS_tgkill, pb_resize_pid, pb_resize_tid, SIGIO);
}

int pb_terminal_watch_resize(void) {
    pb_resize_pid = getpid();
    pb_resize_tid = gettid();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = pb_terminal_resize_handler;
    action.sa_flags = SA_ONSTACK | SA_RESTART;
    sigfillset(&action.sa_mask);
    return sigaction(SIGWINCH, &action, NULL) != 0 ? errno : 0;
}

// An exchange, not a read then a clear: a resize noted between the two would be lost.
int pb_terminal_take_resize(void) {
    return __atomic_exchange_n(&pb_terminal_resized, 0, __ATOMIC_SEQ_CST) != 0;
}
uint64_t pb_keyboard_dropped(void) { return pb_keyboard_ring.dropped; }

// MARK: - Output and restore

int pb_terminal_write_all(int fd, const void *bytes, size_t count) {
    const uint8_t *next = bytes;
    while (count > 0) {
        ssize_t done = write(fd, next, count);
        if (done > 0) {
            next += done;
            count -= (size_t)done;
        } else if (done < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd wait_for = {.fd = fd, .events = POLLOUT};
            (void)poll(&wait_for, 1, -1);
        } else if (!(done < 0 && errno == EINTR)) {
            return -1;
        }
    }
    return 0;
}

void pb_terminal_set_exit_sequence(const uint8_t *bytes, size_t count) {
    if (count > sizeof pb_exit_sequence) {
        count = sizeof pb_exit_sequence;
    }
    __atomic_store_n(&pb_exit_sequence_length, 0, __ATOMIC_SEQ_CST);
    memcpy(pb_exit_sequence, bytes, count);
    __atomic_store_n(&pb_exit_sequence_length, count, __ATOMIC_SEQ_CST);
}

// The exit sequence is written once (leaving the alternate screen twice would move the cursor
// to a stale saved position); the termios and the flags are put back on every call, which is
// harmless when repeated and right even if a signal interrupted an earlier restore midway.
void pb_terminal_restore(void) {
    int saved_errno = errno;
    size_t length = __atomic_exchange_n(&pb_exit_sequence_length, 0, __ATOMIC_SEQ_CST);
    if (length > 0) {
        (void)pb_terminal_write_all(STDOUT_FILENO, pb_exit_sequence, length);
    }
    if (pb_saved_file_flags_valid) {
        (void)fcntl(STDIN_FILENO, F_SETFL, pb_saved_file_flags);
    }
    if (pb_saved_termios_valid) {
        (void)tcsetattr(STDIN_FILENO, TCSANOW, &pb_saved_termios);
    }
    errno = saved_errno;
}

// MARK: - Host signals

// Writes "pebblebed: SIGNAME[ <sent> process PID]: <what>" to stderr; the sender only for a
// signal a process sent (si_code <= 0). Async-signal-safe: no stdio, numbers by hand.
typedef struct { char text[200]; size_t n; } pb_line;
static void pb_line_add(pb_line *l, const char *s) {
    while (*s && l->n < sizeof l->text - 1) l->text[l->n++] = *s++;
}
static void pb_line_number(pb_line *l, unsigned long v) {
    char digits[24];
    size_t d = 0;
    do { digits[d++] = (char)('0' + v % 10); v /= 10; } while (v && d < sizeof digits);
    while (d && l->n < sizeof l->text - 1) l->text[l->n++] = digits[--d];
}
static void pb_say_signal(int sig, const siginfo_t *si, const char *sent, const char *what) {
    pb_line l = {.n = 0};
    pb_line_add(&l, "pebblebed: SIG");
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        pb_line_add(&l, "RTMIN+");
        pb_line_number(&l, (unsigned long)(sig - SIGRTMIN));
    } else {
        pb_line_add(&l, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
    }
    if (si && si->si_code <= 0) {
        pb_line_add(&l, sent);
        pb_line_add(&l, " process ");
        pb_line_number(&l, si->si_pid > 0 ? (unsigned long)si->si_pid : 0);
    }
    pb_line_add(&l, ": ");
    pb_line_add(&l, what);
    l.text[l.n++] = '\n';
    (void)pb_terminal_write_all(STDERR_FILENO, l.text, l.n);
}

// Ends the process by `sig` itself, so the parent sees which signal it was (a shell: 128+N),
// once the terminal is back. Runs in a handler: the action goes back to the default, the signal
// is unblocked and raised, and a signal whose default is to ignore (none of ours) falls back to
// _exit with the shell's code for it.
static __attribute__((noreturn)) void pb_die_by(int sig) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    (void)sigaction(sig, &dfl, NULL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    (void)raise(sig);
    (void)sigprocmask(SIG_UNBLOCK, &only, NULL);
    _exit(128 + sig);
}

// Signals that end the emulator. The guest may be interrupted anywhere, also in guest code
// whose FS base is 0 or the guest's own: the segment repair comes first, so that libc's errno
// (thread-local through FS) is reachable. Restoring the terminal is the point: a raw-mode
// terminal left behind makes the user's shell unusable.
static void pb_terminal_exit_handler(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    pb_repair_host_segments();
    pb_terminal_restore();
    if (sig == SIGABRT && si->si_code <= 0 && si->si_pid == getpid()) {
        // abort() in the emulator itself (the Swift runtime or libc gave up): a host failure.
        pb_say_signal(sig, NULL, "", "the emulator aborted (an emulator bug, or host memory ran out); backtrace:");
        pb_backtrace(STDERR_FILENO);
    } else if (sig != SIGINT && sig != SIGPIPE) {
        pb_say_signal(sig, si, " from", "stopping the emulator");
    }
    pb_die_by(sig);
}

// MARK: - Signals the kernel serves by halting

// SIGHUP, SIGINT and SIGTERM end a run the user (or a terminal hang-up, or a test runner) wants
// over, and the run's trace and log are what they want from it: ended in the handler, the trace
// lost the events still buffered and its closing lines (the Swift code that writes them cannot
// run in a handler). So once the kernel runs, the first of them is only noted here and the
// kernel stops the machine by its ordinary halt: the handler sets pb_halt_signal and raises
// SIGALRM at the kernel's thread, a timer interrupt (taken at once if a guest runs, noted if
// the kernel runs, waking idle), whose service finds the note and halts. If the kernel never
// gets there (stuck in a host call, a kernel bug), a second signal ends the process here.
static volatile sig_atomic_t pb_halt_serving;
static volatile sig_atomic_t pb_halt_signal;
static volatile int pb_halt_code, pb_halt_sender;   // the request's si_code and si_pid
static long pb_kernel_pid, pb_kernel_tid;

// The handler may interrupt guest code, whose FS base is not the host's (glibc's errno is
// thread-local through FS, and so is its cached tid), or the system-call gate before it put the
// host's back: it reads and writes only plain globals and makes its one host call raw.
static void pb_terminal_halt_handler(int sig, siginfo_t *si, void *ctx) {
    if (!pb_halt_serving || pb_halt_signal != 0) {
        pb_terminal_exit_handler(sig, si, ctx);   // does not return
    }
    pb_halt_code = si->si_code;
    pb_halt_sender = si->si_pid;
    pb_halt_signal = sig;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret)
                     : "0"((long)SYS_tgkill), "D"(pb_kernel_pid), "S"(pb_kernel_tid), "d"((long)SIGALRM)
                     : "rcx", "r11", "memory");
    (void)ret;
}

void pb_terminal_serve_halt_signals(void) {
    pb_kernel_pid = getpid();
    pb_kernel_tid = gettid();
    pb_halt_serving = 1;
}

int pb_terminal_halt_requested(void) { return pb_halt_signal; }

void pb_terminal_finish_halt(int sig) {
    pb_terminal_restore();
    if (sig != SIGINT) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        info.si_code = pb_halt_code;
        info.si_pid = pb_halt_sender;
        pb_say_signal(sig, &info, " from", "stopped the machine (its trace and log are complete)");
    }
    pb_die_by(sig);
}

void pb_external_signal(int sig, siginfo_t *si) {
    pb_repair_host_segments();
    pb_terminal_restore();
    pb_say_signal(sig, si, " sent by", "not a fault; stopping the emulator");
    pb_die_by(sig);
}

// Job control. Stopping with the terminal raw would hand the shell a raw terminal, so the
// terminal is restored first; when the emulator is continued it takes the terminal back.
// (A raw tty has ISIG off, so Ctrl-Z sends nothing: these come from `kill -TSTP` or from a
// background emulator touching the terminal, SIGTTIN/SIGTTOU.)
static struct sigaction pb_stop_action;
static void pb_terminal_stop_handler(int sig, siginfo_t *si, void *ctx) {
    (void)si; (void)ctx;
    pb_repair_host_segments();
    int saved_errno = errno;
    if (pb_saved_file_flags_valid) (void)fcntl(STDIN_FILENO, F_SETFL, pb_saved_file_flags);
    if (pb_saved_termios_valid) (void)tcsetattr(STDIN_FILENO, TCSANOW, &pb_saved_termios);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    (void)sigaction(sig, &dfl, NULL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    (void)raise(sig);                                  // pending: every signal is blocked here
    (void)sigprocmask(SIG_UNBLOCK, &only, NULL);       // stops here, until SIGCONT
    (void)sigprocmask(SIG_BLOCK, &only, NULL);
    (void)sigaction(sig, &pb_stop_action, NULL);
    if (pb_saved_termios_valid) {
        struct termios raw = pb_saved_termios;
        pb_terminal_make_raw(&raw);
        (void)tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    if (pb_saved_file_flags_valid) (void)fcntl(STDIN_FILENO, F_SETFL, pb_saved_file_flags | O_ASYNC | O_NONBLOCK);
    errno = saved_errno;
}

// Every signal the emulator does not use (pb_machine_init has SEGV, BUS, FPE, ILL, TRAP, SYS,
// ALRM and IO) and whose default would end or stop it. SIGXFSZ is ignored (pb_host.c: a write
// past `ulimit -f` fails with EFBIG and is reported naming the limit). Left at their defaults:
// SIGCHLD, SIGURG, SIGWINCH (ignored unless pb_terminal_watch_resize), SIGCONT (continues), SIGKILL and SIGSTOP (cannot be
// caught). glibc keeps 32 and 33 for itself; the real-time signals above end the emulator.
static const int pb_exit_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGUSR1, SIGUSR2, SIGPIPE, SIGTERM, SIGSTKFLT,
    SIGXCPU, SIGVTALRM, SIGPROF, SIGPWR,
};
static const int pb_stop_signals[] = {SIGTSTP, SIGTTIN, SIGTTOU};

int pb_terminal_install_exit_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = pb_terminal_exit_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&action.sa_mask);
    for (size_t i = 0; i < sizeof pb_exit_signals / sizeof pb_exit_signals[0]; i++) {
        if (sigaction(pb_exit_signals[i], &action, NULL) != 0) {
            return errno;
        }
    }
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++) {
        if (sigaction(sig, &action, NULL) != 0) {
            return errno;
        }
    }
    // SA_RESTART: a host call of the kernel's that a noted halt request interrupted goes on.
    struct sigaction halt = action;
    halt.sa_sigaction = pb_terminal_halt_handler;
    halt.sa_flags |= SA_RESTART;
    const int halts[] = {SIGHUP, SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof halts / sizeof halts[0]; i++) {
        if (sigaction(halts[i], &halt, NULL) != 0) {
            return errno;
        }
    }
    memset(&pb_stop_action, 0, sizeof pb_stop_action);
    pb_stop_action.sa_sigaction = pb_terminal_stop_handler;
    pb_stop_action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&pb_stop_action.sa_mask);
    for (size_t i = 0; i < sizeof pb_stop_signals / sizeof pb_stop_signals[0]; i++) {
        if (sigaction(pb_stop_signals[i], &pb_stop_action, NULL) != 0) {
            return errno;
        }
    }
    return 0;
}

int pb_terminal_signal_disposition(int sig) {
    for (size_t i = 0; i < sizeof pb_exit_signals / sizeof pb_exit_signals[0]; i++) {
        if (pb_exit_signals[i] == sig) return 1;
    }
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) return 1;
    for (size_t i = 0; i < sizeof pb_stop_signals / sizeof pb_stop_signals[0]; i++) {
        if (pb_stop_signals[i] == sig) return 2;
    }
    if (sig == SIGXFSZ) return 3;
    return 0;
}

// MARK: - Standard descriptors

// open() takes the lowest free descriptor. With 0, 1 or 2 closed by the parent (`<&-`, `>&-`,
// `2>&-`), the next file the emulator opened would become the guest's keyboard, console or the
// kernel log: the memfd behind guest physical memory, a --log or --trace file (issue 17, 2).
// Each closed one is opened on /dev/null here, in order, so each open lands on the hole.
int pb_ensure_standard_fds(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) {
            continue;
        }
        int got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (got < 0) {
            return errno;
        }
        if (got != fd) {   // cannot happen (every lower one is open); never leave a stray fd
            close(got);
            return EBADF;
        }
    }
    return 0;
}
