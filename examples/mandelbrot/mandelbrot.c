/*
 * mandelbrot: an ASCII Mandelbrot set, compute-bound on purpose: it is also
 * a CPU benchmark. The arithmetic is IEEE double in SSE2 registers (not
 * the i386 default x87, whose extended precision rounds differently), so
 * the checksum printed at the end is the same on every machine and in a
 * native 64-bit build of this file.
 *
 *   mandelbrot [maxiter [width [height [repeat]]]]
 * Defaults 256 iterations, 78x22. With repeat > 1 only the last frame is
 * drawn; the others are computed silently.
 *
 * The same source builds as a Linux program for benchmarks that compare a
 * guest with native code: gcc -O2 -DMANDELBROT_NATIVE mandelbrot.c
 * (ticks are then hundredths of a second of CPU time).
 */
#include <stdio.h>
#include <stdlib.h>

#ifdef MANDELBROT_NATIVE
#include <time.h>
static unsigned int ticks(void)
{
    return (unsigned int)(clock() / (CLOCKS_PER_SEC / 100));
}
#else
#include <syscall.h>
static unsigned int ticks(void)
{
    return get_ticks();
}
#endif

#define SSE_MATH __attribute__((target("sse2,fpmath=sse")))

static const char shades[] = " .:-=+*#%@";

/* Iterations before z escapes |z| > 2, at most maxiter. */
SSE_MATH static int escape_time(double cx, double cy, int maxiter)
{
    double x = 0, y = 0, xx, yy;
    int i;

    for (i = 0; i < maxiter; i++) {
        xx = x * x;
        yy = y * y;
        if (xx + yy > 4.0)
            break;
        y = 2 * x * y + cy;
        x = xx - yy + cx;
    }
    return i;
}

/* Inside the set '@'; outside, bands by escape time (most points escape
 * within a few iterations, so a linear scale would leave them blank). */
static char shade(int iter, int maxiter)
{
    if (iter >= maxiter)
        return shades[sizeof(shades) - 2];
    return shades[iter % (int)(sizeof(shades) - 2)];
}

/* Computes one frame (drawing it if draw); returns the sum of escape times. */
SSE_MATH static unsigned int frame(int width, int height, int maxiter, int draw)
{
    char line[512];
    unsigned int sum = 0;
    int row, col, it;

    for (row = 0; row < height; row++) {
        double cy = -1.2 + 2.4 * row / height;

        for (col = 0; col < width; col++) {
            it = escape_time(-2.1 + 3.1 * col / width, cy, maxiter);
            sum += (unsigned int)it;
            line[col] = shade(it, maxiter);
        }
        line[width] = '\n';
        if (draw)
            printf("%.*s", width + 1, line);   /* one print call per row */
    }
    return sum;
}

static int arg(int argc, char **argv, int i, int def, int lo, int hi)
{
    int v = (argc > i) ? atoi(argv[i]) : def;

    return (v < lo) ? lo : (v > hi) ? hi : v;
}

int main(int argc, char **argv)
{
    int maxiter = arg(argc, argv, 1, 256, 1, 1 << 20);
    int width = arg(argc, argv, 2, 78, 1, 510);
    int height = arg(argc, argv, 3, 22, 1, 10000);
    int repeat = arg(argc, argv, 4, 1, 1, 1 << 20);
    unsigned int start = ticks(), sum = 0;
    int i;

    for (i = 0; i < repeat; i++)
        sum = frame(width, height, maxiter, i == repeat - 1);
    printf("mandelbrot %dx%d maxiter %d repeat %d: checksum %u, %u ticks\n",
           width, height, maxiter, repeat, sum, ticks() - start);
    return 0;
}
