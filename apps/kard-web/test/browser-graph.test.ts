// The browser-graph rule (tools/build/browser-graph.mjs) that the page's build and every package's browser entry
// run under: a Node built-in or a Node-only package reaching the graph fails the build with the importer named,
// and the real worker builds with the browser stubs in place of the Node-only files.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** esbuild with the plugin, in a child (the plugin is an ES module); the status, and the inputs or the errors. */
function build(entry: string): { status: number | null; out: string } {
  const code = `
    import * as esbuild from 'esbuild';
    import { browserGraph } from './tools/build/browser-graph.mjs';
    const r = await esbuild.build({ entryPoints: [${JSON.stringify(entry)}], bundle: true, write: false,
      platform: 'browser', format: 'esm', logLevel: 'silent', metafile: true,
      plugins: [browserGraph({ kard: 'source' })] }).catch((e) => { console.log(e.message); process.exit(3); });
    console.log(Object.keys(r.metafile.inputs).join('\\n'));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('a Node built-in in the graph fails the build, naming the file that imported it', () => {
  const r = build('apps/kard-web/test/fixtures/uses-fs.ts');
  expect(r.status).toBe(3);
  expect(r.out).toContain('apps/kard-web/test/fixtures/uses-fs.ts imports the Node built-in "node:fs"');
});

test('a Node-only package (an addon) fails the build', () => {
  const r = build('apps/kard-web/test/fixtures/uses-addon.ts');
  expect(r.status).toBe(3);
  expect(r.out).toContain('imports the Node-only package "webgpu"');
});

test('the worker builds, with the browser stubs in place of the folder readers and no Node-only file', () => {
  const r = build('apps/kard-web/src/worker.ts');
  expect(r.status).toBe(0);
  const inputs = r.out.split('\n');
  for (const stub of [
    'packages/retriever/src/sparse/bm25-storage.browser.ts',
    'packages/nn/src/backend/native-addon.browser.ts',
    'packages/reranker/src/io/save.browser.ts',
    'packages/reranker/src/inference/embedding-cache.browser.ts',
  ])
    expect(inputs).toContain(stub);
  for (const nodeOnly of [
    'packages/retriever/src/sparse/bm25-storage.ts',
    'packages/nn/src/backend/native-addon.ts',
    'packages/reranker/src/io/save.ts',
    'packages/student/src/pretrained.ts',
  ])
    expect(inputs).not.toContain(nodeOnly);
  expect(inputs.some((f) => f.includes('@huggingface/transformers') || f.includes('tfjs-node'))).toBe(false);
});
