import { defineConfig } from 'tsup';
import { library } from '../../tools/build/tsup.base';

export default defineConfig({
  ...library,
  entry: ['src/index.ts'],
});
