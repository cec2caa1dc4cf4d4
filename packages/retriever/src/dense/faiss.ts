import { createRequire } from 'node:module';
import { MissingDependencyError } from './errors';

/** The part of a faiss-node `Index` this package uses (typed here so faiss-node stays an optional peer). */
export interface FaissIndex {
  ntotal(): number;
  getDimension(): number;
  add(x: number[]): void;
  search(x: number[], k: number): { distances: number[]; labels: number[] };
  write(fname: string): void;
  toBuffer(): Buffer;
}

/** The part of the faiss-node module this package uses. */
export interface FaissModule {
  IndexFlatIP: new (d: number) => FaissIndex;
  Index: {
    read(fname: string): FaissIndex;
    fromBuffer(src: Buffer): FaissIndex;
    fromFactory(d: number, descriptor: string, metric?: number): FaissIndex;
  };
  MetricType: { METRIC_INNER_PRODUCT: number };
}

const HOW_TO_GET_FAISS =
  'Install it with `npm install faiss-node` (its install script downloads a prebuilt binary from GitHub and must ' +
  'be allowed to run), or inside the KARD-TS repository run `bash tools/setup/steps/10-faiss-node.sh`, which ' +
  "builds it offline from Debian's libfaiss-dev (see @kard/retriever's docs/faiss.md).";

let cached: FaissModule | undefined;

/**
 * Loads faiss-node on first use, so BM25-only users never need the native addon. `req` is for tests.
 * createRequire works in both builds: tsup's shims give the ESM build a __filename.
 */
export function loadFaiss(req: (id: string) => unknown = createRequire(__filename)): FaissModule {
  if (cached) return cached;
  try {
    cached = req('faiss-node') as FaissModule;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'MODULE_NOT_FOUND' && /faiss-node'/.test(String((err as Error).message))
        ? 'faiss-node is not installed'
        : `faiss-node is installed but its native addon does not load (${(err as Error).message.split('\n')[0]})`;
    throw new MissingDependencyError('faiss-node', `DenseIndex needs faiss-node: ${what}. ${HOW_TO_GET_FAISS}`, {
      cause: err,
    });
  }
  return cached;
}
