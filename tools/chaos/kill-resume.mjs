#!/usr/bin/env node
// kill -9 at random points of `kard-train`, then let it finish: the run folder must hold exactly what an
// uninterrupted run writes (run-compare.cjs says what "exactly" leaves out, and why).
//
// One reference run, then runs in fresh folders: each is started, killed (SIGKILL, no chance to clean up) at a
// seeded random delay after its "start" log event, restarted, killed again... up to --per-run kills, then left
// to finish. Each finished run is compared with the reference. Repeats until --kills kills were delivered.
// A kill that comes too late (the process already finished) ends that run early: it is counted as a finish.
//
// Run (after `npx nx run-many -t build`):
//   node tools/chaos/kill-resume.mjs [--kills 20] [--per-run 5] [--seed 1] [--stage all] [--method ft,rd,kard] [--json]
// Exit 0 when every run is identical to the reference, 1 otherwise.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareRuns, EXCLUDED_FILES, VOLATILE_FIELDS } from './run-compare.cjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { Rng } = require('@kard/core');
const cli = path.join(root, 'apps/kard-train/dist/cli.js');
const config = path.join(root, 'packages/pipeline/test/fixtures/tiny.config.yaml');

const { values: opt } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    'per-run': { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    stage: { type: 'string', default: 'all' },
    method: { type: 'string' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const KILLS = Number(opt.kills);
const PER_RUN = Number(opt['per-run']);
const say = opt.json ? () => {} : (line) => process.stderr.write(`[chaos] ${line}\n`);

if (!fs.existsSync(cli)) {
  process.stderr.write(`${cli} is missing: build first (npx nx run kard-train:build)\n`);
  process.exit(2);
}

// A tiny config with a checkpoint every step (student and reranker) and a shared warm start, so kills land in
// checkpoint writes, stage outputs and marker writes as well as in training steps.
function args(runDir) {
  const a = [cli, opt.stage, '-c', config, '--run', runDir];
  if (opt.method) a.push('--method', opt.method);
  a.push('--student-steps', '4', '--student-base-steps', '2', '--student-checkpoint-every', '1');
  a.push('--reranker-max-steps', '3', '--reranker-checkpoint-every', '1');
  return a;
}

const logLines = (runDir) => {
  try {
    return fs.readFileSync(path.join(runDir, 'log.jsonl'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/**
 * Starts kard-train on `runDir`; with `killAfterMs`, SIGKILLs it that long after this process's "start" event.
 * Resolves to { killed, code, stderr }.
 */
function attempt(runDir, killAfterMs) {
  const before = logLines(runDir).length;
  const child = spawn(process.execPath, args(runDir), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let killed = false;
  let poll;
  let timer;
  if (killAfterMs !== undefined) {
    poll = setInterval(() => {
      if (
        !logLines(runDir)
          .slice(before)
          .some((l) => JSON.parse(l).event === 'start')
      )
        return;
      clearInterval(poll);
      timer = setTimeout(() => {
        killed = child.kill('SIGKILL');
      }, killAfterMs);
    }, 10);
  }
  return new Promise((resolve) =>
    // 'close', not 'exit': 'exit' can come before the last of stderr has been read
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ killed: killed && signal === 'SIGKILL', code, stderr });
    }),
  );
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-chaos-'));
const rng = new Rng(Number(opt.seed));
const started = Date.now();

say(`reference run (${opt.stage}${opt.method ? ` --method ${opt.method}` : ''})`);
const refDir = path.join(tmp, 'reference');
const t0 = Date.now();
const ref = await attempt(refDir);
if (ref.code !== 0) {
  process.stderr.write(`the reference run failed (exit ${ref.code}):\n${ref.stderr}\n`);
  process.exit(1);
}
const startTime = Date.parse(JSON.parse(logLines(refDir)[0]).time);
const workMs = Math.max(1, Date.now() - t0 - Math.max(0, startTime - t0));
say(`reference done in ${((Date.now() - t0) / 1000).toFixed(1)} s (work after start: ${(workMs / 1000).toFixed(1)} s)`);

const figures = { kills: 0, resumes: 0, runs: 0, identical: 0, failedRestarts: 0, differences: [] };
while (figures.kills < KILLS) {
  const runDir = path.join(tmp, `run-${figures.runs + 1}`);
  let finished = false;
  let killsHere = 0;
  // The work left in this run, roughly: each kill's delay is progress made (a resumed process redoes less).
  let remaining = workMs;
  while (!finished) {
    const kill = killsHere < PER_RUN && figures.kills < KILLS;
    const delay = kill ? Math.floor(rng.uniform() * 0.8 * remaining) : undefined;
    if (kill) remaining = Math.max(0.15 * workMs, remaining - delay);
    const r = await attempt(runDir, delay);
    if (killsHere > 0) figures.resumes++; // this attempt restarted a killed run
    if (r.killed) {
      killsHere++;
      figures.kills++;
      say(`run ${figures.runs + 1}: kill ${figures.kills} at +${delay} ms`);
    } else if (r.code === 0) {
      finished = true;
    } else {
      figures.failedRestarts++;
      say(
        `run ${figures.runs + 1}: exit ${r.code} after ${killsHere} kills:\n${r.stderr.split('\n').slice(-5).join('\n')}`,
      );
      break;
    }
  }
  figures.runs++;
  const diffs = finished ? compareRuns(refDir, runDir) : [{ file: '(run)', why: 'did not finish' }];
  if (diffs.length === 0) figures.identical++;
  else figures.differences.push({ run: runDir, kills: killsHere, diffs: diffs.slice(0, 10) });
  say(`run ${figures.runs}: ${killsHere} kills, ${diffs.length === 0 ? 'identical' : `${diffs.length} differences`}`);
}

const summary = {
  seed: Number(opt.seed),
  stage: opt.stage,
  kills: figures.kills,
  resumes: figures.resumes,
  runs: figures.runs,
  identical: figures.identical,
  failedRestarts: figures.failedRestarts,
  seconds: Math.round((Date.now() - started) / 100) / 10,
  excluded: { files: EXCLUDED_FILES, jsonFields: VOLATILE_FIELDS },
  differences: figures.differences,
};
if (opt.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else {
  console.log(
    `kills done: ${summary.kills}, resumes: ${summary.resumes}, runs: ${summary.runs}, runs identical: ${summary.identical}/${summary.runs}, failed restarts: ${summary.failedRestarts} (${summary.seconds} s)`,
  );
  for (const d of summary.differences) console.log(`  ${d.run} (${d.kills} kills): ${JSON.stringify(d.diffs)}`);
}
if (!opt.keep && summary.identical === summary.runs) fs.rmSync(tmp, { recursive: true, force: true });
else say(`run folders kept in ${tmp}`);
process.exit(summary.identical === summary.runs && summary.failedRestarts === 0 ? 0 : 1);
