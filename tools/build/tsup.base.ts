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

/**
 * A package's browser entry (src/browser.ts -> dist/browser.mjs, ESM for browsers and workers): built under the
 * browser-graph rule (tools/build/browser-graph.mjs), so a Node built-in or native addon reaching it fails the build.
 */
export async function browserLibrary(): Promise<Options> {
  // @ts-expect-error -- a plain ES module shared with apps/kard-web's esbuild script, typed by its JSDoc
  const { browserGraph } = await import('./browser-graph.mjs');
  return {
    entry: { browser: 'src/browser.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    dts: { entry: { browser: 'src/browser.ts' } },
    sourcemap: true,
    clean: false,
    // tsup would leave @kard/x (a dependency) as it is; the plugin rewrites it to @kard/x/browser instead
    noExternal: [/^@kard\//],
    esbuildPlugins: [browserGraph({ kard: 'external' })],
  };
}
