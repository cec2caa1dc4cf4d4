// What a browser build gets for parallel-build.ts (package.json "browser" maps it here): worker threads and spill
// files are Node's, so `Bm25Index.build({ threads })` says so, and no Node built-in enters the bundle.
import type { Bm25Data } from './bm25-data';
import type { buildFromFiles as nodeBuildFromFiles, SegmentedBuildOptions } from './parallel-build';

export type { SegmentedBuildOptions };

export class BuildWorkerError extends Error {}

export function buildSegmented(_passages: unknown, _options: SegmentedBuildOptions): Promise<Bm25Data> {
  return Promise.reject(
    new Error(
      'Bm25Index.build with threads runs worker threads and spill files, which a browser has not: omit threads',
    ),
  );
}

export function buildFromFiles(..._args: Parameters<typeof nodeBuildFromFiles>): ReturnType<typeof nodeBuildFromFiles> {
  return Promise.reject(new Error('Bm25Index.buildFiles reads files, which a browser has not: use Bm25Index.build'));
}
