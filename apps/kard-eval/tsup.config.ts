import { defineConfig } from 'tsup';

export default defineConfig([
  { entry: ['src/index.ts'], format: ['cjs', 'esm'], dts: true, shims: true, sourcemap: true, clean: true, target: 'node20' },
  { entry: ['src/cli.ts'], format: ['cjs'], shims: true, sourcemap: true, target: 'node20', banner: { js: '#!/usr/bin/env node' } },
]);
