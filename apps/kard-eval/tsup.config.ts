import { defineConfig } from 'tsup';
import { bin, library } from '../../tools/build/tsup.base';

export default defineConfig([{ ...library, entry: ['src/index.ts'] }, bin(['src/cli.ts'])]);
