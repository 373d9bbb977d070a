#define _GNU_SOURCE
#include "pb_seccomp.h"
#include "pb_machine.h"
#include <errno.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

// x32 system calls carry this bit in their number.
#define PB_X32_SYSCALL_BIT 0x40000000U

// The rules, in order:
// 1. Any architecture but x86-64 traps. The emulator only makes x86-64 calls; a guest's
//    `int $0x80`, and its `syscall` or `sysenter` in compatibility mode, are i386 calls. The
//    instruction pointer alone cannot catch the last two: Linux reports them at the vDSO's
//    int80 landing pad, far outside the guest range.
// 2. x32 calls trap (the emulator never makes them).
// 3. An instruction pointer inside the guest range, or in the top 4 GiB (the vsyscall page,
//    which 64-bit guest code could call), traps.
// 4. Everything else (the emulator's own code) is allowed.
int pb_seccomp_install(void) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PB_X32_SYSCALL_BIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffU, 3, 0),   // vsyscall page: trap
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),             // above 4 GiB: the emulator
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)PB_USER_MEM_START, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof filter / sizeof filter[0], filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return errno;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) return errno;
    return 0;
}
