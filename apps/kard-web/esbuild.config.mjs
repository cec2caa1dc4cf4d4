// Builds the static page into dist/: index.html + style.css, main.js (the page), worker.js (inference), sw.js (the
// offline cache), and wasm/ (tfjs-backend-wasm's binaries, served by the page's own origin). esbuild, not Vite:
// the app is one static page and two workers with no dev-server needs, esbuild is already the repository's
// bundler underneath tsup, and it adds no dependency. The browser-graph plugin makes the build fail if a Node
// built-in, a native addon or a Node-only package reaches the page (tools/build/browser-graph.mjs).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { browserGraph } from '../../tools/build/browser-graph.mjs';

const here = import.meta.dirname;
const out = path.join(here, 'dist');
const wasmDir = path.dirname(
  (await import('node:module')).createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'),
);

/** Builds the app into `outDir` (default apps/kard-web/dist); returns esbuild's metafile. */
export async function buildKardWeb(outDir = out, { minify = true } = {}) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'wasm'), { recursive: true });
  const result = await esbuild.build({
    entryPoints: {
      main: path.join(here, 'src/main.ts'),
      worker: path.join(here, 'src/worker.ts'),
      sw: path.join(here, 'src/sw.ts'),
    },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [browserGraph({ kard: 'source' })],
  });
  for (const f of ['index.html', 'style.css']) fs.copyFileSync(path.join(here, 'src', f), path.join(outDir, f));
  for (const f of fs.readdirSync(path.join(wasmDir, 'dist')).filter((n) => n.endsWith('.wasm')))
    fs.copyFileSync(path.join(wasmDir, 'dist', f), path.join(outDir, 'wasm', f));
  return result.metafile;
}

if (process.argv[1] === import.meta.filename) {
  const started = Date.now();
  const meta = await buildKardWeb();
  const sizes = Object.entries(meta.outputs)
    .filter(([f]) => f.endsWith('.js'))
    .map(([f, o]) => `${path.basename(f)} ${(o.bytes / 1024).toFixed(0)} KiB`);
  console.log(
    `kard-web: built ${path.relative(process.cwd(), out)} in ${Date.now() - started} ms (${sizes.join(', ')})`,
  );
}
