/* mandel_native: examples/mandelbrot built for Linux (the compute-bound
 * anchor of bench_mandel), timed with the same clock. */
#include "bench.h"

#define MANDELBROT_NATIVE
#define main mandelbrot_main
#include "../examples/mandelbrot/mandelbrot.c"
#undef main

int main(int argc, char **argv)
{
    bench_time t0 = bench_now();

    mandelbrot_main(argc, argv);
    bench_report("mandel", bench_since(t0), 1);
    return 0;
}
