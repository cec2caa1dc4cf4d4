// Loads the kard_nn N-API addon (packages/nn/native, built by tools/setup/steps/20-nn-native.sh).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The addon's functions; every array is caller-owned and written in place (see native/src/addon.c). */
export interface NativeAddon {
  gemm(
    batch: number,
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    strideA: number,
    b: Float32Array,
    strideB: number,
    c: Float32Array,
    strideC: number,
  ): void;
  binary(
    op: number,
    shape: number[],
    out: Float32Array,
    a: Float32Array,
    aStrides: number[],
    b: Float32Array,
    bStrides: number[],
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, n: number, inner: number): void;
  transpose(shape: number[], perm: number[], x: Float32Array, out: Float32Array): void;
  /** `out` must be zeroed (a fresh typed array is). */
  segmentSum(
    data: Float32Array,
    ids: Int32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    segments: number,
  ): void;
  gatherRows(
    table: Float32Array,
    ids: Int32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    tableRows: number,
  ): void;
  xentForward(
    logits: Float32Array,
    labels: Int32Array,
    lse: Float32Array,
    rows: number,
    cols: number,
    ignoreIndex: number,
  ): [lossSum: number, count: number];
  xentBackward(
    logits: Float32Array,
    labels: Int32Array,
    lse: Float32Array,
    rows: number,
    cols: number,
    ignoreIndex: number,
    scale: number,
    dlogits: Float32Array,
  ): void;
  adamw(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    biasCorrection1: number,
    biasCorrection2: number,
  ): void;
  /** Σ x², accumulated in double (fixed chunking: the same result for any thread count). */
  sumSquares(x: Float32Array): number;
  /** out[i] = scale where hash(seed, i) >= threshold, else 0: the same mask as `dropoutMask` in JS. */
  dropoutMask(seed: number, threshold: number, scale: number, out: Float32Array): void;
  /** Softmax backward over rows: dx = y · (dy − Σ dy·y). */
  softmaxGrad(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  rmsNorm(
    x: Float32Array,
    w: Float32Array,
    out: Float32Array,
    invRms: Float32Array,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  /** An empty dx or dw skips that output. */
  rmsNormGrad(
    x: Float32Array,
    w: Float32Array,
    invRms: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    dw: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /** Threads for OpenBLAS and for the addon's own kernels. */
  setThreads(n: number): void;
  info(): { threads: number; kernelThreads: number; blas: string };
}

export { BinaryOp, UnaryOp, ReduceOp } from './native-ops';

/** Where the built addon lives: `$KARD_NN_NATIVE_PATH`, else `native/build/Release` of the @kard/nn package. */
export function nativeAddonPath(): string {
  if (process.env.KARD_NN_NATIVE_PATH) return process.env.KARD_NN_NATIVE_PATH;
  // __dirname is src/backend under jest and dist/ after tsup: walk up to the package root.
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === '@kard/nn') break;
    dir = path.dirname(dir);
  }
  return path.join(dir, 'native', 'build', 'Release', 'kard_nn.node');
}

let loaded: { addon: NativeAddon | null; reason: string } | undefined;

/** The addon, or null with the reason it could not be loaded (missing build, missing libopenblas, ...). */
export function loadNativeAddon(): { addon: NativeAddon | null; reason: string } {
  if (loaded) return loaded;
  const file = nativeAddonPath();
  if (!existsSync(file)) {
    loaded = { addon: null, reason: `native addon not built (${file} missing; run tools/setup/steps/20-nn-native.sh)` };
    return loaded;
  }
  // OpenBLAS reads this when the addon loads it. Its default keeps idle workers spinning (with sched_yield) for
  // 2^28 cycles after every GEMM, taking the core from our own kernel threads between GEMMs; measured on a t5-small
  // step, system time 2.8 s -> 1.2-1.7 s. An explicit setting wins.
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '4';
  try {
    const addon = createRequire(__filename)(file) as NativeAddon;
    loaded = { addon, reason: `OpenBLAS addon loaded from ${file}` };
  } catch (err) {
    loaded = { addon: null, reason: `native addon failed to load from ${file}: ${(err as Error).message}` };
  }
  return loaded;
}
