// The fast subset of tools/chaos/kill-resume.mjs: two seeded kill -9s of `kard-train student --method ft` on the
// tiny config, then the run is left to finish; it must match an uninterrupted run file for file. Uses the built
// CLI (apps/kard-train/dist/cli.js). The long run: `node tools/chaos/kill-resume.mjs` (20 kills of `all`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'apps', 'kard-train', 'dist', 'cli.js');

test('kill -9 twice mid-run, then finish: the run folder is identical to an uninterrupted one', () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx nx run kard-train:build)`);
  const r = spawnSync(
    process.execPath,
    [
      'tools/chaos/kill-resume.mjs',
      '--kills',
      '2',
      '--per-run',
      '2',
      '--seed',
      '3',
      '--stage',
      'student',
      '--method',
      'ft',
      '--json',
    ],
    { cwd: root, encoding: 'utf8', timeout: 170000 },
  );
  if (r.status !== 0) throw new Error(`kill-resume.mjs exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const s = JSON.parse(r.stdout);
  expect(s.kills).toBe(2);
  expect(s.resumes).toBeGreaterThanOrEqual(2);
  expect(s.failedRestarts).toBe(0);
  expect(s.differences).toEqual([]);
  expect(s.identical).toBe(s.runs);
}, 180000);
