#!/usr/bin/env node
// `npm run demo`: the whole KARD pipeline on shipped data into runs/demo/ (resumes if interrupted), then the report.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = path.join('tools', 'demo', 'demo.config.yaml');
const extra = process.argv.slice(2);
const started = Date.now();
for (const [app, args] of [['kard-train', ['all']], ['kard-eval', []]]) {
  const r = spawnSync(process.execPath, [path.join(root, 'apps', app, 'dist', 'cli.js'), ...args, '-c', config, ...extra], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const report = path.join(root, 'runs', 'demo', 'eval', 'report.md');
process.stdout.write(`\n${fs.readFileSync(report, 'utf8')}\nDemo finished in ${((Date.now() - started) / 60000).toFixed(1)} min. Report: ${report} (report.json, accuracy.svg and predictions beside it)\n`);
