/*
 * cond.h: condition variables. As always, a waiter must re-check its
 * condition in a loop after cond_wait returns.
 */
#ifndef _COND_H
#define _COND_H

#include <cond_type.h>
#include <mutex_type.h>

int cond_init(cond_t *cv);
void cond_destroy(cond_t *cv);
void cond_wait(cond_t *cv, mutex_t *mp);
void cond_signal(cond_t *cv);
void cond_broadcast(cond_t *cv);

#endif /* _COND_H */
