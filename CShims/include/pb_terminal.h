// Keyboard input and terminal state for the host terminal that plays the machine's console.
//
// Why C: the keyboard interrupt is SIGIO, and its handler must only call async-signal-safe
// functions on memory that is never allocated; termios and fcntl are C interfaces; and the
// restore path must be callable from a crash or signal handler. It could move to Swift only if
// Swift code could be proven allocation-free inside a signal handler.
//
// Ownership: the ring is filled only by pb_keyboard_drain and emptied only by pb_keyboard_take,
// both called from kernel code, which no signal handler re-enters (the SIGIO handler only notes
// the interrupt while the kernel runs; see pb_machine.c). So the indices need no locks.
#ifndef PB_TERMINAL_H
#define PB_TERMINAL_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <termios.h>

/// Bytes the keyboard ring holds; a power of two so indices wrap with a mask.
#define PB_KEY_RING_CAPACITY 4096u

/// Ctrl-]: the host escape. It opens the console monitor (Devices/Monitor); the keys after it
/// go to the monitor, not to the guest, until the kernel closes the monitor.
#define PB_KEY_ESCAPE 0x1Du
/// Ctrl-C: the interrupt key, diverted while the kernel has a foreground task to interrupt.
#define PB_KEY_INTERRUPT 0x03u
/// Bytes of monitor input held for the kernel between two keyboard interrupts.
#define PB_MONITOR_CAPACITY 256u

/// A fixed byte ring with the host-key filter. Plain data so tests can make one in process.
typedef struct pb_key_ring {
    uint8_t bytes[PB_KEY_RING_CAPACITY];
    uint32_t head;               // next slot to fill; written only by the producer
    uint32_t tail;               // next slot to take; written only by the consumer
    uint64_t dropped;            // bytes lost because the ring was full
    int escape_enabled;          // apply the host-key filter (only for a tty: people type it)
    int monitor_open;            // a Ctrl-] was seen and the kernel has not closed the monitor
    uint8_t monitor[PB_MONITOR_CAPACITY];  // keys typed into the monitor, not yet taken
    uint32_t monitor_count;
    int interrupt_armed;         // the kernel has a foreground task: Ctrl-C is diverted
    uint32_t interrupts;         // Ctrl-C presses diverted and not yet taken
    int scroll;                  // Shift-PgUp (-1 each) and Shift-PgDn (+1 each) not yet taken
    uint8_t sequence[8];         // a prefix of a Shift-PgUp/PgDn sequence, held back
    uint32_t sequence_length;
    int end_of_input;            // the input source reported end of file (or failed)
} pb_key_ring;

void pb_key_ring_init(pb_key_ring *ring, int escape_enabled);
/// Stores one byte; returns 1, or 0 (and counts a drop) when the ring is full.
int pb_key_ring_put(pb_key_ring *ring, uint8_t byte);
/// Takes the oldest byte into *out; returns 1, or 0 when the ring is empty.
int pb_key_ring_take(pb_key_ring *ring, uint8_t *out);
uint32_t pb_key_ring_count(const pb_key_ring *ring);
uint32_t pb_key_ring_space(const pb_key_ring *ring);
/// Feeds bytes read from the input through the host-key filter into the ring.
/// Async-signal-safe. With the filter on (a tty): Ctrl-] opens the monitor and it and every
/// later byte go to `monitor` until the kernel closes it; Ctrl-C, while `interrupt_armed`,
/// counts in `interrupts` instead of being stored; Shift-PgUp and Shift-PgDn (ESC [ 5 ; 2 ~,
/// ESC [ 6 ; 2 ~) count in `scroll`, and a prefix of them is held until it is decided.
void pb_key_ring_feed(pb_key_ring *ring, const uint8_t *bytes, size_t count);
/// Records end of input; a held sequence prefix is stored as it came. Async-signal-safe.
void pb_key_ring_mark_end(pb_key_ring *ring);
/// Moves the monitor's keys into out (at most capacity) and empties them; returns the count.
uint32_t pb_key_ring_take_monitor(pb_key_ring *ring, uint8_t *out, uint32_t capacity);

/// A guard for an interrupt line that keeps firing with nothing to serve (a "screaming" line).
/// Plain data so tests can drive one in process with their own clock.
typedef struct pb_irq_guard {
    uint32_t limit;              // unserved interrupts within one window that mask the line
    uint64_t window_ns;          // the window's length
    uint64_t window_start;       // when the current window began
    uint32_t unserved;           // unserved interrupts in the current window
    uint64_t total_unserved;     // since boot, for the log
    int masked;                  // the line was masked; the guard notes nothing more
} pb_irq_guard;

/// The keyboard line: 1,000 unserved SIGIOs within 100 ms (10,000 a second) mask it. A real
/// keyboard, pipe or tty output wakeup comes nowhere near; a self-feeding source gets there in
/// a few milliseconds.
#define PB_IRQ_GUARD_LIMIT 1000u
#define PB_IRQ_GUARD_WINDOW_NS 100000000ull

void pb_irq_guard_init(pb_irq_guard *guard, uint32_t limit, uint64_t window_ns);
/// Notes one interrupt at `now_ns`, served (it found work) or not. Returns 1 exactly once: when
/// this interrupt makes the line count as screaming and the caller must mask it.
int pb_irq_guard_note(pb_irq_guard *guard, int served, uint64_t now_ns);

/// What standard input turned out to be when the keyboard was opened.
typedef enum pb_input_kind {
    PB_INPUT_TTY = 0,      // raw-mode terminal, SIGIO per keystroke, host escape active
    PB_INPUT_STREAM = 1,   // pipe, socket or fifo: SIGIO per write, read until end of file
    PB_INPUT_POLLED = 2,   // regular file or /dev/null: no SIGIO ever, drain by polling
    PB_INPUT_CLOSED = 3,   // no standard input at all: end of input from the start
} pb_input_kind;

/// Puts a tty stdin into raw mode and makes stdin raise SIGIO (O_ASYNC, O_NONBLOCK, owner this
/// process), remembering the termios and file flags for pb_terminal_restore. The SIGIO handler
/// must already be installed (SIGIO's default action ends the process). Reads what is already
/// waiting, since no signal will announce it. Returns the kind of input, or -1 with errno set.
int pb_keyboard_open(void);
/// Reads everything stdin has ready into the global ring. Called by the kernel (keyboard
/// interrupt, keyboard open, polled input); never blocks, never allocates, preserves errno.
/// Asks poll before each read of a SIGIO-driven stdin: see pb_keyboard_readable.
void pb_keyboard_drain(void);
/// The keyboard interrupt's service: drains, and notes in the line's guard whether the SIGIO
/// found anything (bytes, the end of input, or a full ring waiting for a reader). Returns 1
/// when this interrupt made the line count as screaming: SIGIO from stdin is then turned off
/// (O_ASYNC cleared) and the input is read on demand, readers looking once a tick.
int pb_keyboard_interrupt(void);
/// Keyboard interrupts that found nothing to serve, since boot.
uint64_t pb_keyboard_unserved(void);
/// Takes one byte from the global ring (draining stdin first when the ring is empty and input
/// is polled or was held back). Kernel context only. Returns 1 or 0.
int pb_keyboard_take(uint8_t *out);
/// 1 when the input has ended and every byte has been taken.
int pb_keyboard_at_end(void);
/// 1 when stdin raises no SIGIO (regular file, /dev/null, or a masked line): readers must not
/// block until a keyboard interrupt.
int pb_keyboard_needs_polling(void);
/// 1 when a read of stdin never waits for input (regular file, /dev/null): a reader may retry
/// at once. A masked stream or tty may have nothing for a long time: readers look once a tick.
int pb_keyboard_never_waits(void);
/// The global ring's monitor input (see pb_key_ring_take_monitor). Kernel context only.
uint32_t pb_keyboard_take_monitor(uint8_t *out, uint32_t capacity);
/// 1 while the monitor holds the keyboard.
int pb_keyboard_monitor_open(void);
/// The kernel closed the monitor: keys go to the guest again.
void pb_keyboard_close_monitor(void);
/// Feeds bytes through the filter again (keys the monitor gave back to the guest).
void pb_keyboard_feed(const uint8_t *bytes, size_t count);
/// Stores one byte as it is, past the filter (a literal Ctrl-], an undiverted Ctrl-C).
void pb_keyboard_put(uint8_t byte);
/// Whether Ctrl-C is diverted (the kernel has a foreground task).
void pb_keyboard_arm_interrupt(int armed);
/// Ctrl-C presses diverted since the last call.
uint32_t pb_keyboard_take_interrupts(void);
/// Shift-PgUp (-1) and Shift-PgDn (+1) presses since the last call, summed.
int pb_keyboard_take_scroll(void);
/// Makes SIGWINCH (the terminal was resized) set a flag and raise the keyboard interrupt, so
/// the kernel redraws the console. The handler touches no thread-local state (it may interrupt
/// guest code, whose FS base is not the host's): a flag and a raw tgkill. 0 or an errno.
int pb_terminal_watch_resize(void);
/// 1 when the terminal was resized since the last call.
int pb_terminal_take_resize(void);
uint64_t pb_keyboard_dropped(void);

/// Bytes written to stdout (when it is a tty) by pb_terminal_restore, e.g. to leave the
/// alternate screen and show the cursor. Copied; at most 64 bytes are kept.
void pb_terminal_set_exit_sequence(const uint8_t *bytes, size_t count);
/// Puts back the termios and the file flags of stdin and writes the exit sequence. Idempotent and
/// async-signal-safe: the halt path, the panic path and SIGINT/SIGTERM/SIGHUP handlers call it.
void pb_terminal_restore(void);
/// Makes every catchable signal the machine does not use end the emulator with the terminal
/// restored, by that same signal (its default action), so a shell sees the cause of death:
/// HUP, INT, QUIT, ABRT, USR1, USR2, PIPE, TERM, STKFLT, XCPU, VTALRM, PROF, PWR and the
/// real-time signals; an abort() of the emulator itself also prints a backtrace. TSTP, TTIN and
/// TTOU restore the terminal, stop, and take it back when continued. CHLD, URG and CONT keep
/// their harmless defaults; WINCH too, unless pb_terminal_watch_resize took it. Handlers run on the alternate signal stack with every signal
/// blocked. Returns 0 or an errno value.
int pb_terminal_install_exit_handlers(void);
/// Halt signals: from this call on, the first SIGHUP, SIGINT or SIGTERM does not end
/// the process in its handler. The handler only notes it (pb_terminal_halt_requested) and raises
/// a timer interrupt at the calling (kernel) thread; the kernel halts the machine through its
/// ordinary path, which closes the trace and the log, and then calls pb_terminal_finish_halt.
/// A second one, or one that comes before this call, ends the emulator at once as before.
void pb_terminal_serve_halt_signals(void);
/// The signal that asked the kernel to halt (SIGHUP, SIGINT or SIGTERM), 0 while none did.
int pb_terminal_halt_requested(void);
/// After the halt: restores the terminal, says which signal stopped the machine and who sent it
/// (not for SIGINT), and ends the process by that signal, so a shell sees 128+N.
void pb_terminal_finish_halt(int sig) __attribute__((noreturn));
/// Writes all bytes, retrying on EINTR, short writes and EAGAIN (stdout may share the
/// O_NONBLOCK open file of a tty stdin). Async-signal-safe. Returns 0, or -1 with errno set.
int pb_terminal_write_all(int fd, const void *bytes, size_t count);
/// The raw mode we use, applied to a copy: like cfmakeraw, but output post-processing (OPOST,
/// ONLCR) stays on so '\n' from the emulator and from stderr still starts a new line, and
/// ICRNL stays on so Enter reaches getchar as '\n', as on a Pebbles keyboard.
void pb_terminal_make_raw(struct termios *settings);
/// The size of the terminal on fd (ioctl is variadic, which Swift cannot call). 0, or -1.
int pb_terminal_window_size(int fd, int *rows, int *columns);
/// Sets the size of a pseudo-terminal from its master side (tests make 80x25 screens with it).
int pb_terminal_set_window_size(int fd, int rows, int columns);
/// Opens a pseudo-terminal master (close-on-exec) and writes its slave's path into name; for
/// tests that drive the emulator like a person at a terminal. C because posix_openpt, grantpt,
/// unlockpt and ptsname_r need _XOPEN_SOURCE, which Swift's Glibc module does not define.
/// Returns the master fd, or -1 with errno set.
int pb_terminal_open_pty(char *name, size_t size);
/// 1 if fd is a terminal (isatty without touching errno for the caller).
int pb_terminal_is_tty(int fd);

/// 1 when pb_terminal_install_exit_handlers makes `sig` end the emulator, 2 when it stops
/// it, 3 for SIGXFSZ (ignored: pb_host_ignore_file_size_signal), 0 otherwise (for the tests
/// that sweep every signal).
int pb_terminal_signal_disposition(int sig);
/// A fault signal (SEGV, BUS, FPE, ILL, TRAP, SYS) that another process sent (si_code <= 0:
/// SI_USER, SI_TKILL, SI_QUEUE), not one the CPU raised: no kernel panic, no guest fault; the
/// emulator says who sent it, restores the terminal and ends by that signal. Called first in
/// the machine's synchronous handler. Async-signal-safe; does not return.
void pb_external_signal(int sig, siginfo_t *si) __attribute__((noreturn));

/// Opens each of descriptors 0, 1 and 2 that is closed on /dev/null, so that no file the
/// emulator opens later can become stdin, stdout or stderr. Call first thing in main, before
/// anything opens a file. Returns 0 or an errno value (/dev/null could not be opened).
int pb_ensure_standard_fds(void);

#endif
