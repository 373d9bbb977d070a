/*
 * thread.h: the thread library (libthread.a). Call thr_init once, from the
 * first thread, before any other thr_ function; it also makes malloc
 * thread-safe.
 */
#ifndef _THREAD_H
#define _THREAD_H

int thr_init(unsigned int size);
int thr_create(void *(*func)(void *), void *args);
int thr_join(int tid, void **statusp);
void thr_exit(void *status) __attribute__((__noreturn__));
int thr_getid(void);
int thr_yield(int tid);

#endif /* _THREAD_H */
