/* bench_nop: the small program bench_exec runs. */
int main(void)
{
    return 0;
}
