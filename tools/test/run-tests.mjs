#!/usr/bin/env node
// Runs every jest project once and closes with the one line CI reads: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, '.jest-results.json');
rmSync(out, { force: true });
const args = ['jest', '--json', `--outputFile=${out}`, ...process.argv.slice(2)];
const r = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
let summary;
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.error('jest wrote no JSON summary');
  console.log('0 passed, 1 failed');
  process.exit(r.status || 1);
}
const skipped = summary.numPendingTests + (summary.numTodoTests ?? 0);
const failed = summary.numFailedTests + (summary.numRuntimeErrorTestSuites ?? 0);
console.log(`${summary.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
const ok = r.status === 0 && failed === 0 && summary.numPassedTests > 0;
process.exit(ok ? 0 : 1);
