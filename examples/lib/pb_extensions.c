/* pb_extensions.c: pb_strerror and pb_wait_nohang (pb_extensions.h). */
#include <pb_extensions.h>
#include "internal.h"

/* Index -err - 1; the texts are PebblesError.description's, word for word. */
static const char *const meanings[] = {
    "bad address",          /* PB_EFAULT */
    "invalid argument",     /* PB_EINVAL */
    "out of memory",        /* PB_ENOMEM */
    "not found",            /* PB_ENOENT */
    "busy",                 /* PB_EBUSY */
    "no child",             /* PB_ECHILD */
    "not executable",       /* PB_ENOEXEC */
    "arguments too long",   /* PB_E2BIG */
    "no such system call",  /* PB_ENOSYS */
};

const char *pb_strerror(int err)
{
    if (err < 0 && -err <= (int)(sizeof(meanings) / sizeof(meanings[0])))
        return meanings[-err - 1];
    return "error";
}

int pb_wait_nohang(int *status)
{
    return _pb_wait_nohang(status);
}
