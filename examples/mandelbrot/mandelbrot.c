/*
 * mandelbrot: an ASCII Mandelbrot set, compute-bound on purpose: it is also
 * a CPU benchmark. Fixed-point arithmetic keeps results identical on every
 * machine, so the checksum printed at the end can be compared across runs.
 *
 *   mandelbrot [maxiter [width [height [repeat]]]]
 * Defaults 256 iterations, 78x22. With repeat > 1 only the last frame is
 * drawn; the others are computed silently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syscall.h>

#define FRAC 24                      /* Q7.24: values up to +-128 fit */
#define ONE  (1 << FRAC)
#define FIX(num, den) ((int)((long long)(num) * ONE / (den)))

static const char shades[] = " .:-=+*#%@";

/* Iterations before z escapes |z| > 2, at most maxiter. */
static int escape_time(int cx, int cy, int maxiter)
{
    int x = 0, y = 0, i;

    for (i = 0; i < maxiter; i++) {
        long long xx = (long long)x * x, yy = (long long)y * y;

        if (((xx + yy) >> FRAC) > 4LL * ONE)
            break;
        y = (int)(((long long)x * y) >> (FRAC - 1)) + cy;
        x = (int)((xx - yy) >> FRAC) + cx;
    }
    return i;
}

static char shade(int iter, int maxiter)
{
    if (iter >= maxiter)
        return shades[sizeof(shades) - 2];
    return shades[(iter * (int)(sizeof(shades) - 2)) / maxiter];
}

/* Computes one frame (drawing it if draw); returns the sum of escape times. */
static unsigned int frame(int width, int height, int maxiter, int draw)
{
    char line[512];
    unsigned int sum = 0;
    int row, col, it;

    for (row = 0; row < height; row++) {
        int cy = FIX(-12, 10) + (int)((long long)FIX(24, 10) * row / height);

        for (col = 0; col < width; col++) {
            int cx = FIX(-21, 10) + (int)((long long)FIX(31, 10) * col / width);

            it = escape_time(cx, cy, maxiter);
            sum += (unsigned int)it;
            line[col] = shade(it, maxiter);
        }
        line[width] = '\n';
        if (draw)
            print(width + 1, line);
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
    unsigned int start = get_ticks(), sum = 0;
    int i;

    for (i = 0; i < repeat; i++)
        sum = frame(width, height, maxiter, i == repeat - 1);
    printf("mandelbrot %dx%d maxiter %d repeat %d: checksum %u, %u ticks\n",
           width, height, maxiter, repeat, sum, get_ticks() - start);
    return 0;
}
