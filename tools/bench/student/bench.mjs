#!/usr/bin/env node
// Student training/generation throughput per tfjs backend, for a t5-small-shaped model (random weights).
// Prints, per backend: GEMM GFLOP/s measured in the same run, training tokens/s and achieved GFLOP/s of a
// step, generation tokens/s (greedy, KV cache), and the ratios against the wasm baseline.
// Usage: npm run bench:student -- [--backends native-cpu,wasm] [--steps 3] [--quick] [--profile]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, fusedSoftmaxCrossEntropy, fusedAdamWUpdate } from '@kard/nn';
import { T5_SMALL, createT5Stack, forward, forwardFlops, greedyGenerate } from './t5-stack.mjs';

const HELP = `Usage: npm run bench:student -- [options]
  --backends <list>  comma-separated backends, in order (default native-cpu,wasm; cpu is ~1 GFLOP/s: minutes a step)
  --steps <n>        timed training steps per backend after one warm-up (default 3; wasm and cpu: 1, no warm-up)
  --gen-steps <n>    generated tokens per sequence (default 16)
  --quick            tiny model and batch: checks the script runs, numbers mean nothing
  --profile          print the 15 slowest kernels of one training step
  --slow-batch <n>   sequences a batch for wasm and cpu (default 2 of 128 tokens: their full 8 takes many minutes
                     on 2 shared cores); GFLOP/s are comparable across batch sizes, tokens/s roughly
  -h, --help         this text`;
const { values: opts } = parseArgs({
  options: {
    backends: { type: 'string', default: 'native-cpu,wasm' },
    steps: { type: 'string', default: '3' },
    'gen-steps': { type: 'string', default: '16' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'slow-batch': { type: 'string', default: '2' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) { console.log(HELP); process.exit(0); }

const cfg = opts.quick ? { dModel: 64, dFf: 128, heads: 4, layers: 2, vocab: 512, buckets: 32 } : T5_SMALL;
const fullBatch = opts.quick ? 2 : 8, tSrc = opts.quick ? 16 : 128, tDec = opts.quick ? 16 : 128;
const now = () => performance.now() / 1000;
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

function gemmRate() {
  // The model's GEMM shapes (projection, feed-forward, LM head) in all the transpose combinations a step uses.
  const shapes = opts.quick ? [[64, 64, 64]] : [[1024, 512, 512], [1024, 2048, 512], [1024, 512, 2048], [1024, 8192, 512]];
  let flops = 0, secs = 0;
  const rows = [];
  for (const [m, n, k] of shapes) {
    for (const [ta, tb] of [[false, false], [false, true], [true, false]]) {
      const a = tf.randomNormal(ta ? [k, m] : [m, k]), b = tf.randomNormal(tb ? [n, k] : [k, n]);
      tf.matMul(a, b, ta, tb).dispose(); // warm-up
      const reps = 3, t0 = now();
      for (let i = 0; i < reps; i++) { const c = tf.matMul(a, b, ta, tb); c.dataSync(); c.dispose(); }
      const dt = now() - t0;
      flops += reps * 2 * m * n * k; secs += dt;
      rows.push(`${m}x${n}x${k}${ta ? ' tA' : ''}${tb ? ' tB' : ''}: ${fmt((reps * 2 * m * n * k) / dt / 1e9)}`);
      tf.dispose([a, b]);
    }
  }
  return { gflops: flops / secs / 1e9, rows };
}

function randomIds(n, seed) {
  // A 32-bit LCG: the same token ids on every backend.
  const ids = new Int32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; ids[i] = s % cfg.vocab; }
  return ids;
}

async function benchBackend(name) {
  const slow = name === 'wasm' || name === 'cpu';
  const batch = slow && !opts.quick ? Number(opts['slow-batch']) : fullBatch;
  const info = await initBackend({ backend: name });
  console.log(`\n== ${name}: ${info.reason}; batch ${batch}x${tSrc} source + ${batch}x${tDec} target tokens`);
  const gemm = gemmRate();
  console.log(`GEMM GFLOP/s: ${fmt(gemm.gflops)}  (${gemm.rows.join(', ')})`);

  const model = createT5Stack(cfg);
  const vars = [...model.vars.values()];
  const m = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  const v2 = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  const src = tf.tensor2d(randomIds(batch * tSrc, 1), [batch, tSrc], 'int32');
  const dec = tf.tensor2d(randomIds(batch * tDec, 2), [batch, tDec], 'int32');
  const labels = tf.tensor1d(randomIds(batch * tDec, 3), 'int32');
  const srcFlat = tf.reshape(src, [-1]), decFlat = tf.reshape(dec, [-1]);
  let step = 0;
  const trainStep = () => {
    step++;
    const { value, grads } = tf.variableGrads(() => fusedSoftmaxCrossEntropy(forward(model, srcFlat, decFlat, batch, tSrc, tDec), labels));
    vars.forEach((p, i) => fusedAdamWUpdate(p, grads[p.name], m[i], v2[i], { lr: 1e-4, step }));
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  const steps = slow ? 1 : Number(opts.steps);
  if (!slow) trainStep();
  if (opts.profile) {
    const prof = await tf.profile(() => { trainStep(); });
    const byKernel = new Map();
    for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs || 0));
    const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.log(`profile (ms per step): ${top.map(([k, t]) => `${k} ${fmt(t, 0)}`).join(', ')}`);
  }
  const t0 = now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = trainStep();
  const stepSecs = (now() - t0) / steps;
  const trainFlops = 3 * forwardFlops(cfg, batch, tSrc, tDec);
  const trainGflops = trainFlops / stepSecs / 1e9;
  console.log(`training: ${fmt(stepSecs, 2)} s/step, ${fmt((batch * tDec) / stepSecs)} target tokens/s ` +
    `(+${batch * tSrc} source tokens), ${fmt(trainGflops)} GFLOP/s (${fmt(trainFlops / 1e9)} GFLOP/step), ` +
    `${fmt((100 * trainGflops) / gemm.gflops, 0)}% of GEMM; loss ${fmt(loss, 3)} (ln V = ${fmt(Math.log(cfg.vocab), 3)})`);

  const genSteps = Number(opts['gen-steps']);
  greedyGenerate(model, srcFlat, batch, tSrc, 2);
  const g0 = now();
  greedyGenerate(model, srcFlat, batch, tSrc, genSteps);
  const genSecs = now() - g0;
  console.log(`generation: ${fmt((batch * genSteps) / genSecs)} tokens/s (batch ${batch}, ${genSteps} new tokens, ` +
    `KV cache, encoder included)`);
  tf.dispose([...vars, ...m, ...v2, src, dec, labels, srcFlat, decFlat]);
  return { name, batch, gemm: gemm.gflops, stepSecs, trainGflops, tokensPerSec: (batch * tDec) / stepSecs, genTokensPerSec: (batch * genSteps) / genSecs };
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
console.log('\nbackend      batch  GEMM GFLOP/s  train GFLOP/s  train/GEMM  train tok/s  gen tok/s' + (base ? '  train vs wasm  gen vs wasm' : ''));
for (const r of results) {
  console.log(`${r.name.padEnd(12)} ${String(r.batch).padStart(5)}  ${fmt(r.gemm).padStart(12)}  ${fmt(r.trainGflops).padStart(13)}  ${fmt(r.trainGflops / r.gemm, 2).padStart(10)}  ` +
    `${fmt(r.tokensPerSec).padStart(11)}  ${fmt(r.genTokensPerSec).padStart(9)}` +
    (base ? `  ${fmt(r.tokensPerSec / base.tokensPerSec, 1).padStart(12)}x  ${fmt(r.genTokensPerSec / base.genTokensPerSec, 1).padStart(10)}x` : ''));
}
const native = results.find((r) => r.name === 'native-cpu');
if (native && !opts.quick) {
  console.log(`targets: native-cpu training ${fmt(native.trainGflops)} GFLOP/s (target >= 60): ${native.trainGflops >= 60 ? 'met' : 'NOT met'}; ` +
    `${fmt(native.trainGflops / native.gemm, 2)} of its GEMM rate (target >= 0.5): ${native.trainGflops / native.gemm >= 0.5 ? 'met' : 'NOT met'}`);
}
