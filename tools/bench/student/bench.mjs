#!/usr/bin/env node
// Student training/generation throughput per tfjs backend for a t5-small-shaped @kard/student model (random
// weights, 1024 tokens a batch). Prints per backend: its GEMM GFLOP/s measured in the same run, training
// tokens/s and achieved GFLOP/s of a step (loss, backward, clipping, AdamW: what Seq2SeqTrainer does), greedy
// generation tokens/s with and without the KV cache, and ratios against the wasm baseline.
// Usage: npm run bench:student -- [--backends native-cpu,wasm] [--steps 3] [--quick] [--profile]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, clipByGlobalNorm, initBackend } from '@kard/nn';
import { Rng } from '@kard/core';
import { T5ForConditionalGeneration, generate, t5Config } from '@kard/student';

const HELP = `Usage: npm run bench:student -- [options]
  --backends <list>  comma-separated, in order (default native-cpu,wasm; cpu runs ~1 GFLOP/s: minutes a step)
  --steps <n>        timed training steps per backend after one warm-up (default 3; wasm and cpu: 1, no warm-up)
  --gen-tokens <n>   new tokens per sequence for generation (default 32); rates with the encoder and decoding
                     only are printed, with and without the KV cache
  --dropout <p>      dropout rate during training (default 0.1, t5-small's; 0 measures the math alone)
  --slow-batch <n>   sequences a batch for wasm and cpu (default 2 of 128 tokens: their full 8 takes many minutes
                     on 2 shared cores); GFLOP/s are comparable across batch sizes, tokens/s roughly
  --profile          print the slowest kernels of one training step (native-cpu and cpu only; ms are wall time)
  --quick            tiny model and batch: checks the script runs, numbers mean nothing
  --model <shape>    small (t5-small, default) or base (t5-base: d 768, 12+12 layers, 12 heads, d_ff 3072)
  --batch <n>        sequences a batch on fast backends (default 8; --quick: 2)
  --seq <n>          source and target tokens a sequence (default 128; --quick: 16)
  --json <file>      also write the results as JSON (tools/gpu/run.sh compares them with PyTorch's)
  -h, --help         this text`;
const { values: opts } = parseArgs({
  options: {
    backends: { type: 'string', default: 'native-cpu,wasm' },
    steps: { type: 'string', default: '3' },
    'gen-tokens': { type: 'string', default: '32' },
    dropout: { type: 'string', default: '0.1' },
    'slow-batch': { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    model: { type: 'string', default: 'small' },
    batch: { type: 'string' },
    seq: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}

// t5-small: d_model 512, d_kv 64, d_ff 2048, 6+6 layers, 8 heads, vocab 32128, ReLU, tied embeddings.
const SMALL = { vocabSize: 32128, dModel: 512, dKv: 64, dFf: 2048, numLayers: 6, numHeads: 8 };
const BASE = { vocabSize: 32128, dModel: 768, dKv: 64, dFf: 3072, numLayers: 12, numHeads: 12 };
const QUICK = { vocabSize: 512, dModel: 64, dKv: 16, dFf: 128, numLayers: 2, numHeads: 4 };
if (!['small', 'base'].includes(opts.model)) throw new Error(`--model: small or base, not ${opts.model}`);
const shape = opts.quick ? QUICK : opts.model === 'base' ? BASE : SMALL;
const cfg = t5Config({ ...shape, dropoutRate: Number(opts.dropout) });
const fullBatch = Number(opts.batch ?? (opts.quick ? 2 : 8)),
  tSrc = Number(opts.seq ?? (opts.quick ? 16 : 128)),
  tTgt = tSrc;
const now = () => performance.now() / 1000;
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** sgemm rate over the model's shapes (projections, feed-forward, LM head) in the transpose modes a step uses. */
function gemmRate(slow) {
  const shapes = opts.quick
    ? [[64, 64, 64]]
    : [
        [1024, 512, 512],
        [1024, 2048, 512],
        [1024, 512, 2048],
        [1024, slow ? 4096 : 8192, 512],
      ];
  let flops = 0,
    secs = 0;
  const rows = [];
  for (const [m, n, k] of shapes) {
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
    ]) {
      const a = tf.randomNormal(ta ? [k, m] : [m, k]),
        b = tf.randomNormal(tb ? [n, k] : [k, n]);
      tf.matMul(a, b, ta, tb).dataSync(); // warm-up
      const reps = slow ? 1 : 3,
        t0 = now();
      for (let i = 0; i < reps; i++) {
        const c = tf.matMul(a, b, ta, tb);
        c.dataSync();
        c.dispose();
      }
      const dt = now() - t0;
      flops += reps * 2 * m * n * k;
      secs += dt;
      rows.push(`${m}x${n}x${k}${ta ? ' tA' : ''}${tb ? ' tB' : ''} ${fmt((reps * 2 * m * n * k) / dt / 1e9)}`);
      tf.dispose([a, b]);
    }
  }
  return { gflops: flops / secs / 1e9, rows };
}

/** Multiply-add FLOPs (x2) of the matmuls of one teacher-forced forward pass; a training step is 3x this. */
function forwardFlops(c, batch, tSrc, tTgt) {
  const { dModel: d, dFf, numLayers, numDecoderLayers, vocabSize, numHeads, dKv } = c;
  const inner = numHeads * dKv,
    ne = batch * tSrc,
    nd = batch * tTgt;
  const attn = (tq, tk) => 2 * 2 * batch * tq * tk * inner; // scores and weighted values
  const enc = numLayers * (2 * ne * d * inner * 4 + attn(tSrc, tSrc) + 2 * 2 * ne * d * dFf);
  const dec =
    numDecoderLayers *
    (2 * nd * d * inner * 4 +
      attn(tTgt, tTgt) +
      2 * nd * d * inner * 2 +
      2 * ne * d * inner * 2 +
      attn(tTgt, tSrc) +
      2 * 2 * nd * d * dFf);
  return enc + dec + 2 * nd * d * vocabSize;
}

function randomIds(n, seed) {
  // A 32-bit LCG: the same ids on every backend; ids 2.. so no pad (0) or EOS (1).
  const ids = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    ids.push(2 + (s % (cfg.vocabSize - 2)));
  }
  return ids;
}
const rowsOf = (flat, t) => Array.from({ length: flat.length / t }, (_, i) => flat.slice(i * t, (i + 1) * t));

async function benchBackend(name) {
  const slow = name === 'wasm' || name === 'cpu';
  const batch = slow && !opts.quick ? Number(opts['slow-batch']) : fullBatch;
  const info = await initBackend({ backend: name });
  console.log(`\n== ${name}: ${info.reason}`);
  console.log(`batch ${batch}x${tSrc} source + ${batch}x${tTgt} target tokens, dropout ${cfg.dropoutRate}`);
  const gemm = gemmRate(slow);
  console.log(`GEMM ${fmt(gemm.gflops)} GFLOP/s (${gemm.rows.join(', ')})`);

  const model = new T5ForConditionalGeneration(cfg, 1);
  const params = model.namedParameters();
  const vars = [...params.values()],
    names = [...params.keys()];
  const optimizer = new AdamW(params, { lr: 1e-4, weightDecay: 0.01, decays: (n) => !/layer_norm/.test(n) });
  const src = rowsOf(randomIds(batch * tSrc, 1), tSrc);
  const lmBatch = {
    inputIds: tf.tensor2d(src, undefined, 'int32'),
    attentionMask: tf.ones([batch, tSrc], 'int32'),
    labels: tf.tensor2d(rowsOf(randomIds(batch * tTgt, 3), tTgt), undefined, 'int32'),
  };
  const rng = new Rng(5);
  const trainStep = () => {
    const { value, grads } = tf.variableGrads(() => model.loss(lmBatch, rng), vars);
    const { grads: clipped } = clipByGlobalNorm(new Map(names.map((n, i) => [n, grads[vars[i].name]])), 1.0);
    optimizer.applyGradients(clipped);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads), ...clipped.values()]);
    return loss;
  };
  const steps = slow ? 1 : Number(opts.steps);
  if (!slow) trainStep();
  const tensorsBefore = tf.memory().numTensors;
  if (opts.profile && !slow) {
    const prof = await tf.profile(() => {
      trainStep();
    });
    const byKernel = new Map();
    for (const k of prof.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs || 0;
      e.n++;
      byKernel.set(k.name, e);
    }
    const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
    const top = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20);
    console.log(
      `profile: ${fmt(total, 0)} ms in ${prof.kernels.length} kernels; ` +
        top.map(([k, e]) => `${k} ${fmt(e.ms, 0)} (${e.n})`).join(', '),
    );
  }
  const t0 = now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = trainStep();
  const stepSecs = (now() - t0) / steps;
  const trainFlops = 3 * forwardFlops(cfg, batch, tSrc, tTgt);
  const trainGflops = trainFlops / stepSecs / 1e9;
  console.log(
    `training: ${fmt(stepSecs, 2)} s/step, ${fmt((batch * (tSrc + tTgt)) / stepSecs)} tokens/s (source + target), ` +
      `${fmt(trainGflops)} GFLOP/s (${fmt(trainFlops / 1e9)} GFLOP/step), ` +
      `${fmt((100 * trainGflops) / gemm.gflops, 0)}% of GEMM; ` +
      `loss ${fmt(loss, 3)} (ln V = ${fmt(Math.log(cfg.vocabSize), 3)}); tensors ${tensorsBefore} -> ` +
      `${tf.memory().numTensors}`,
  );

  // Greedy generation from the batch's sources, with and without the decoder's key/value cache. The
  // decode-only rate leaves out the encoder and the first step (a run of 1 new token timed separately).
  const genTokens = Number(opts['gen-tokens']);
  const timeGen = (useCache, n) => {
    const g0 = now();
    const out = generate(model, src, { maxNewTokens: n, useCache });
    return {
      secs: now() - g0,
      tokens: out.map((r) => r[0].tokens),
      count: out.reduce((a, r) => a + r[0].tokens.length, 0),
    };
  };
  const gen = (useCache) => {
    timeGen(useCache, 2); // warm-up
    const one = timeGen(useCache, 1),
      all = timeGen(useCache, genTokens);
    return {
      ...all,
      perSec: all.count / all.secs,
      decodePerSec: (all.count - one.count) / Math.max(1e-9, all.secs - one.secs),
    };
  };
  const cached = gen(true),
    uncached = gen(false);
  const same = JSON.stringify(cached.tokens) === JSON.stringify(uncached.tokens);
  console.log(
    `generation (greedy, batch ${batch}, ${cached.count} new tokens): with KV cache ${fmt(cached.perSec)} tokens/s ` +
      `(${fmt(cached.decodePerSec)} decoding only), without ${fmt(uncached.perSec)} (${fmt(uncached.decodePerSec)}); ` +
      `cache speed-up ${fmt(cached.perSec / uncached.perSec, 2)}x overall, ` +
      `${fmt(cached.decodePerSec / uncached.decodePerSec, 2)}x decoding; ` +
      `same tokens: ${same ? 'yes' : 'NO'}`,
  );
  optimizer.dispose();
  model.dispose();
  tf.dispose([lmBatch.inputIds, lmBatch.attentionMask, lmBatch.labels]);
  return {
    name,
    batch,
    gemm: gemm.gflops,
    stepSecs,
    trainGflops,
    tokensPerSec: (batch * (tSrc + tTgt)) / stepSecs,
    genCached: cached.perSec,
    genUncached: uncached.perSec,
    decodeCached: cached.decodePerSec,
    decodeUncached: uncached.decodePerSec,
    same,
  };
}

const results = [];
for (const name of opts.backends.split(',')) {
  try {
    results.push(await benchBackend(name.trim()));
  } catch (err) {
    console.log(`\n== ${name}: not run: ${err.message}`);
  }
}
const base = results.find((r) => r.name === 'wasm');
const cols = [
  'backend',
  'batch',
  'GEMM GF/s',
  'train GF/s',
  'train/GEMM',
  'train tok/s',
  'gen tok/s',
  'gen no-cache',
  'cache x',
  'decode cache x',
];
if (base) cols.push('train vs wasm', 'gen vs wasm', 'GEMM vs wasm');
console.log(`\n${cols.map((c, i) => (i === 0 ? c.padEnd(11) : c.padStart(c.length + 1))).join(' ')}`);
for (const r of results) {
  const cells = [
    r.batch,
    fmt(r.gemm),
    fmt(r.trainGflops),
    fmt(r.trainGflops / r.gemm, 2),
    fmt(r.tokensPerSec),
    fmt(r.genCached),
    fmt(r.genUncached),
    fmt(r.genCached / r.genUncached, 2),
    fmt(r.decodeCached / r.decodeUncached, 2),
  ];
  if (base)
    cells.push(
      `${fmt(r.tokensPerSec / base.tokensPerSec)}x`,
      `${fmt(r.genCached / base.genCached)}x`,
      `${fmt(r.gemm / base.gemm)}x`,
    );
  console.log(`${r.name.padEnd(11)} ${cells.map((c, i) => String(c).padStart(cols[i + 1].length + 1)).join(' ')}`);
}
const native = results.find((r) => r.name === 'native-cpu');
if (native && !opts.quick) {
  console.log(
    `targets: native-cpu training ${fmt(native.trainGflops)} GFLOP/s (>= 60: ` +
      `${native.trainGflops >= 60 ? 'met' : 'NOT met'}), ` +
      `${fmt(native.trainGflops / native.gemm, 2)} of its GEMM rate (>= 0.5: ` +
      `${native.trainGflops / native.gemm >= 0.5 ? 'met' : 'NOT met'})`,
  );
}
if (opts.json) {
  const { writeFileSync } = await import('node:fs');
  const model = opts.quick ? 'quick' : opts.model;
  const flopsPerStep = 3 * forwardFlops(cfg, fullBatch, tSrc, tTgt);
  writeFileSync(opts.json, JSON.stringify({ model, config: shape, tSrc, tTgt, flopsPerStep, results }, null, 2) + '\n');
}
if (results.some((r) => !r.same)) process.exitCode = 1;
