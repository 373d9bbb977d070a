// The system-call gate's C side: its pages, the signals that land in it, the rare segment
// verdict. See include/pb_gate.h and pb_gate.S.
#define _GNU_SOURCE
#include "pb_gate.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <cpuid.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <asm/prctl.h>

// pb_gate.S spells these numbers itself.
_Static_assert(PB_GUEST_CS == 0x23 && PB_HOST_CS == 0x33 && PB_USER_DS == 0x2b, "selectors");
_Static_assert(PB_EV_SYSCALL == 1 && PB_EV_SEGMENT == 7, "event kinds");
_Static_assert(offsetof(pb_regs, rdi) == 64 && offsetof(pb_regs, rsp) == 120 &&
               offsetof(pb_regs, rip) == 128 && offsetof(pb_regs, oldmask) == 168, "pb_regs");
_Static_assert(offsetof(pb_trapframe, fpsize) == 184 && offsetof(pb_trapframe, fpstate) == 192,
               "pb_trapframe");
_Static_assert(offsetof(pb_event, addr) == 16 && offsetof(pb_event, err) == 24, "pb_event");
_Static_assert(PB_GATE_THUNKS + PB_GATE_BANK_COUNT * PB_GATE_SLOT <= PB_GATE_BASE + PB_GATE_SIZE &&
               PB_GATE_BASE + PB_GATE_SIZE <= PB_USER_MEM_START &&
               PB_GATE_COUNT == 2 * PB_GATE_BANK_COUNT && PB_GATE_BANK_COUNT == 1024 &&
               PB_GATE_BANK_STRIDE == 0x20000 && PB_GATE_SIZE <= PB_GATE_BANK_STRIDE / 2 &&
               PB_GATE_BASE - PB_GATE_BANK_STRIDE >= 0x10000, "gate layout (pb_gate.S spells the banks)");

pb_trapframe *pb_gate_frame;
pb_event *pb_gate_event;
volatile int pb_gate_traced;
uint64_t pb_gate_host_fs;
uint64_t pb_gate_xmask;
uint32_t pb_gate_fpsize;
// Whether the host's GS base is 0, what the user data segment loads: then a guest's GS of 0x2b
// needs no repair and the gate checks it itself (pb_gate.S); else pb_gate_segments does.
int pb_gate_host_gs_zero;

extern char pb_gate_entry[], pb_gate_window_start[], pb_gate_window_end[];
extern volatile int pb_in_kernel, pb_pending_timer, pb_pending_io;

// The xsave components the gate saves: those the host enables (XCR0) that a signal frame of
// fpsize bytes holds, minus PKRU (the host's policy, which the exit never restores either).
static uint64_t xsave_mask(uint32_t fpsize) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    uint64_t xcr0 = (uint64_t)hi << 32 | lo, mask = xcr0 & 3;
    for (unsigned i = 2; i < 64; i++) {
        if (!(xcr0 >> i & 1) || i == 9) continue;
        unsigned size, offset, flags, unused;
        if (!__get_cpuid_count(0xD, i, &size, &offset, &flags, &unused)) break;
        if (size && !(flags & 1) && offset + size <= fpsize - 4) mask |= 1ULL << i;
    }
    return mask;
}

int pb_gate_init(void) {
    if (!pb_machine_has_fsgsbase()) return ENOTSUP;    // after pb_machine_init
    uint32_t fpsize = pb_signal_xsave_size();
    if (fpsize <= 512) return ENOTSUP;                 // fxsave-only host
    if (syscall(SYS_arch_prctl, ARCH_GET_FS, &pb_gate_host_fs)) return errno;
    uint64_t gs_base;
    if (syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_base)) return errno;
    pb_gate_host_gs_zero = gs_base == 0;
    pb_gate_fpsize = fpsize;
    pb_gate_xmask = xsave_mask(fpsize);
    // Over the low range's PROT_NONE reservation (HostMapping.reserve), which is ours: bank 0
    // at PB_GATE_BASE, bank 1 (the frame-pointer shapes) PB_GATE_BANK_STRIDE below it.
    unsigned char *banks[2];
    for (int b = 0; b < 2; b++) {
        banks[b] = mmap((void *)(uintptr_t)(PB_GATE_BASE - b * PB_GATE_BANK_STRIDE), PB_GATE_SIZE,
                        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (banks[b] == MAP_FAILED) return errno;
        memset(banks[b], 0xCC, PB_GATE_SIZE);   // int3 between the pieces: a stray jump traps
    }
    unsigned char *g = banks[0];
    // The trampoline: movabs $pb_gate_entry, %r10; jmp *%r10 (the gate is far above 4 GiB).
    unsigned char *t = g + (PB_GATE_TRAMPOLINE - PB_GATE_BASE);
    uint64_t target = (uint64_t)(uintptr_t)pb_gate_entry;
    t[0] = 0x49; t[1] = 0xBA; memcpy(t + 2, &target, 8);
    t[10] = 0x41; t[11] = 0xFF; t[12] = 0xE2;
    for (uint32_t k = 0; k < PB_GATE_COUNT; k++) {
        uint32_t b = k / PB_GATE_BANK_COUNT, j = k % PB_GATE_BANK_COUNT;
        uint32_t bank = PB_GATE_BASE - b * PB_GATE_BANK_STRIDE;
        // Entry k (64-bit): mov $(MAGIC + k), %r11d; jmp trampoline (bank 0's).
        uint32_t entry = bank + (PB_GATE_ENTRIES - PB_GATE_BASE) + j * PB_GATE_SLOT;
        unsigned char *e = banks[b] + (entry - bank);
        uint32_t tag = PB_GATE_MAGIC + k;
        e[0] = 0x41; e[1] = 0xBB; memcpy(e + 2, &tag, 4);
        int32_t rel = (int32_t)(PB_GATE_TRAMPOLINE - (entry + 11));
        e[6] = 0xE9; memcpy(e + 7, &rel, 4);
        // Thunk k (32-bit): ljmp $0x33, $entry_k, then the stub's tail after its `int $n`.
        unsigned char *th = banks[b] + (PB_GATE_THUNKS - PB_GATE_BASE) + j * PB_GATE_SLOT;
        th[0] = 0xEA; memcpy(th + 1, &entry, 4); th[5] = PB_HOST_CS; th[6] = 0;
        switch (b * 4 + (k & 3)) {
        case 0: th[7] = 0xC3; break;                                  // ret
        case 1: th[7] = 0x5E; th[8] = 0xC3; break;                    // pop %esi; ret
        case 2: th[7] = 0xEB; th[8] = 0xF7; break;                    // jmp thunk (call again)
        case 3: th[7] = 0x5E; th[8] = 0xEB; th[9] = 0xF6; break;      // pop %esi; jmp thunk
        case 4: th[7] = 0x5D; th[8] = 0xC3; break;                    // pop %ebp; ret
        case 5: th[7] = 0x5E; th[8] = 0x5D; th[9] = 0xC3; break;      // pop %esi; pop %ebp; ret
        case 6: th[7] = 0xC9; th[8] = 0xC3; break;                    // leave; ret
        case 7: th[7] = 0x5E; th[8] = 0xC9; th[9] = 0xC3; break;      // pop %esi; leave; ret
        }
    }
    for (int b = 0; b < 2; b++) {
        if (mprotect(banks[b], PB_GATE_SIZE, PROT_READ | PROT_EXEC)) return errno;
    }
    return 0;
}

// No thread-local storage here (the FS base may still be the guest's), nor segment changes
// (the gate has not looked at them yet).
int pb_gate_signal(int sig, const void *siginfo, void *ctx) {
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    if ((g[REG_CSGSFS] & 0xffff) != PB_HOST_CS) return 0;
    uint64_t rip = (uint64_t)g[REG_RIP];
    int entries = (rip >= PB_GATE_ENTRIES && rip < PB_GATE_TRAMPOLINE + 16) ||
                  (rip >= PB_GATE_ENTRIES - PB_GATE_BANK_STRIDE &&
                   rip < PB_GATE_ENTRIES - PB_GATE_BANK_STRIDE + PB_GATE_BANK_COUNT * PB_GATE_SLOT);
    int gate = rip >= (uint64_t)(uintptr_t)pb_gate_window_start &&
               rip < (uint64_t)(uintptr_t)pb_gate_window_end;
    if (!(entries || gate) || pb_in_kernel) return 0;
    if (sig == SIGALRM) { pb_pending_timer = 1; return 1; }
    if (sig == SIGIO) { pb_pending_io = 1; return 1; }
    const siginfo_t *si = siginfo;
    if (sig == SIGTRAP && si->si_code == TRAP_TRACE) {
        g[REG_EFL] &= ~0x100LL;
        pb_gate_traced = 1;
        return 1;
    }
    return 0;   // a fault in the gate: the kernel's bug, or a guest's own 64-bit code
}
