import { defineConfig } from 'tsup';
import { browserLibrary, library } from '../../tools/build/tsup.base';

export default defineConfig(async () => [
  {
    ...library,
    // The library, the `kard-retriever` bin (dist/cli/main.js keeps its shebang), and the worker threads' entry
    // (dist/sparse/worker.js, found beside either bundle by worker-spawn.ts).
    entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts', 'sparse/worker': 'src/sparse/worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  },
  // @kard/retriever/browser: BM25 search over fetched index arrays, no Node built-ins
  await browserLibrary(),
]);
