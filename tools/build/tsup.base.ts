import type { Options } from 'tsup';

/** What every project's tsup build shares: CommonJS + ESM with .d.ts, import.meta/__dirname shims, Node 20. */
export const library: Options = {
  format: ['cjs', 'esm'],
  dts: true,
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
};

/** A command-line entry: one CommonJS file with a shebang, next to the library build. */
export function bin(entry: string[]): Options {
  return {
    entry,
    format: ['cjs'],
    shims: true,
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  };
}
