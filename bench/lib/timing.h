/* Clock and sort order shared by the programs in bench/. */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

/* CLOCK_MONOTONIC in microseconds. */
double bench_now_us(void);

/* qsort comparison for doubles, ascending. */
int bench_cmp_double(const void *a, const void *b);

#endif
