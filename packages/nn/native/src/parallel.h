/* A parallel for over [0, n) on short-lived pthreads: the caller runs the first chunk. Kernels use it only for
 * work large enough (>= minPerThread items a thread) that the ~20 us thread start is noise. */
#ifndef KARD_NN_PARALLEL_H
#define KARD_NN_PARALLEL_H

typedef void (*kn_range_fn)(void *ctx, long begin, long end);

void kn_parallel_for(long n, long minPerThread, kn_range_fn fn, void *ctx);
/* Threads for kernels and OpenBLAS alike (setThreads sets both). */
void kn_set_threads(int n);
int kn_get_threads(void);

#endif
