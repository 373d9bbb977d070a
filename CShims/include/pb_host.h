// The host process's resource limits, checked where the emulator can still say which limit is
// the cause (issue 17, 5). Why C: the stack check must run before Swift's main (an ELF
// constructor), and rlimit constants are macros.
#ifndef PB_HOST_H
#define PB_HOST_H

#include <stdint.h>
#include <sys/resource.h>

/// Makes SIGXFSZ ignored, so writes past `ulimit -f` fail with EFBIG. Returns 0 or an errno.
int pb_host_ignore_file_size_signal(void);
/// The soft limit of `resource` (RLIMIT_FSIZE, RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_NPROC ...), or
/// UINT64_MAX when unlimited or unknown.
uint64_t pb_host_limit(int resource);

/// Makes sure at least `needed` descriptors may be open, raising the soft limit toward the hard
/// one if it is lower. 0 when there are enough, -1 when the hard limit is too low; the limits
/// seen are stored in *soft and *hard (UINT64_MAX: unlimited).
int pb_host_ensure_open_files(uint64_t needed, uint64_t *soft, uint64_t *hard);

/// Closes every descriptor numbered at or above the soft open-file limit: inherited ones (a
/// make jobserver's, a harness's fd 251) that no new file can take anyway, and that make
/// Foundation's Process fail to spawn (it asks to close each open descriptor in the child,
/// and posix_spawn refuses a number past the limit with EBADF). 0 or an errno value.
int pb_host_close_descriptors_above_limit(void);

#endif
