#include "parallel.h"

#include <pthread.h>

#define KN_MAX_THREADS 64

static int threads = 1;

void kn_set_threads(int n) { threads = n < 1 ? 1 : (n > KN_MAX_THREADS ? KN_MAX_THREADS : n); }
int kn_get_threads(void) { return threads; }

typedef struct { kn_range_fn fn; void *ctx; long begin, end; } Chunk;

static void *run_chunk(void *p) {
  Chunk *c = (Chunk *)p;
  c->fn(c->ctx, c->begin, c->end);
  return 0;
}

void kn_parallel_for(long n, long minPerThread, kn_range_fn fn, void *ctx) {
  long t = threads;
  if (minPerThread < 1) minPerThread = 1;
  if (t > n / minPerThread) t = n / minPerThread;
  if (t <= 1) { if (n > 0) fn(ctx, 0, n); return; }
  Chunk chunks[KN_MAX_THREADS];
  pthread_t ids[KN_MAX_THREADS];
  int started[KN_MAX_THREADS] = {0};
  for (long i = 0; i < t; i++) {
    chunks[i] = (Chunk){fn, ctx, n * i / t, n * (i + 1) / t};
    if (i > 0) started[i] = pthread_create(&ids[i], 0, run_chunk, &chunks[i]) == 0;
  }
  fn(ctx, chunks[0].begin, chunks[0].end);
  for (long i = 1; i < t; i++) {
    if (started[i]) pthread_join(ids[i], 0);
    else fn(ctx, chunks[i].begin, chunks[i].end); /* no thread: run it here */
  }
}
