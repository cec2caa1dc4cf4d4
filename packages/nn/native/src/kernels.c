/* Tight float32 loops for the native-cpu backend. Written so GCC vectorises the inner loops at -O3
 * (no libm calls inside them: exp is a Cephes-style polynomial, accurate to ~2 ulp). */
#include "kernels.h"

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

void kn_gemm(int batch, int transA, int transB, int M, int N, int K, const float *A, long strideA,
             const float *B, long strideB, float *C, long strideC) {
  int lda = transA ? M : K, ldb = transB ? K : N;
  enum CBLAS_TRANSPOSE ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans;
  if (batch > 1 && strideB == 0 && !transA && strideA == (long)M * K && strideC == (long)M * N) {
    /* A shared right operand: the batch folds into the rows of one big GEMM. */
    cblas_sgemm(CblasRowMajor, ta, tb, M * batch, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
    return;
  }
  for (int i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, A + i * strideA, lda, B + i * strideB, ldb, 0.0f,
                C + i * strideC, N);
  }
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
  }
}

void kn_binary(int op, int rank, const long *shape, float *out, const float *a, const long *aStrides,
               const float *b, const long *bStrides) {
  long n = shape[rank - 1];
  long idx[KARD_MAX_RANK] = {0};
  long rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  const float *pa = a, *pb = b;
  for (long r = 0; r < rows; r++) {
    bin_row(op, out + r * n, pa, aStrides[rank - 1], pb, bStrides[rank - 1], n);
    for (int d = rank - 2; d >= 0; d--) {
      pa += aStrides[d];
      pb += bStrides[d];
      if (++idx[d] < shape[d]) break;
      pa -= aStrides[d] * shape[d];
      pb -= bStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

#define UN_LOOP(EXPR) for (long i = 0; i < n; i++) { float v = x[i]; out[i] = (EXPR); }

void kn_unary(int op, const float *x, float *out, long n, float alpha) {
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

void kn_softmax(const float *x, float *out, long rows, long cols) {
  for (long r = 0; r < rows; r++) {
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

void kn_transpose(int rank, const long *shape, const int *perm, const float *x, float *out) {
  long inStride[KARD_MAX_RANK], is[KARD_MAX_RANK], os[KARD_MAX_RANK];
  inStride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; d--) inStride[d] = inStride[d + 1] * shape[d + 1];
  for (int d = 0; d < rank; d++) { is[d] = inStride[perm[d]]; os[d] = shape[perm[d]]; }
  /* Tile the last two output dims when the read along the last one is strided (a 2-D transpose). */
  int tiled = rank >= 2 && is[rank - 1] != 1;
  int loopDims = tiled ? rank - 2 : rank - 1;
  long outer = 1;
  for (int d = 0; d < loopDims; d++) outer *= os[d];
  long idx[KARD_MAX_RANK] = {0};
  const float *px = x;
  float *po = out;
  long R = tiled ? os[rank - 2] : 1, C = os[rank - 1];
  long sr = tiled ? is[rank - 2] : 0, sc = is[rank - 1];
  const long T = 32;
  for (long o = 0; o < outer; o++) {
    if (tiled) {
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
    for (int d = loopDims - 1; d >= 0; d--) {
      px += is[d];
      if (++idx[d] < os[d]) break;
      px -= is[d] * os[d];
      idx[d] = 0;
    }
  }
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

void kn_xent_forward(const float *logits, const int32_t *labels, float *lse, long rows, long cols,
                     int ignoreIndex, double *lossSum, long *count) {
  double total = 0.0;
  long n = 0;
  for (long r = 0; r < rows; r++) {
    const float *xr = logits + r * cols;
    float mx = -INFINITY;
    for (long c = 0; c < cols; c++) mx = xr[c] > mx ? xr[c] : mx;
    float sum = 0.0f;
    for (long c = 0; c < cols; c++) sum += fast_expf(xr[c] - mx);
    lse[r] = mx + logf(sum);
    int32_t y = labels[r];
    if (y == ignoreIndex) continue;
    if (y < 0 || y >= cols) { *count = -1 - r; return; }
    total += (double)lse[r] - (double)xr[y];
    n++;
  }
  *lossSum = total;
  *count = n;
}

void kn_xent_backward(const float *logits, const int32_t *labels, const float *lse, long rows, long cols,
                      int ignoreIndex, float scale, float *dlogits) {
  for (long r = 0; r < rows; r++) {
    const float *xr = logits + r * cols;
    float *dr = dlogits + r * cols;
    int32_t y = labels[r];
    if (y == ignoreIndex || y < 0 || y >= cols) { memset(dr, 0, sizeof(float) * cols); continue; }
    float l = lse[r];
    for (long c = 0; c < cols; c++) dr[c] = scale * fast_expf(xr[c] - l);
    dr[y] -= scale;
  }
}

void kn_adamw(float *p, const float *g, float *m, float *v, long n, double lr, double beta1, double beta2,
              double eps, double weightDecay, double biasCorr1, double biasCorr2) {
  /* The constants in double, as the JS path and PyTorch compute them: 1 - 0.999f in float32 is off by 1e-5. */
  const float decay = (float)(1.0 - lr * weightDecay), stepSize = (float)(lr / biasCorr1);
  const float invSqrtBc2 = (float)(1.0 / sqrt(biasCorr2)), epsf = (float)eps;
  const float b1 = (float)beta1, omb1 = (float)(1.0 - beta1), b2 = (float)beta2, omb2 = (float)(1.0 - beta2);
  for (long i = 0; i < n; i++) {
    float gi = g[i];
    float mi = b1 * m[i] + omb1 * gi;
    float vi = b2 * v[i] + omb2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - stepSize * mi / (sqrtf(vi) * invSqrtBc2 + epsf);
  }
}
