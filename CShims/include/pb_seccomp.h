// Guard rail: host system calls made from guest code raise SIGSYS.
#ifndef PB_SECCOMP_H
#define PB_SECCOMP_H
// Installs a seccomp filter that traps (SIGSYS) every host system call whose instruction pointer
// lies in the guest range [0x01000000, 0x100000000), whatever the entry (`syscall`, `int $0x80`,
// `sysenter`) or architecture; the emulator's own calls pass. C because the BPF program is built
// from kernel macros. Returns 0 or an errno.
int pb_seccomp_install(void);
#endif
