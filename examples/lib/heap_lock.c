/*
 * heap_lock.c: the hooks the public allocator calls (internal.h). NULL
 * until Pebblebed's thr_init points them at a mutex: before that there is
 * one thread. An object of its own, so that a user's thread library that
 * brings its own malloc & co. never pulls in anything else of ours.
 */
#include "internal.h"

void (*_pb_heap_lock)(void *arg);
void (*_pb_heap_unlock)(void *arg);
void *_pb_heap_lock_arg;
