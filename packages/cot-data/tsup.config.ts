import { defineConfig } from 'tsup';
import { library } from '../../tools/build/tsup.base';

export default defineConfig({
  ...library,
  // The library, and the `kard-cot` bin (dist/cli/main.js keeps its shebang).
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  dts: { entry: { index: 'src/index.ts' } },
});
