// What a browser build gets for parallel-build.ts (package.json "browser" maps it here): worker threads and spill
// files are Node's, so `Bm25Index.build({ threads })` says so, and no Node built-in enters the bundle.
import type { Bm25Data } from './bm25-data';
import type { SegmentedBuildOptions } from './parallel-build';

export type { SegmentedBuildOptions };

export class BuildWorkerError extends Error {}

export function buildSegmented(_passages: unknown, _options: SegmentedBuildOptions): Promise<Bm25Data> {
  return Promise.reject(
    new Error(
      'Bm25Index.build with threads runs worker threads and spill files, which a browser has not: omit threads',
    ),
  );
}
