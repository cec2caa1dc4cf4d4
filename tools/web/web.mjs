#!/usr/bin/env node
// `npm run web`: the demo run (runs/demo, made by `npm run demo`) as a web bundle in dist/kard-web-data, the page
// built into apps/kard-web/dist, and both served on localhost. Extra flags: --run DIR (another run folder),
// --port N (default 8080), --student kard|rd.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveKardWeb } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const runDir = path.resolve(root, arg('run', path.join('runs', 'demo')));
const data = path.join(root, 'dist', 'kard-web-data');

if (!fs.existsSync(path.join(runDir, 'run.json'))) {
  console.error(
    `kard-web: no trained run at ${path.relative(root, runDir) || runDir}. Train the demo first (npm run demo), ` +
      'or point at a trained run folder: npm run web -- --run runs/<name>',
  );
  process.exit(1);
}
const step = (what, cmd, args) => {
  console.log(`kard-web: ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step('building kard-train', 'npx', ['nx', 'run', 'kard-train:build', '--output-style=static']);
step(`exporting ${path.relative(root, runDir)} to ${path.relative(root, data)}`, process.execPath, [
  path.join(root, 'apps', 'kard-train', 'dist', 'cli.js'),
  'export-web',
  '--run',
  runDir,
  '--out',
  data,
  '--student',
  arg('student', 'kard'),
]);
step('building the page', process.execPath, [path.join(root, 'apps', 'kard-web', 'esbuild.config.mjs')]);
const server = await serveKardWeb({
  app: path.join(root, 'apps', 'kard-web', 'dist'),
  data,
  port: Number(arg('port', '8080')),
});
console.log(`kard-web: open ${server.url} (everything runs in your browser; Ctrl-C stops the server)`);
