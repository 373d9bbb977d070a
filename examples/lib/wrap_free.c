/* wrap_free.c: public free, the heap lock around _free (see malloc.c). */
#include <malloc.h>
#include "internal.h"

void free(void *buf)
{
    _pb_heap_enter();
    _free(buf);
    _pb_heap_leave();
}
