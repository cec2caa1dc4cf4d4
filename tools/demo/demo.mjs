#!/usr/bin/env node
// `npm run demo`: the whole KARD pipeline on shipped data into runs/demo/ (resumes if interrupted), then the report
// and how long each stage took. `npm run demo -- --dataset obqa`: the same on OpenBookQA, into runs/obqa/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// `--dataset obqa` runs OpenBookQA (tools/demo/obqa.config.yaml, into runs/obqa) instead of StrategyQA
const DATASETS = { strategyqa: ['demo.config.yaml', 'demo'], obqa: ['obqa.config.yaml', 'obqa'] };
const args = process.argv.slice(2);
const datasetFlag = args.indexOf('--dataset');
const dataset = datasetFlag >= 0 ? args[datasetFlag + 1] : 'strategyqa';
if (!DATASETS[dataset]) {
  process.stderr.write(`demo: --dataset ${dataset} is not one of ${Object.keys(DATASETS).join(', ')}\n`);
  process.exit(2);
}
const extra = datasetFlag >= 0 ? args.filter((_, i) => i !== datasetFlag && i !== datasetFlag + 1) : args;
const config = path.join('tools', 'demo', DATASETS[dataset][0]);
const runFlag = extra.indexOf('--run');
const runDir = path.resolve(root, runFlag >= 0 ? extra[runFlag + 1] : path.join('runs', DATASETS[dataset][1]));
const started = Date.now();
const seconds = {};
for (const [app, args] of [
  ['kard-train', ['all']],
  ['kard-eval', []],
]) {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'apps', app, 'dist', 'cli.js'), ...args, '-c', config, ...extra],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
  seconds[app] = (Date.now() - t0) / 1000;
}
const report = path.join(runDir, 'eval', 'report.md');
const run = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
const evalReport = JSON.parse(fs.readFileSync(path.join(runDir, 'eval', 'report.json'), 'utf8'));
const rows = [
  ...Object.entries(run.stages ?? {}).map(([stage, m]) => [stage, m.seconds, m.result?.validationLoss]),
  ...evalReport.methods.map((m) => [`eval ${m.name}`, m.seconds]),
];
const table = rows
  .map(
    ([name, s, v]) =>
      `  ${name.padEnd(20)} ${s.toFixed(1).padStart(7)} ` +
      `s${v === undefined ? '' : `   validation loss ${v.toFixed(3)}`}`,
  )
  .join('\n');
process.stdout.write(
  `\n${fs.readFileSync(report, 'utf8')}\nStages (this run folder; a stage done earlier keeps its first ` +
    `time):\n${table}\n` +
    `kard-train ${seconds['kard-train'].toFixed(0)} s, kard-eval ${seconds['kard-eval'].toFixed(0)} s.\n` +
    `Demo finished in ${((Date.now() - started) / 60000).toFixed(1)} min. Report: ${report} (report.json, ` +
    `accuracy.svg and predictions beside it)\n`,
);
