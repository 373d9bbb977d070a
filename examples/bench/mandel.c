/* bench_mandel [maxiter [width [height [repeat]]]]: examples/mandelbrot
 * timed with the nanosecond clock; bench/mandel_native.c builds the same
 * source for Linux. */
#include "bench.h"

#define main mandelbrot_main
#include "../mandelbrot/mandelbrot.c"
#undef main

int main(int argc, char **argv)
{
    bench_time t0 = bench_now();

    mandelbrot_main(argc, argv);
    bench_report("mandel", bench_since(t0), 1);
    return 0;
}
