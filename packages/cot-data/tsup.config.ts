import { defineConfig } from 'tsup';
import { browserLibrary, library } from '../../tools/build/tsup.base';

export default defineConfig(async () => [
  {
    ...library,
    // The library, and the `kard-cot` bin (dist/cli/main.js keeps its shebang).
    entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
    dts: { entry: { index: 'src/index.ts' } },
  },
  // @kard/cot-data/browser: the browser-safe part (src/browser.ts), no Node built-ins
  await browserLibrary(),
]);
