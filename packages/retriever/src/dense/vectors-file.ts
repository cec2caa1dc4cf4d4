import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { VectorFormatError } from './errors';
import { readNpy } from './npy';

/** Rows of vectors with their docids (or query ids): row `i` is `data.subarray(i * dim, (i + 1) * dim)`. */
export interface VectorSet {
  ids: string[];
  dim: number;
  data: Float32Array;
}

export interface ReadVectorsOptions {
  /**
   * For `.npy` input: the ids file, one id per line in row order.
   * @default the vectors path with `.npy` replaced by `.ids.txt` (`emb.npy` -> `emb.ids.txt`)
   */
  idsFile?: string;
  /** Expected dimension; a mismatch is an error naming the file (and line). Default: taken from the file. */
  dim?: number;
}

/**
 * Reads vectors with their ids from either of the two formats the dense index accepts:
 * - `.npy`: a float32 array [n, dim] (`np.save`) plus an ids file with one id per line;
 * - JSON lines (any other name, e.g. `.jsonl`): one `{"id": "doc1", "vector": [0.1, ...]}` per line.
 */
export async function readVectorsFile(file: string, options: ReadVectorsOptions = {}): Promise<VectorSet> {
  if (!existsSync(file)) throw new VectorFormatError(file, 0, 'vectors file not found');
  const set = file.endsWith('.npy') ? await readNpyWithIds(file, options) : await readVectorsJsonl(file, options.dim);
  if (options.dim !== undefined && set.dim !== options.dim) {
    throw new VectorFormatError(file, 0, `vectors have dimension ${set.dim}, expected ${options.dim}`);
  }
  return set;
}

async function readNpyWithIds(file: string, options: ReadVectorsOptions): Promise<VectorSet> {
  const idsFile = options.idsFile ?? file.replace(/\.npy$/, '.ids.txt');
  const m = readNpy(file);
  if (!existsSync(idsFile)) {
    throw new VectorFormatError(idsFile, 0, `ids file for ${file} not found (one id per line, in row order)`);
  }
  const ids: string[] = [];
  for await (const { line, lineNo } of lines(idsFile)) {
    const id = line.trim();
    if (id === '') throw new VectorFormatError(idsFile, lineNo, 'empty id');
    ids.push(id);
  }
  if (ids.length !== m.rows) {
    throw new VectorFormatError(idsFile, 0, `${ids.length} ids for ${m.rows} vectors in ${file}`);
  }
  return { ids, dim: m.cols, data: m.data };
}

async function readVectorsJsonl(file: string, expectedDim?: number): Promise<VectorSet> {
  const ids: string[] = [];
  let dim = expectedDim ?? -1;
  let dimLine = 0;
  let data = new Float32Array(0);
  for await (const { line, lineNo } of lines(file)) {
    if (line.trim() === '') continue;
    const fail = (reason: string) => new VectorFormatError(file, lineNo, reason);
    let record: { id?: unknown; vector?: unknown };
    try {
      record = JSON.parse(line);
    } catch (err) {
      throw fail(`invalid JSON (${(err as Error).message})`);
    }
    const { id, vector } = record ?? {};
    if (typeof id !== 'string' && typeof id !== 'number') throw fail('missing "id" (a string)');
    if (!Array.isArray(vector)) throw fail('missing "vector" (an array of numbers)');
    if (dim < 0) {
      dim = vector.length;
      dimLine = lineNo;
    }
    if (vector.length !== dim) {
      const since = dimLine > 0 ? `line ${dimLine} has dimension ${dim}` : `expected dimension ${dim}`;
      throw fail(`vector has dimension ${vector.length}, ${since}`);
    }
    const row = ids.length;
    if ((row + 1) * dim > data.length) {
      const grown = new Float32Array(Math.max(1024, 2 * data.length, (row + 1) * dim));
      grown.set(data);
      data = grown;
    }
    for (let j = 0; j < dim; j++) {
      const v = vector[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(`vector[${j}] is not a finite number`);
      data[row * dim + j] = v;
    }
    ids.push(String(id));
  }
  if (ids.length === 0) throw new VectorFormatError(file, 0, 'no vectors in file');
  return { ids, dim, data: data.slice(0, ids.length * dim) };
}

async function* lines(file: string): AsyncGenerator<{ line: string; lineNo: number }> {
  const input = createReadStream(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) yield { line, lineNo: ++lineNo };
  } finally {
    rl.close();
    input.destroy();
  }
}
