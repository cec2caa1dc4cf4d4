/* Tight float32 loops for the native-cpu backend. Written so GCC vectorises the inner loops at -O3
 * (no libm calls inside them: exp is a Cephes-style polynomial, accurate to ~2 ulp). */
#include "kernels.h"
#include "parallel.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline float fast_expf(float x) {
  const float LOG2E = 1.44269504088896341f;
  float xc = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
  float fn = floorf(xc * LOG2E + 0.5f);
  float r = xc - fn * 0.693359375f;
  r = r + fn * 2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * r * r + r + 1.0f;
  union { int32_t i; float f; } u;
  u.i = ((int32_t)fn + 127) << 23;
  float y = p * u.f;
  y = x < -87.3f ? 0.0f : y;
  y = x > 88.72f ? INFINITY : y;
  return x != x ? x : y;
}

extern void openblas_set_num_threads(int);

typedef struct {
  enum CBLAS_TRANSPOSE ta, tb;
  int M, N, K, lda, ldb;
  const float *A, *B;
  float *C;
  long strideA, strideB, strideC;
} GemmBatch;

static void gemm_range(void *p, long begin, long end) {
  const GemmBatch *g = (const GemmBatch *)p;
  for (long i = begin; i < end; i++) {
    cblas_sgemm(CblasRowMajor, g->ta, g->tb, g->M, g->N, g->K, 1.0f, g->A + i * g->strideA, g->lda,
                g->B + i * g->strideB, g->ldb, 0.0f, g->C + i * g->strideC, g->N);
  }
}

void kn_gemm(int batch, int transA, int transB, int M, int N, int K, const float *A, long strideA,
             const float *B, long strideB, float *C, long strideC) {
  int lda = transA ? M : K, ldb = transB ? K : N;
  enum CBLAS_TRANSPOSE ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans;
  if (batch > 1 && strideB == 0 && !transA && strideA == (long)M * K && strideC == (long)M * N) {
    /* A shared right operand: the batch folds into the rows of one big GEMM. */
    cblas_sgemm(CblasRowMajor, ta, tb, M * batch, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
    return;
  }
  GemmBatch g = {ta, tb, M, N, K, lda, ldb, A, B, C, strideA, strideB, strideC};
  int threads = kn_get_threads();
  if ((double)M * N * K * batch < 4.0 * 1024 * 1024 && threads > 1) {
    /* Tiny products (decoding one token: M = batch of sequences) finish before a second thread wakes up. */
    openblas_set_num_threads(1);
    gemm_range(&g, 0, batch);
    openblas_set_num_threads(threads);
    return;
  }
  if (batch >= 2 && threads > 1 && (double)M * N * K <= 16.0 * 1024 * 1024) {
    /* Many small products (attention heads): one single-threaded sgemm per matrix, matrices spread over our
     * threads. OpenBLAS splitting each small product over its own threads costs more in sync than it gains. */
    openblas_set_num_threads(1);
    kn_parallel_for(batch, 1, gemm_range, &g);
    openblas_set_num_threads(threads);
    return;
  }
  gemm_range(&g, 0, batch);
}

#define BIN_LOOP(EXPR)                                                                   \
  if (sa == 1 && sb == 1) {                                                              \
    for (long i = 0; i < n; i++) { float x = a[i], y = b[i]; o[i] = (EXPR); }            \
  } else if (sa == 1 && sb == 0) {                                                       \
    float y = b[0];                                                                      \
    for (long i = 0; i < n; i++) { float x = a[i]; o[i] = (EXPR); }                      \
  } else if (sa == 0 && sb == 1) {                                                       \
    float x = a[0];                                                                      \
    for (long i = 0; i < n; i++) { float y = b[i]; o[i] = (EXPR); }                      \
  } else {                                                                               \
    for (long i = 0; i < n; i++) { float x = a[i * sa], y = b[i * sb]; o[i] = (EXPR); }  \
  }

static void bin_row(int op, float *o, const float *a, long sa, const float *b, long sb, long n) {
  switch (op) {
    case BIN_ADD: BIN_LOOP(x + y); break;
    case BIN_SUB: BIN_LOOP(x - y); break;
    case BIN_MUL: BIN_LOOP(x * y); break;
    case BIN_DIV: BIN_LOOP(x / y); break;
    case BIN_MAX: BIN_LOOP(x > y ? x : y); break;
    case BIN_MIN: BIN_LOOP(x < y ? x : y); break;
    case BIN_SQDIFF: BIN_LOOP((x - y) * (x - y)); break;
    case BIN_POW: BIN_LOOP(powf(x, y)); break;
    /* ReLU's gradient: x = dy, y = the ReLU input (NaN inputs pass NaN, as tfjs's dy * step(x)). */
    case BIN_RELU_GRAD: BIN_LOOP(y > 0.0f ? x : (y != y ? y : 0.0f)); break;
  }
}

typedef struct {
  int op, rank;
  const long *shape, *aStrides, *bStrides;
  float *out;
  const float *a, *b;
  long n;
} BinaryJob;

/* Rows [begin, end) of the loop nest (all dims but the last), or, for one row, elements [begin, end) of it. */
static void binary_range(void *p, long begin, long end) {
  const BinaryJob *j = (const BinaryJob *)p;
  int rank = j->rank;
  if (rank == 1) {
    bin_row(j->op, j->out + begin, j->a + begin * j->aStrides[0], j->aStrides[0], j->b + begin * j->bStrides[0],
            j->bStrides[0], end - begin);
    return;
  }
  long idx[KARD_MAX_RANK] = {0};
  const float *pa = j->a, *pb = j->b;
  long rem = begin;
  for (int d = rank - 2; d >= 0; d--) {
    idx[d] = rem % j->shape[d];
    rem /= j->shape[d];
    pa += idx[d] * j->aStrides[d];
    pb += idx[d] * j->bStrides[d];
  }
  long n = j->n;
  for (long r = begin; r < end; r++) {
    bin_row(j->op, j->out + r * n, pa, j->aStrides[rank - 1], pb, j->bStrides[rank - 1], n);
    for (int d = rank - 2; d >= 0; d--) {
      pa += j->aStrides[d];
      pb += j->bStrides[d];
      if (++idx[d] < j->shape[d]) break;
      pa -= j->aStrides[d] * j->shape[d];
      pb -= j->bStrides[d] * j->shape[d];
      idx[d] = 0;
    }
  }
}

#define KN_GRAIN (1L << 16) /* elements a thread at least */

void kn_binary(int op, int rank, const long *shape, float *out, const float *a, const long *aStrides,
               const float *b, const long *bStrides) {
  long n = shape[rank - 1];
  long rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  BinaryJob j = {op, rank, shape, aStrides, bStrides, out, a, b, n};
  if (rank == 1) kn_parallel_for(n, KN_GRAIN, binary_range, &j);
  else kn_parallel_for(rows, KN_GRAIN / n + 1, binary_range, &j);
}

#define UN_LOOP(EXPR) for (long i = 0; i < n; i++) { float v = x[i]; out[i] = (EXPR); }

static void unary_run(int op, const float *x, float *out, long n, float alpha) {
  switch (op) {
    case UN_EXP: UN_LOOP(fast_expf(v)); break;
    case UN_LOG: UN_LOOP(logf(v)); break;
    case UN_NEG: UN_LOOP(-v); break;
    case UN_RELU: UN_LOOP(v > 0.0f ? v : (v != v ? v : 0.0f)); break;
    /* tanh(v) = 1 - 2 / (exp(2v) + 1): absolute error ~1e-7, enough for training. */
    case UN_TANH: UN_LOOP(1.0f - 2.0f / (fast_expf(2.0f * v) + 1.0f)); break;
    case UN_SIGMOID: UN_LOOP(1.0f / (1.0f + fast_expf(-v))); break;
    case UN_SQRT: UN_LOOP(sqrtf(v)); break;
    case UN_RSQRT: UN_LOOP(1.0f / sqrtf(v)); break;
    case UN_SQUARE: UN_LOOP(v * v); break;
    case UN_ABS: UN_LOOP(fabsf(v)); break;
    case UN_RECIPROCAL: UN_LOOP(1.0f / v); break;
    case UN_SCALE: UN_LOOP(v * alpha); break;
    case UN_STEP: UN_LOOP(v > 0.0f ? 1.0f : (v != v ? v : alpha)); break;
  }
}

typedef struct { int op; const float *x; float *out; float alpha; } UnaryJob;

static void unary_range(void *p, long begin, long end) {
  const UnaryJob *j = (const UnaryJob *)p;
  unary_run(j->op, j->x + begin, j->out + begin, end - begin, j->alpha);
}

void kn_unary(int op, const float *x, float *out, long n, float alpha) {
  UnaryJob j = {op, x, out, alpha};
  kn_parallel_for(n, KN_GRAIN, unary_range, &j);
}

typedef struct { const float *x; float *out; long cols; } RowsJob;

static void softmax_range(void *p, long begin, long end) {
  const RowsJob *j = (const RowsJob *)p;
  const float *x = j->x;
  float *out = j->out;
  long cols = j->cols;
  for (long r = begin; r < end; r++) {
    const float *xr = x + r * cols;
    float *orow = out + r * cols;
    float mx = -INFINITY;
    for (long c = 0; c < cols; c++) mx = xr[c] > mx ? xr[c] : mx;
    if (mx == -INFINITY) mx = 0.0f;
    float sum = 0.0f;
    for (long c = 0; c < cols; c++) {
      float e = fast_expf(xr[c] - mx);
      orow[c] = e;
      sum += e;
    }
    float inv = 1.0f / sum;
    for (long c = 0; c < cols; c++) orow[c] *= inv;
  }
}

void kn_softmax(const float *x, float *out, long rows, long cols) {
  RowsJob j = {x, out, cols};
  kn_parallel_for(rows, KN_GRAIN / cols + 1, softmax_range, &j);
}

void kn_reduce(int op, const float *x, float *out, long outer, long n, long inner) {
  int isMax = op == RED_MAX, isMin = op == RED_MIN;
  if (inner == 1) {
    for (long r = 0; r < outer; r++) {
      const float *xr = x + r * n;
      if (isMax || isMin) {
        float m = xr[0];
        int nan = 0;
        for (long c = 0; c < n; c++) {
          m = isMax ? (xr[c] > m ? xr[c] : m) : (xr[c] < m ? xr[c] : m);
          nan |= xr[c] != xr[c];
        }
        out[r] = nan ? NAN : m;
      } else {
        double s = 0.0;
        for (long c = 0; c < n; c++) s += xr[c];
        out[r] = (float)(op == RED_MEAN ? s / (double)n : s);
      }
    }
    return;
  }
  double *acc = (isMax || isMin) ? NULL : malloc(sizeof(double) * inner);
  for (long o = 0; o < outer; o++) {
    const float *xo = x + o * n * inner;
    float *oo = out + o * inner;
    if (acc) {
      for (long i = 0; i < inner; i++) acc[i] = 0.0;
      for (long k = 0; k < n; k++) {
        const float *xk = xo + k * inner;
        for (long i = 0; i < inner; i++) acc[i] += xk[i];
      }
      double scale = op == RED_MEAN ? 1.0 / (double)n : 1.0;
      for (long i = 0; i < inner; i++) oo[i] = (float)(acc[i] * scale);
    } else {
      memcpy(oo, xo, sizeof(float) * inner);
      for (long k = 1; k < n; k++) {
        const float *xk = xo + k * inner;
        if (isMax) for (long i = 0; i < inner; i++) oo[i] = xk[i] > oo[i] || xk[i] != xk[i] ? xk[i] : oo[i];
        else for (long i = 0; i < inner; i++) oo[i] = xk[i] < oo[i] || xk[i] != xk[i] ? xk[i] : oo[i];
      }
    }
  }
  free(acc);
}

typedef struct {
  int rank, tiled, loopDims;
  long is[KARD_MAX_RANK], os[KARD_MAX_RANK];
  long R, C, sr, sc;
  const float *x;
  float *out;
} TransposeJob;

static void transpose_range(void *p, long begin, long end) {
  const TransposeJob *j = (const TransposeJob *)p;
  long idx[KARD_MAX_RANK] = {0};
  const float *px = j->x;
  long rem = begin;
  for (int d = j->loopDims - 1; d >= 0; d--) {
    idx[d] = rem % j->os[d];
    rem /= j->os[d];
    px += idx[d] * j->is[d];
  }
  long R = j->R, C = j->C, sr = j->sr, sc = j->sc;
  float *po = j->out + begin * R * C;
  const long T = 32;
  for (long o = begin; o < end; o++) {
    if (j->tiled) {
      for (long r0 = 0; r0 < R; r0 += T)
        for (long c0 = 0; c0 < C; c0 += T) {
          long r1 = r0 + T < R ? r0 + T : R, c1 = c0 + T < C ? c0 + T : C;
          for (long r = r0; r < r1; r++)
            for (long c = c0; c < c1; c++) po[r * C + c] = px[r * sr + c * sc];
        }
    } else {
      for (long c = 0; c < C; c++) po[c] = px[c * sc];
    }
    po += R * C;
    for (int d = j->loopDims - 1; d >= 0; d--) {
      px += j->is[d];
      if (++idx[d] < j->os[d]) break;
      px -= j->is[d] * j->os[d];
      idx[d] = 0;
    }
  }
}

void kn_transpose(int rank, const long *shape, const int *perm, const float *x, float *out) {
  TransposeJob j;
  memset(&j, 0, sizeof(j));
  long inStride[KARD_MAX_RANK];
  inStride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; d--) inStride[d] = inStride[d + 1] * shape[d + 1];
  for (int d = 0; d < rank; d++) { j.is[d] = inStride[perm[d]]; j.os[d] = shape[perm[d]]; }
  /* Tile the last two output dims when the read along the last one is strided (a 2-D transpose). */
  j.rank = rank;
  j.tiled = rank >= 2 && j.is[rank - 1] != 1;
  j.loopDims = j.tiled ? rank - 2 : rank - 1;
  long outer = 1;
  for (int d = 0; d < j.loopDims; d++) outer *= j.os[d];
  j.R = j.tiled ? j.os[rank - 2] : 1;
  j.C = j.os[rank - 1];
  j.sr = j.tiled ? j.is[rank - 2] : 0;
  j.sc = j.is[rank - 1];
  j.x = x;
  j.out = out;
  kn_parallel_for(outer, KN_GRAIN / (j.R * j.C) + 1, transpose_range, &j);
}

void kn_segment_sum(const float *data, const int32_t *ids, float *out, long rows, long cols, long numSegments) {
  for (long r = 0; r < rows; r++) {
    long s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    float *o = out + s * cols;
    const float *d = data + r * cols;
    for (long c = 0; c < cols; c++) o[c] += d[c];
  }
}

void kn_gather_rows(const float *table, const int32_t *ids, float *out, long rows, long cols, long tableRows) {
  for (long r = 0; r < rows; r++) {
    long s = ids[r];
    if (s < 0 || s >= tableRows) memset(out + r * cols, 0, sizeof(float) * cols);
    else memcpy(out + r * cols, table + s * cols, sizeof(float) * cols);
  }
}

typedef struct {
  const float *logits;
  const int32_t *labels;
  const float *lse;
  float *lseOut, *dlogits;
  long cols;
  int ignoreIndex;
  float scale;
} XentJob;

static void lse_range(void *p, long begin, long end) {
  const XentJob *j = (const XentJob *)p;
  long cols = j->cols;
  for (long r = begin; r < end; r++) {
    const float *xr = j->logits + r * cols;
    float mx = -INFINITY;
    for (long c = 0; c < cols; c++) mx = xr[c] > mx ? xr[c] : mx;
    float sum = 0.0f;
    for (long c = 0; c < cols; c++) sum += fast_expf(xr[c] - mx);
    j->lseOut[r] = mx + logf(sum);
  }
}

void kn_xent_forward(const float *logits, const int32_t *labels, float *lse, long rows, long cols,
                     int ignoreIndex, double *lossSum, long *count) {
  XentJob j = {logits, labels, 0, lse, 0, cols, ignoreIndex, 0.0f};
  kn_parallel_for(rows, KN_GRAIN / cols + 1, lse_range, &j);
  double total = 0.0;
  long n = 0;
  for (long r = 0; r < rows; r++) {
    int32_t y = labels[r];
    if (y == ignoreIndex) continue;
    if (y < 0 || y >= cols) { *count = -1 - r; return; }
    total += (double)lse[r] - (double)logits[r * cols + y];
    n++;
  }
  *lossSum = total;
  *count = n;
}

static void xent_grad_range(void *p, long begin, long end) {
  const XentJob *j = (const XentJob *)p;
  long cols = j->cols;
  for (long r = begin; r < end; r++) {
    const float *xr = j->logits + r * cols;
    float *dr = j->dlogits + r * cols;
    int32_t y = j->labels[r];
    if (y == j->ignoreIndex || y < 0 || y >= cols) { memset(dr, 0, sizeof(float) * cols); continue; }
    float l = j->lse[r], scale = j->scale;
    for (long c = 0; c < cols; c++) dr[c] = scale * fast_expf(xr[c] - l);
    dr[y] -= scale;
  }
}

void kn_xent_backward(const float *logits, const int32_t *labels, const float *lse, long rows, long cols,
                      int ignoreIndex, float scale, float *dlogits) {
  XentJob j = {logits, labels, lse, 0, dlogits, cols, ignoreIndex, scale};
  kn_parallel_for(rows, KN_GRAIN / cols + 1, xent_grad_range, &j);
}

typedef struct {
  float *p, *m, *v;
  const float *g;
  float decay, stepSize, invSqrtBc2, eps, b1, omb1, b2, omb2;
} AdamWJob;

static void adamw_range(void *ctx, long begin, long end) {
  const AdamWJob *j = (const AdamWJob *)ctx;
  float *p = j->p, *m = j->m, *v = j->v;
  const float *g = j->g;
  for (long i = begin; i < end; i++) {
    float gi = g[i];
    float mi = j->b1 * m[i] + j->omb1 * gi;
    float vi = j->b2 * v[i] + j->omb2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * j->decay - j->stepSize * mi / (sqrtf(vi) * j->invSqrtBc2 + j->eps);
  }
}

void kn_adamw(float *p, const float *g, float *m, float *v, long n, double lr, double beta1, double beta2,
              double eps, double weightDecay, double biasCorr1, double biasCorr2) {
  /* The constants in double, as the JS path and PyTorch compute them: 1 - 0.999f in float32 is off by 1e-5. */
  AdamWJob j = {p, m, v, g, (float)(1.0 - lr * weightDecay), (float)(lr / biasCorr1), (float)(1.0 / sqrt(biasCorr2)),
                (float)eps, (float)beta1, (float)(1.0 - beta1), (float)beta2, (float)(1.0 - beta2)};
  kn_parallel_for(n, KN_GRAIN, adamw_range, &j);
}
