/* Tight float32 loops behind the native-cpu tfjs backend. All arrays are row-major and contiguous. */
#ifndef KARD_NN_KERNELS_H
#define KARD_NN_KERNELS_H
#include <stdint.h>

enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_MAX, BIN_MIN, BIN_SQDIFF, BIN_POW, BIN_RELU_GRAD };
enum {
  UN_EXP, UN_LOG, UN_NEG, UN_RELU, UN_TANH, UN_SIGMOID, UN_SQRT, UN_RSQRT, UN_SQUARE, UN_ABS,
  UN_RECIPROCAL, UN_SCALE, UN_STEP
};
enum { RED_SUM, RED_MEAN, RED_MAX, RED_MIN };

#define KARD_MAX_RANK 8

void kn_gemm(int batch, int transA, int transB, int M, int N, int K, const float *A, long strideA,
             const float *B, long strideB, float *C, long strideC);
void kn_binary(int op, int rank, const long *shape, float *out, const float *a, const long *aStrides,
               const float *b, const long *bStrides);
void kn_unary(int op, const float *x, float *out, long n, float alpha);
void kn_softmax(const float *x, float *out, long rows, long cols);
void kn_reduce(int op, const float *x, float *out, long outer, long n, long inner);
void kn_transpose(int rank, const long *shape, const int *perm, const float *x, float *out);
/* out must arrive zeroed (JS typed arrays are). */
void kn_segment_sum(const float *data, const int32_t *ids, float *out, long rows, long cols, long numSegments);
void kn_gather_rows(const float *table, const int32_t *ids, float *out, long rows, long cols, long tableRows);
void kn_xent_forward(const float *logits, const int32_t *labels, float *lse, long rows, long cols,
                     int ignoreIndex, double *lossSum, long *count);
void kn_xent_backward(const float *logits, const int32_t *labels, const float *lse, long rows, long cols,
                      int ignoreIndex, float scale, float *dlogits);
void kn_adamw(float *p, const float *g, float *m, float *v, long n, double lr, double beta1, double beta2,
              double eps, double weightDecay, double biasCorr1, double biasCorr2);

/* fused.c: kernels that replace chains of tfjs ops (each a pass over memory and a fresh buffer). */
double kn_sum_squares(const float *x, long n);
/* out[i] = scale if hash(seed, i) >= threshold else 0: dropout's mask, bit-identical to the JS version. */
void kn_dropout_mask(uint32_t seed, uint32_t threshold, float scale, float *out, long n);
/* Softmax backward over rows: dx = y * (dy - sum(dy * y)). */
void kn_softmax_grad(const float *y, const float *dy, float *dx, long rows, long cols);
/* T5's RMS norm: out = w * (x * r), r = 1 / sqrt(mean(x^2) + eps) per row (kept for the backward). */
void kn_rms_norm(const float *x, const float *w, float *out, float *invRms, long rows, long cols, float eps);
/* dx and/or dw (either may be null). */
void kn_rms_norm_grad(const float *x, const float *w, const float *invRms, const float *dy, float *dx, float *dw,
                      long rows, long cols);
#endif
