/* N-API surface of the kard_nn addon: thin argument checks around kernels.c. Every array is a typed array
 * the caller owns (tfjs cpu-backend tensors are plain typed arrays, so nothing is copied). */
#define NAPI_VERSION 8
#include <malloc.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "parallel.h"

extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);

typedef struct { void *data; size_t length; napi_typedarray_type type; } Arr;

#define THROW(env, msg) do { napi_throw_error(env, "KARD_NN_NATIVE", msg); return NULL; } while (0)
#define ARGS(n)                                                         \
  size_t argc = n;                                                      \
  napi_value argv[n];                                                   \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);                 \
  if (argc < n) THROW(env, "too few arguments");

static int get_arr(napi_env env, napi_value v, napi_typedarray_type want, Arr *out) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, &ab, &off) != napi_ok) return 0;
  return out->type == want;
}

static double num(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

static int get_longs(napi_env env, napi_value v, long *out, uint32_t *len) {
  bool is;
  if (napi_is_array(env, v, &is) != napi_ok || !is) return 0;
  napi_get_array_length(env, v, len);
  if (*len == 0 || *len > KARD_MAX_RANK) return 0;
  for (uint32_t i = 0; i < *len; i++) {
    napi_value e;
    napi_get_element(env, v, i, &e);
    out[i] = (long)num(env, e);
  }
  return 1;
}

#define F32(i, name) Arr name; if (!get_arr(env, argv[i], napi_float32_array, &name)) THROW(env, #name " must be a Float32Array");
#define I32(i, name) Arr name; if (!get_arr(env, argv[i], napi_int32_array, &name)) THROW(env, #name " must be an Int32Array");
#define NEED(arr, n) if ((double)(arr).length < (double)(n)) THROW(env, #arr " is shorter than its shape says");

static napi_value Gemm(napi_env env, napi_callback_info info) {
  ARGS(12);
  long batch = (long)num(env, argv[0]), M = (long)num(env, argv[3]), N = (long)num(env, argv[4]), K = (long)num(env, argv[5]);
  int ta = (int)num(env, argv[1]), tb = (int)num(env, argv[2]);
  F32(6, a); F32(8, b); F32(10, c);
  long sa = (long)num(env, argv[7]), sb = (long)num(env, argv[9]), sc = (long)num(env, argv[11]);
  NEED(a, sa * (batch - 1) + M * K); NEED(b, sb * (batch - 1) + K * N); NEED(c, sc * (batch - 1) + M * N);
  if (M > 0 && N > 0 && K > 0) kn_gemm((int)batch, ta, tb, (int)M, (int)N, (int)K, a.data, sa, b.data, sb, c.data, sc);
  else if (M > 0 && N > 0) memset(c.data, 0, sizeof(float) * c.length);
  return NULL;
}

static napi_value Binary(napi_env env, napi_callback_info info) {
  ARGS(7);
  int op = (int)num(env, argv[0]);
  long shape[KARD_MAX_RANK], as[KARD_MAX_RANK], bs[KARD_MAX_RANK];
  uint32_t r1, r2, r3;
  if (!get_longs(env, argv[1], shape, &r1) || !get_longs(env, argv[4], as, &r2) || !get_longs(env, argv[6], bs, &r3) ||
      r1 != r2 || r1 != r3) THROW(env, "shape and strides must be arrays of the same rank (1..8)");
  F32(2, out); F32(3, a); F32(5, b);
  double size = 1, amax = 0, bmax = 0;
  for (uint32_t d = 0; d < r1; d++) { size *= shape[d]; amax += as[d] * (shape[d] - 1); bmax += bs[d] * (shape[d] - 1); }
  if (size == 0) return NULL;
  NEED(out, size); NEED(a, amax + 1); NEED(b, bmax + 1);
  kn_binary(op, (int)r1, shape, out.data, a.data, as, b.data, bs);
  return NULL;
}

static napi_value Unary(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(1, x); F32(2, out);
  NEED(x, out.length);
  kn_unary((int)num(env, argv[0]), x.data, out.data, (long)out.length, (float)num(env, argv[3]));
  return NULL;
}

static napi_value Softmax(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(0, x); F32(1, out);
  long rows = (long)num(env, argv[2]), cols = (long)num(env, argv[3]);
  NEED(x, rows * cols); NEED(out, rows * cols);
  kn_softmax(x.data, out.data, rows, cols);
  return NULL;
}

static napi_value Reduce(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(1, x); F32(2, out);
  long outer = (long)num(env, argv[3]), n = (long)num(env, argv[4]), inner = (long)num(env, argv[5]);
  if (n <= 0) THROW(env, "cannot reduce an empty axis");
  NEED(x, outer * n * inner); NEED(out, outer * inner);
  kn_reduce((int)num(env, argv[0]), x.data, out.data, outer, n, inner);
  return NULL;
}

static napi_value Transpose(napi_env env, napi_callback_info info) {
  ARGS(4);
  long shape[KARD_MAX_RANK], permL[KARD_MAX_RANK];
  int perm[KARD_MAX_RANK];
  uint32_t r1, r2;
  if (!get_longs(env, argv[0], shape, &r1) || !get_longs(env, argv[1], permL, &r2) || r1 != r2)
    THROW(env, "shape and perm must be arrays of the same rank (1..8)");
  F32(2, x); F32(3, out);
  double size = 1;
  for (uint32_t d = 0; d < r1; d++) {
    size *= shape[d];
    if (permL[d] < 0 || permL[d] >= (long)r1) THROW(env, "perm out of range");
    perm[d] = (int)permL[d];
  }
  if (size == 0) return NULL;
  NEED(x, size); NEED(out, size);
  kn_transpose((int)r1, shape, perm, x.data, out.data);
  return NULL;
}

static napi_value SegmentSum(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, data); I32(1, ids); F32(2, out);
  long rows = (long)num(env, argv[3]), cols = (long)num(env, argv[4]), segs = (long)num(env, argv[5]);
  NEED(data, rows * cols); NEED(ids, rows); NEED(out, segs * cols);
  kn_segment_sum(data.data, ids.data, out.data, rows, cols, segs);
  return NULL;
}

static napi_value GatherRows(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, table); I32(1, ids); F32(2, out);
  long rows = (long)num(env, argv[3]), cols = (long)num(env, argv[4]), tableRows = (long)num(env, argv[5]);
  NEED(table, tableRows * cols); NEED(ids, rows); NEED(out, rows * cols);
  kn_gather_rows(table.data, ids.data, out.data, rows, cols, tableRows);
  return NULL;
}

static napi_value XentForward(napi_env env, napi_callback_info info) {
  ARGS(6);
  F32(0, logits); I32(1, labels); F32(2, lse);
  long rows = (long)num(env, argv[3]), cols = (long)num(env, argv[4]);
  NEED(logits, rows * cols); NEED(labels, rows); NEED(lse, rows);
  double sum = 0;
  long count = 0;
  kn_xent_forward(logits.data, labels.data, lse.data, rows, cols, (int)num(env, argv[5]), &sum, &count);
  napi_value res, v0, v1;
  napi_create_array_with_length(env, 2, &res);
  napi_create_double(env, sum, &v0);
  napi_create_double(env, (double)count, &v1);
  napi_set_element(env, res, 0, v0);
  napi_set_element(env, res, 1, v1);
  return res;
}

static napi_value XentBackward(napi_env env, napi_callback_info info) {
  ARGS(8);
  F32(0, logits); I32(1, labels); F32(2, lse); F32(7, dlogits);
  long rows = (long)num(env, argv[3]), cols = (long)num(env, argv[4]);
  NEED(logits, rows * cols); NEED(labels, rows); NEED(lse, rows); NEED(dlogits, rows * cols);
  kn_xent_backward(logits.data, labels.data, lse.data, rows, cols, (int)num(env, argv[5]), (float)num(env, argv[6]),
                   dlogits.data);
  return NULL;
}

static napi_value AdamW(napi_env env, napi_callback_info info) {
  ARGS(11);
  F32(0, p); F32(1, g); F32(2, m); F32(3, v);
  NEED(g, p.length); NEED(m, p.length); NEED(v, p.length);
  kn_adamw(p.data, g.data, m.data, v.data, (long)p.length, num(env, argv[4]), num(env, argv[5]), num(env, argv[6]),
           num(env, argv[7]), num(env, argv[8]), num(env, argv[9]), num(env, argv[10]));
  return NULL;
}

static napi_value SumSquares(napi_env env, napi_callback_info info) {
  ARGS(1);
  F32(0, x);
  napi_value res;
  napi_create_double(env, kn_sum_squares(x.data, (long)x.length), &res);
  return res;
}

static napi_value DropoutMask(napi_env env, napi_callback_info info) {
  ARGS(4);
  F32(3, out);
  double seed = num(env, argv[0]), threshold = num(env, argv[1]);
  if (seed < 0 || seed > 4294967295.0 || threshold < 0 || threshold > 4294967295.0) THROW(env, "seed and threshold must be uint32");
  kn_dropout_mask((uint32_t)seed, (uint32_t)threshold, (float)num(env, argv[2]), out.data, (long)out.length);
  return NULL;
}

static napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  ARGS(5);
  F32(0, y); F32(1, dy); F32(2, dx);
  long rows = (long)num(env, argv[3]), cols = (long)num(env, argv[4]);
  NEED(y, rows * cols); NEED(dy, rows * cols); NEED(dx, rows * cols);
  kn_softmax_grad(y.data, dy.data, dx.data, rows, cols);
  return NULL;
}

static napi_value RmsNorm(napi_env env, napi_callback_info info) {
  ARGS(7);
  F32(0, x); F32(1, w); F32(2, out); F32(3, invRms);
  long rows = (long)num(env, argv[4]), cols = (long)num(env, argv[5]);
  NEED(x, rows * cols); NEED(w, cols); NEED(out, rows * cols); NEED(invRms, rows);
  kn_rms_norm(x.data, w.data, out.data, invRms.data, rows, cols, (float)num(env, argv[6]));
  return NULL;
}

static napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  ARGS(8);
  F32(0, x); F32(1, w); F32(2, invRms); F32(3, dy); F32(4, dx); F32(5, dw);
  long rows = (long)num(env, argv[6]), cols = (long)num(env, argv[7]);
  NEED(x, rows * cols); NEED(w, cols); NEED(invRms, rows); NEED(dy, rows * cols);
  /* An empty dx or dw means that output is not wanted. */
  if (dx.length) NEED(dx, rows * cols);
  if (dw.length) NEED(dw, cols);
  kn_rms_norm_grad(x.data, w.data, invRms.data, dy.data, dx.length ? dx.data : 0, dw.length ? dw.data : 0, rows, cols);
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  ARGS(1);
  int n = (int)num(env, argv[0]);
  openblas_set_num_threads(n);
  kn_set_threads(openblas_get_num_threads());
  return NULL;
}

static napi_value Info(napi_env env, napi_callback_info info) {
  napi_value res, threads, config;
  napi_create_object(env, &res);
  napi_create_int32(env, openblas_get_num_threads(), &threads);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config);
  napi_set_named_property(env, res, "threads", threads);
  napi_set_named_property(env, res, "blas", config);
  napi_value kt;
  napi_create_int32(env, kn_get_threads(), &kt);
  napi_set_named_property(env, res, "kernelThreads", kt);
  return res;
}

static napi_value Init(napi_env env, napi_value exports) {
  /* Every tfjs cpu tensor is a fresh calloc'd typed array. glibc serves blocks over its dynamic mmap threshold
   * with fresh mmaps, page-faulted and zeroed by the kernel on every allocation: that was 15-25% of a training
   * step's CPU time. Serving up to 32 MiB from the heap and never trimming it reuses the pages instead.
   * KARD_NN_DEFAULT_MALLOC=1 keeps glibc's defaults. */
  const char *keep = getenv("KARD_NN_DEFAULT_MALLOC");
  if (!keep || strcmp(keep, "1") != 0) {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
  }
  kn_set_threads(openblas_get_num_threads());
  napi_property_descriptor props[] = {
    {"gemm", 0, Gemm, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"binary", 0, Binary, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"unary", 0, Unary, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"softmax", 0, Softmax, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"reduce", 0, Reduce, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"transpose", 0, Transpose, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"segmentSum", 0, SegmentSum, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"gatherRows", 0, GatherRows, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"xentForward", 0, XentForward, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"xentBackward", 0, XentBackward, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"adamw", 0, AdamW, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"sumSquares", 0, SumSquares, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"dropoutMask", 0, DropoutMask, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"softmaxGrad", 0, SoftmaxGrad, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"rmsNorm", 0, RmsNorm, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"rmsNormGrad", 0, RmsNormGrad, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"setThreads", 0, SetThreads, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
    {"info", 0, Info, 0, 0, 0, napi_writable | napi_enumerable | napi_configurable, 0},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
