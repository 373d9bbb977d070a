/* nop: the small static program the exec anchor runs (bench_nop's twin). */
int main(void)
{
    return 0;
}
