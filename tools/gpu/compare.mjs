// Reads run.sh's ours-*.json and torch-*.json and prints a Markdown table: training TFLOP/s on webgpu and in
// PyTorch fp32 (TF32 off), their ratio against the 10% target, tokens/s, and greedy generation with the KV cache.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'out';
const read = (f) => (existsSync(path.join(dir, f)) ? JSON.parse(readFileSync(path.join(dir, f), 'utf8')) : null);
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
console.log(
  '| model | ours TFLOP/s | PyTorch fp32 TFLOP/s | ratio | target (t5-base >= 10%) | ours train tok/s | PyTorch train tok/s | ours gen tok/s (KV cache) | PyTorch gen tok/s |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const m of ['quick', 'small', 'base']) {
  const ours = read(`ours-${m}.json`);
  const torch = read(`torch-${m}.json`);
  if (!ours && !torch) continue;
  const r = ours?.results?.[0];
  const oursT = r ? r.trainGflops / 1000 : NaN;
  const ratio = oursT / (torch?.trainTflops ?? NaN);
  const target = m === 'base' ? (ratio >= 0.1 ? 'met' : Number.isFinite(ratio) ? 'NOT met' : 'n/a') : '';
  console.log(
    `| ${m} | ${f(oursT, 3)} | ${f(torch?.trainTflops, 3)} | ${Number.isFinite(ratio) ? `${f(100 * ratio, 1)}%` : 'n/a'} | ${target} | ` +
      `${f(r?.tokensPerSec, 0)} | ${f(torch?.tokensPerSec, 0)} | ${f(r?.genCached, 1)} | ${f(torch?.genTokensPerSec, 1)} |`,
  );
}
