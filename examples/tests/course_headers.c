/*
 * course_headers: a program written against 15-410's user headers the
 * way course tests are (410_tests.h, report.h, thrgrp.h, rand.h, types.h,
 * simics.h, test.h), checking what each provides:
 *   - rand.h: sgenrand(4357) gives MT19937's published 3510405877,
 *     4290933890, and the same seed gives the same sequence again;
 *   - thrgrp.h: a group's threads are joined as they return, any order,
 *     each status once; a join with nothing left fails; destroy succeeds
 *     once all are joined and fails before;
 *   - string.h bzero, types.h types, assert.h's panic declaration;
 *   - simics.h: sim_in_simics answers 1, sim_memsize a size, sim_puts and
 *     sim_printf log, sim_ck1 logs and returns, magic_readline reads a line
 *     (standard input "course line").
 * Reports through report.h: verdict PASS under --report.
 */
#include <types.h>
#include <asm_style.h>
#include <test.h>
#include <rand.h>
#include <thrgrp.h>
#include <thread.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

DEF_TEST_NAME("course_headers:");

#define THREADS 8

static void fail_with(const char *why)
{
    report_misc(why);
    REPORT_END_FAIL;
    exit(1);
}

#define CHECK(c) do { if (!(c)) fail_with("failed: " #c); } while (0)

static void *square(void *arg)
{
    int i = (int)arg;

    if (i % 2)
        yield(-1);          /* let the groups' members finish out of order */
    return (void *)(i * i);
}

static void check_rand(void)
{
    unsigned long first[4];
    int i;

    sgenrand(4357);
    CHECK(genrand() == 3510405877UL);
    CHECK(genrand() == 4290933890UL);
    sgenrand(12345);
    for (i = 0; i < 4; i++)
        first[i] = genrand();
    sgenrand(12345);
    for (i = 0; i < 4; i++)
        CHECK(genrand() == first[i]);
}

static void check_thrgrp(void)
{
    thrgrp_group_t group;
    int i, seen = 0;
    void *status;

    CHECK(thrgrp_init_group(&group) == 0);
    for (i = 0; i < THREADS; i++)
        CHECK(thrgrp_create(&group, square, (void *)i) >= 0);
    CHECK(thrgrp_destroy_group(&group) < 0);   /* members not yet joined */
    for (i = 0; i < THREADS; i++) {
        int v, k;
        CHECK(thrgrp_join(&group, &status) == 0);
        v = (int)status;
        for (k = 0; k < THREADS && k * k != v; k++)
            continue;
        CHECK(k < THREADS && !(seen & (1 << k)));
        seen |= 1 << k;
    }
    CHECK(seen == (1 << THREADS) - 1);
    CHECK(thrgrp_join(&group, &status) < 0);   /* nothing left to join */
    CHECK(thrgrp_destroy_group(&group) == 0);
}

static void check_misc(void)
{
    char buf[64];
    uint32_t word = 0xffffffffu;
    size_t n = sizeof(buf);
    void (*p)(const char *, ...) = panic;   /* declared by assert.h */

    CHECK(p != NULL);
    memset(buf, 'x', n);
    bzero(buf, 10);
    CHECK(buf[0] == 0 && buf[9] == 0 && buf[10] == 'x');
    CHECK(word + 1 == 0);
    CHECK(sim_in_simics() == 1);
    CHECK(sim_memsize() > 0);
    sim_puts("course_headers: sim_puts line");
    sim_printf("course_headers: sim_printf %d", 42);
    sim_ck1();
    CHECK(magic_readline(sizeof(buf), buf) == 12);
    CHECK(strncmp(buf, "course line\n", 12) == 0);
}

int main(void)
{
    REPORT_LOCAL_INIT;
    REPORT_START_CMPLT;
    check_rand();
    CHECK(thr_init(4096) == 0);
    check_thrgrp();
    check_misc();
    printf("course_headers: all checks passed\n");
    REPORT_END_SUCCESS;
    exit(0);
}
