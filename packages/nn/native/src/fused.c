/* Fused kernels for the training step: each replaces a chain of tfjs ops (every op a pass over memory and a
 * fresh buffer). Parallel over rows or elements. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "parallel.h"

#define GRAIN (1L << 16)
#define SUMSQ_CHUNKS 64

typedef struct { const float *x; long n, chunk; double partial[SUMSQ_CHUNKS]; } SumSqJob;

static void sumsq_range(void *p, long begin, long end) {
  SumSqJob *j = (SumSqJob *)p;
  for (long c = begin; c < end; c++) {
    long b = c * j->chunk, e = b + j->chunk < j->n ? b + j->chunk : j->n;
    double total = 0.0;
    /* Eight float lanes over blocks of 1024, each block added in double: vectorises, stays accurate. */
    for (long s = b; s < e; s += 1024) {
      long t = s + 1024 < e ? s + 1024 : e;
      float acc[8] = {0};
      long i = s;
      for (; i + 8 <= t; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += j->x[i + k] * j->x[i + k];
      for (; i < t; i++) acc[0] += j->x[i] * j->x[i];
      for (int k = 0; k < 8; k++) total += acc[k];
    }
    j->partial[c] = total;
  }
}

double kn_sum_squares(const float *x, long n) {
  /* Fixed chunks, summed in order: the result does not depend on the thread count. */
  SumSqJob j = {x, n, n / SUMSQ_CHUNKS + 1, {0}};
  long chunks = (n + j.chunk - 1) / j.chunk;
  kn_parallel_for(chunks, (GRAIN + j.chunk - 1) / j.chunk, sumsq_range, &j);
  double total = 0.0;
  for (long c = 0; c < chunks; c++) total += j.partial[c];
  return total;
}

typedef struct { uint32_t seed, threshold; float scale; float *out; } DropoutJob;

static void dropout_range(void *p, long begin, long end) {
  const DropoutJob *j = (const DropoutJob *)p;
  for (long i = begin; i < end; i++) {
    /* murmur3's finaliser over (i * golden ratio + seed); layers.ts computes the same in JS. */
    uint32_t h = (uint32_t)i * 0x9E3779B9u + j->seed;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    j->out[i] = h >= j->threshold ? j->scale : 0.0f;
  }
}

void kn_dropout_mask(uint32_t seed, uint32_t threshold, float scale, float *out, long n) {
  DropoutJob j = {seed, threshold, scale, out};
  kn_parallel_for(n, GRAIN, dropout_range, &j);
}

typedef struct { const float *y, *dy, *x, *w, *invRms; float *out, *dx, *dw, *r; long cols; float eps; } RowJob;

static void softmax_grad_range(void *p, long begin, long end) {
  const RowJob *j = (const RowJob *)p;
  long cols = j->cols;
  for (long r = begin; r < end; r++) {
    const float *y = j->y + r * cols, *dy = j->dy + r * cols;
    float *dx = j->dx + r * cols;
    float dot = 0.0f;
    for (long c = 0; c < cols; c++) dot += dy[c] * y[c];
    for (long c = 0; c < cols; c++) dx[c] = y[c] * (dy[c] - dot);
  }
}

void kn_softmax_grad(const float *y, const float *dy, float *dx, long rows, long cols) {
  RowJob j = {.y = y, .dy = dy, .dx = dx, .cols = cols};
  kn_parallel_for(rows, GRAIN / cols + 1, softmax_grad_range, &j);
}

static void rms_norm_range(void *p, long begin, long end) {
  const RowJob *j = (const RowJob *)p;
  long cols = j->cols;
  for (long r = begin; r < end; r++) {
    const float *x = j->x + r * cols;
    float *out = j->out + r * cols;
    double ss = 0.0;
    for (long c = 0; c < cols; c++) ss += (double)x[c] * x[c];
    /* As torch in float32: variance = mean(x^2), then rsqrt(variance + eps). */
    float var = (float)(ss / (double)cols);
    float inv = 1.0f / sqrtf(var + j->eps);
    j->r[r] = inv;
    for (long c = 0; c < cols; c++) out[c] = j->w[c] * (x[c] * inv);
  }
}

void kn_rms_norm(const float *x, const float *w, float *out, float *invRms, long rows, long cols, float eps) {
  RowJob j = {.x = x, .w = w, .out = out, .r = invRms, .cols = cols, .eps = eps};
  kn_parallel_for(rows, GRAIN / cols + 1, rms_norm_range, &j);
}

/* dx = r * (w * dy) - x * r^3 / D * sum(w * dy * x); dw accumulates dy * x * r into its block's own row of
 * dwPartial, summed afterwards. Either output may be null (not wanted). */
typedef struct { RowJob base; double *dwPartial; long ranges; long rows; } RmsGradJob;

static void rms_norm_grad_range(void *p, long begin, long end) {
  RmsGradJob *g = (RmsGradJob *)p;
  const RowJob *j = &g->base;
  long cols = j->cols;
  /* Ranges come in fixed blocks of rows (see kn_rms_norm_grad), so partial sums do not depend on threads. */
  for (long blk = begin; blk < end; blk++) {
    long r0 = blk * g->rows / g->ranges, r1 = (blk + 1) * g->rows / g->ranges;
    double *dw = g->dwPartial ? g->dwPartial + blk * cols : 0;
    for (long r = r0; r < r1; r++) {
      const float *x = j->x + r * cols, *dy = j->dy + r * cols;
      float *dx = j->dx ? j->dx + r * cols : 0;
      float inv = j->invRms[r];
      double dot = 0.0;
      if (j->dx) for (long c = 0; c < cols; c++) dot += (double)(dy[c] * j->w[c]) * x[c];
      float k = (float)(dot * inv * inv * inv / (double)cols);
      if (j->dx) for (long c = 0; c < cols; c++) dx[c] = inv * (j->w[c] * dy[c]) - x[c] * k;
      if (g->dwPartial) for (long c = 0; c < cols; c++) dw[c] += (double)(dy[c] * (x[c] * inv));
    }
  }
}

void kn_rms_norm_grad(const float *x, const float *w, const float *invRms, const float *dy, float *dx, float *dw,
                      long rows, long cols) {
  long ranges = rows < 16 ? (rows > 0 ? rows : 1) : 16;
  double *partial = dw ? calloc((size_t)(ranges * cols), sizeof(double)) : 0;
  RmsGradJob g = {{.x = x, .w = w, .invRms = invRms, .dy = dy, .dx = dx, .cols = cols}, partial, ranges, rows};
  long perBlock = (rows / ranges + 1) * cols;
  kn_parallel_for(ranges, GRAIN / perBlock + 1, rms_norm_grad_range, &g);
  for (long c = 0; dw && c < cols; c++) {
    double s = 0.0;
    for (long b = 0; b < ranges; b++) s += partial[b * cols + c];
    dw[c] = (float)s;
  }
  free(partial);
}
