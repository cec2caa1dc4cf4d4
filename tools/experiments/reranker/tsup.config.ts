import { defineConfig } from 'tsup';

// Built over the packages' dist (they are external): `npx nx run-many -t build` first, then
// `npx tsup --config tools/experiments/reranker/tsup.config.ts` from the repository root.
export default defineConfig({
  entry: { cli: 'tools/experiments/reranker/src/cli.ts', index: 'tools/experiments/reranker/src/index.ts' },
  outDir: 'tools/experiments/reranker/dist',
  format: ['cjs', 'esm'],
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: [/^@kard\//, /^@tensorflow\//, 'commander'],
});
