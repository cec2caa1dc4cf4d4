import { defineConfig } from 'tsup';
import { browserLibrary, library } from '../../tools/build/tsup.base';

export default defineConfig(async () => [
  {
    ...library,
    entry: ['src/index.ts', 'src/cli.ts'],
  },
  // @kard/student/browser: the browser-safe part (src/browser.ts), no Node built-ins
  await browserLibrary(),
]);
