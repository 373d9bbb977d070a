// The system-call gate (issue 20): patched call sites enter the kernel by a far jump from
// compatibility mode to 64-bit code instead of `int $n`, so no host signal is involved.
// See pb_gate.S for the entry itself and Machine/README.md ("The fast path").
#ifndef PB_GATE_H
#define PB_GATE_H


// The gate's pages, inside the low range the kernel reserves below guest memory
// (HostMapping.reserve): 32-bit code can reach them with a far jump, the guest's own address
// space never holds them. Read-only and executable from boot on.
#define PB_GATE_BASE     0x00FF0000
#define PB_GATE_SIZE     0x10000
// Bank 0: 1024 64-bit entries of 16 bytes, one per (vector, stub shape 0-3): entry k =
// 4*vector + shape. Bank 1, the same layout PB_GATE_BANK_STRIDE lower (0x00FD0000..0x00FE0000),
// holds shapes 4-7 (the frame-pointer stubs): entry k = 1024 + 4*vector + (shape - 4), at
// PB_GATE_ENTRIES - PB_GATE_BANK_STRIDE + 16*(k - 1024). Its trampoline slot is int3 fill (its
// entries jump to bank 0's). 0x00FE0000..0x00FF0000 stays unmapped.
#define PB_GATE_ENTRIES  (PB_GATE_BASE + 0x0000)
#define PB_GATE_BANK_STRIDE 0x20000
#define PB_GATE_BANK_COUNT 1024
#define PB_GATE_TRAMPOLINE (PB_GATE_BASE + 0x4000)
// 1024 32-bit thunks of 16 bytes a bank, thunk k far-jumps to entry k, then does what the stub
// did after its `int $n` (shape: 0 `ret`, 1 `pop %esi; ret`, 2 and 3 the same but noreturn;
// bank 1: 4 `pop %ebp; ret`, 5 `pop %esi; pop %ebp; ret`, 6 `leave; ret`, 7 `pop %esi; leave;
// ret`).
#define PB_GATE_THUNKS   (PB_GATE_BASE + 0x8000)
#define PB_GATE_SLOT     16
#define PB_GATE_COUNT    2048   // entries in both banks
// Where a thunk's `int $n` would be: the kernel's system-call path moves eip 2 bytes past it,
// to the thunk's suffix.
#define PB_GATE_INT_OFFSET 5
// r11 at the gate: this plus the entry number (see pb_gate.S on why it is checked).
#define PB_GATE_MAGIC    0x6A7E0000

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "pb_machine.h"

// Maps and fills the gate's pages. 0, or an errno; ENOTSUP when the host lacks FSGSBASE or
// xsave (the gate needs both; the trap path then serves every call).
int pb_gate_init(void);

// Called first by the machine's signal handlers: a signal that interrupted the gate before it
// turned interrupts off is handled here (1) and the handler returns at once. A timer or
// keyboard interrupt only notes itself (the gate then enters the kernel, which takes it on the
// way out); a single-step trap raised by a guest's own trap flag on its far jump clears the
// flag in the gate and has the gate put it back into the guest's saved flags.
int pb_gate_signal(int sig, const void *siginfo, void *ucontext);

// Where the gate saves the guest and reports the call: set by pb_enter_guest for each run.
extern pb_trapframe *pb_gate_frame;
extern pb_event *pb_gate_event;

// The size of the xsave layout a signal frame has (the trap frames' fpsize), from pb_machine.c.
uint32_t pb_signal_xsave_size(void);
// Whether the trap path restores the FS base with FSGSBASE (pb_machine.c); the gate needs it.
int pb_machine_has_fsgsbase(void);
#endif

#endif
