import { defineConfig } from 'tsup';

export default defineConfig({
  // The library, and the `kard-cot` bin (dist/cli/main.js keeps its shebang).
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['cjs', 'esm'],
  dts: { entry: { index: 'src/index.ts' } },
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
