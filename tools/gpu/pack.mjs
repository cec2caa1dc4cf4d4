#!/usr/bin/env node
// Packs what tools/gpu/run.sh needs on a machine with a GPU but no Node and no network (the H200 box): this
// Node binary (xz), tools/bench/student bundled with @kard/* by esbuild, the node builds of the tfjs packages it
// loads at run time, Dawn's linux-x64 dawn.node (xz), Debian's Vulkan loader libvulkan.so.1, run.sh,
// torch_bench.py and compare.mjs.
// Everything stays under 64 MiB (checked). Run here after building: `node tools/gpu/pack.mjs [--out dir]`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opts } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, 'tmp/gpu-pack') },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log('Usage: node tools/gpu/pack.mjs [--out tmp/gpu-pack] [--no-build]');
  process.exit(0);
}
const LIMIT = 64 * 2 ** 20;
const out = path.resolve(opts.out);
const req = createRequire(path.join(root, 'package.json'));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const log = (m) => process.stderr.write(`[gpu-pack] ${m}\n`);

if (!opts['no-build']) run('npx', ['nx', 'run-many', '-t', 'build', '-p', '@kard/core', '@kard/nn', '@kard/student']);
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'app/node_modules'), { recursive: true });

// The bench and the built @kard/* (their dist, the code the tests' build makes) in one ES module; tfjs stays outside
// so the bundle and tfjs-backend-webgpu share one tfjs-core (each copy keeps its own kernel registry). tsconfigRaw
// {} keeps the root tsconfig's paths (@kard/* -> src) out, so every @kard/* resolves to one copy, its dist (the
// dist files bring their own __dirname/__filename shims). `require` is for the CommonJS modules esbuild wraps.
log('bundling tools/bench/student/bench.mjs');
const esbuild = req('esbuild');
const EXTERNAL = ['@tensorflow/*', 'webgpu'];
esbuild.buildSync({
  entryPoints: [path.join(root, 'tools/bench/student/bench.mjs')],
  outfile: path.join(out, 'app/bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  tsconfigRaw: {},
  banner: {
    js:
      "import { createRequire as __kardCreateRequire } from 'node:module';" +
      'const require = __kardCreateRequire(import.meta.url);',
  },
  logLevel: 'warning',
});

// Runtime packages: their package.json and the Node build each `main` names, plus their own dependencies.
function copyPackage(name, files) {
  const dir = path.join(root, 'node_modules', name); // hoisted by npm workspaces
  const dest = path.join(out, 'app/node_modules', name);
  mkdirSync(dest, { recursive: true });
  for (const f of ['package.json', ...files]) {
    mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    cpSync(path.join(dir, f), path.join(dest, f), { recursive: true });
  }
}
copyPackage('@tensorflow/tfjs-core', ['dist/tf-core.node.js']);
copyPackage('@tensorflow/tfjs-backend-cpu', ['dist/tf-backend-cpu.node.js']);
copyPackage('@tensorflow/tfjs-backend-webgpu', ['dist/tf-backend-webgpu.node.js']);
// @kard/nn imports the `@tensorflow/tfjs` umbrella for its side effect: its node build registers every gradient
// into the shared tfjs-core (tfjs-core's CommonJS build registers none). It requires the other tfjs packages at
// load time, so their node builds come too (about 5 MiB in all); nothing else of theirs is used.
copyPackage('@tensorflow/tfjs', ['dist/tf.node.js']);
copyPackage('@tensorflow/tfjs-layers', ['dist/tf-layers.node.js']);
copyPackage('@tensorflow/tfjs-converter', ['dist/tf-converter.node.js']);
copyPackage('@tensorflow/tfjs-data', ['dist/tf-data.node.js']);
copyPackage('@tensorflow/tfjs-backend-webgl', ['dist/tf-backend-webgl.node.js']);
// Their own dependencies, whole (under 1 MiB each), where npm put them: tfjs-core's long 4 and node-fetch (lazy),
// the umbrella's long 5, seedrandom.
for (const dep of [
  '@tensorflow/tfjs-core/node_modules/long',
  '@tensorflow/tfjs-core/node_modules/node-fetch',
  'long',
  'seedrandom',
])
  cpSync(path.join(root, 'node_modules', dep), path.join(out, 'app/node_modules', dep), { recursive: true });
// webgpu: only its package.json (for the path) and linux-x64 Dawn, compressed; run.sh unpacks it.
copyPackage('webgpu', []);
const dawn = path.join(root, 'node_modules/webgpu/dist/linux-x64/dawn.node');
mkdirSync(path.join(out, 'app/node_modules/webgpu/dist/linux-x64'), { recursive: true });
const xz = (src, dest) => writeFileSync(dest, execFileSync('xz', ['-6', '-T0', '-c', src], { maxBuffer: 2 ** 30 }));
log('compressing dawn.node and node (xz -6: a minute or two)');
xz(dawn, path.join(out, 'app/node_modules/webgpu/dist/linux-x64/dawn.node.xz'));
mkdirSync(path.join(out, 'bin'), { recursive: true });
xz(process.execPath, path.join(out, 'bin/node.xz'));

// Debian's Vulkan loader (libvulkan1); the GPU machine brings the driver (its ICD) itself.
const loader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/chromium/libvulkan.so.1'].find(existsSync);
if (!loader) throw new Error('no libvulkan.so.1: install libvulkan1 (tools/setup/setup.sh does)');
mkdirSync(path.join(out, 'lib'), { recursive: true });
copyFileSync(loader, path.join(out, 'lib/libvulkan.so.1'));

for (const f of ['run.sh', 'torch_bench.py', 'compare.mjs'])
  copyFileSync(path.join(root, 'tools/gpu', f), path.join(out, f));

function size(p) {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((a, n) => a + size(path.join(p, n)), 0) : s.size;
}
const total = size(out);
log(`${out}: ${(total / 2 ** 20).toFixed(1)} MiB`);
if (total > LIMIT) throw new Error(`the pack is ${(total / 2 ** 20).toFixed(1)} MiB, over 64 MiB`);
