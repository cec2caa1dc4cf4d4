import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexedText, type Passage } from '@kard/knowledge-base';
import type { Hit, Retriever } from '../types';
import { createProgress, writeDirAtomic } from '@kard/core';
import { IndexFormatError } from '../sparse/errors';
import { normalizeInPlace, type Embedder } from './embedder';
import { DimensionMismatchError } from './errors';
import { loadFaiss, type FaissIndex } from './faiss';
import { readHnswParams, writeHnswParams } from './hnsw-params';
import {
  DENSE_FORMAT,
  DENSE_INDEX_OWNER,
  DENSE_FORMAT_VERSION,
  IDS_FILE,
  INDEX_FILE,
  MANIFEST_FILE,
  readDenseManifest,
  type DenseManifest,
} from './manifest';
import { readVectorsFile, type ReadVectorsOptions } from './vectors-file';

/** `ip`: raw inner product. `cosine`: stored and query vectors are L2-normalised, so the score is the cosine. */
export type DenseMetric = 'ip' | 'cosine';

/** HNSW graph parameters (faiss `IndexHNSWFlat`). */
export interface HnswOptions {
  /** Neighbours per node (faiss's M); more is more accurate, bigger and slower to build. @default 32 */
  m?: number;
  /** Candidate list size while building. @default 40 (faiss's default) */
  efConstruction?: number;
  /** Candidate list size while searching; must be >= k to return k hits. @default 128 */
  efSearch?: number;
}

export interface DenseIndexOptions {
  /** Vector dimension. */
  dim: number;
  /** @default 'ip' */
  metric?: DenseMetric;
  /** `flat`: exact search (faiss `IndexFlatIP`). `hnsw`: approximate graph search. @default 'flat' */
  type?: 'flat' | 'hnsw';
  /** Only for `type: 'hnsw'`. */
  hnsw?: HnswOptions;
  /** Turns text queries (and passages) into vectors; needed for `search(text)`. */
  embedder?: Embedder;
}

export interface AddPassagesOptions {
  /** Texts per `embed` call. @default 32 */
  batchSize?: number;
  /** The text a passage is embedded as. @default indexedText (title + "\n" + text) */
  passageText?: (p: Passage) => string;
  /** Passage count, for a bar with an ETA. */
  total?: number;
  /** `true` forces a progress bar on stderr, `false` hides it; default: shown when stderr is a TTY. */
  progress?: boolean;
}

/** A query: text (embedded with the index's embedder) or a vector of length `dim`. */
export type DenseQuery = string | ArrayLike<number>;

// Rows per call into faiss-node, which takes plain JS arrays: bounds the temporary array's memory.
const ROWS_PER_CALL = 4096;

/**
 * Dense retrieval on faiss: vectors with string docids, exact (flat) or HNSW, inner product or cosine.
 * With an embedder it is a {@link Retriever}: `search(queryText, k)` returns ranked `Hit`s.
 *
 * @example
 * const index = new DenseIndex({ dim: 768, metric: 'cosine', embedder });
 * await index.addPassages(passages);
 * const hits = await index.search('who wrote hamlet', 10);
 */
export class DenseIndex implements Retriever {
  readonly dim: number;
  readonly metric: DenseMetric;
  readonly type: 'flat' | 'hnsw';
  readonly m?: number;
  readonly efConstruction?: number;
  embedder?: Embedder;
  private faiss: FaissIndex;
  private hnswEfSearch?: number;
  private readonly ids: string[] = [];
  private readonly idSet = new Set<string>();

  constructor(options: DenseIndexOptions) {
    const { dim, metric = 'ip', type = 'flat', embedder } = options;
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    if (metric !== 'ip' && metric !== 'cosine') throw new RangeError(`metric must be 'ip' or 'cosine', got ${metric}`);
    if (embedder && embedder.dim !== dim) throw new DimensionMismatchError(dim, embedder.dim, 'embedder');
    this.dim = dim;
    this.metric = metric;
    this.type = type;
    this.embedder = embedder;
    const faiss = loadFaiss();
    if (type === 'flat') {
      this.faiss = new faiss.IndexFlatIP(dim);
    } else if (type === 'hnsw') {
      const { m = 32, efConstruction = 40, efSearch = 128 } = options.hnsw ?? {};
      for (const [name, v] of Object.entries({ m, efConstruction, efSearch })) {
        if (!Number.isInteger(v) || v <= 0) throw new RangeError(`hnsw.${name} must be a positive integer, got ${v}`);
      }
      this.m = m;
      this.efConstruction = efConstruction;
      this.hnswEfSearch = efSearch;
      const empty = faiss.Index.fromFactory(dim, `HNSW${m}`, faiss.MetricType.METRIC_INNER_PRODUCT);
      const buf = empty.toBuffer();
      writeHnswParams(buf, { efConstruction, efSearch });
      this.faiss = faiss.Index.fromBuffer(buf);
    } else {
      throw new RangeError(`type must be 'flat' or 'hnsw', got ${type}`);
    }
  }

  /** Number of vectors indexed. */
  get size(): number {
    return this.ids.length;
  }

  /** HNSW search breadth (undefined for flat). */
  get efSearch(): number | undefined {
    return this.hnswEfSearch;
  }

  /** Changes HNSW's search breadth. It costs a copy of the index (faiss-node has no setter), so set it once. */
  set efSearch(ef: number | undefined) {
    if (this.type !== 'hnsw' || ef === undefined) throw new Error('efSearch applies to HNSW indexes only');
    if (!Number.isInteger(ef) || ef <= 0) throw new RangeError(`efSearch must be a positive integer, got ${ef}`);
    const buf = this.faiss.toBuffer();
    writeHnswParams(buf, { efSearch: ef });
    this.faiss = loadFaiss().Index.fromBuffer(buf);
    this.hnswEfSearch = ef;
  }

  /**
   * Adds vectors under the given docids: `vectors` is one vector per id, or all rows back to back in one
   * Float32Array. Ids must be new, non-empty and free of line breaks.
   */
  add(ids: readonly string[], vectors: readonly ArrayLike<number>[] | Float32Array): void {
    const data = this.packRows(vectors, ids.length, (i) => `vector ${i} (id ${JSON.stringify(ids[i])})`);
    const seen = new Set<string>();
    for (const id of ids) {
      if (typeof id !== 'string' || id === '' || /[\r\n]/.test(id)) {
        throw new TypeError(`docids must be non-empty strings without line breaks, got ${JSON.stringify(id)}`);
      }
      if (this.idSet.has(id) || seen.has(id)) throw new Error(`duplicate docid ${JSON.stringify(id)}`);
      seen.add(id);
    }
    this.addRows(data);
    for (const id of ids) {
      this.ids.push(id);
      this.idSet.add(id);
    }
  }

  /** Embeds passages in batches with `embedder` (default: the index's) and adds them under their ids. */
  async addPassages(
    passages: Iterable<Passage> | AsyncIterable<Passage>,
    options: AddPassagesOptions & { embedder?: Embedder } = {},
  ): Promise<void> {
    const embedder = options.embedder ?? this.embedder;
    if (!embedder) throw new Error('addPassages needs an embedder (in the options or the index)');
    if (embedder.dim !== this.dim) throw new DimensionMismatchError(this.dim, embedder.dim, 'embedder');
    const { batchSize = 32, passageText = indexedText } = options;
    const bar = createProgress({ label: 'embedding', total: options.total, unit: 'passages', show: options.progress });
    let batch: Passage[] = [];
    const flush = async () => {
      const vectors = await embedder.embed(batch.map(passageText));
      if (vectors.length !== batch.length) {
        throw new Error(`embedder returned ${vectors.length} vectors for ${batch.length} texts`);
      }
      this.add(
        batch.map((p) => p.id),
        vectors,
      );
      bar.increment(batch.length);
      batch = [];
    };
    try {
      for await (const p of passages) {
        batch.push(p);
        if (batch.length >= batchSize) await flush();
      }
      if (batch.length > 0) await flush();
    } finally {
      bar.stop();
    }
  }

  /** Builds an index from a `.npy` + ids file or a JSONL `{id, vector}` file (see {@link readVectorsFile}). */
  static async fromVectorsFile(
    file: string,
    options: Omit<DenseIndexOptions, 'dim'> & { dim?: number; ids?: ReadVectorsOptions['idsFile'] } = {},
  ): Promise<DenseIndex> {
    const set = await readVectorsFile(file, { idsFile: options.ids, dim: options.dim ?? options.embedder?.dim });
    const index = new DenseIndex({ ...options, dim: set.dim });
    index.add(set.ids, set.data);
    return index;
  }

  /** Exact vector search, synchronous: one ranked list per query vector (flat rows or one array each). */
  searchVectors(queries: readonly ArrayLike<number>[] | Float32Array, k = 10): Hit[][] {
    const nq = queries instanceof Float32Array ? queries.length / this.dim : queries.length;
    if (!Number.isInteger(nq)) {
      throw new DimensionMismatchError(this.dim, queries.length, `flat query array of length ${queries.length}`);
    }
    const data = this.packRows(queries, nq, (i) => `query ${i}`);
    const kk = Math.min(k, this.size);
    const out: Hit[][] = [];
    for (let q0 = 0; q0 < nq; q0 += ROWS_PER_CALL) {
      const q1 = Math.min(nq, q0 + ROWS_PER_CALL);
      if (kk <= 0) {
        for (let q = q0; q < q1; q++) out.push([]);
        continue;
      }
      const { distances, labels } = this.faiss.search(Array.from(data.subarray(q0 * this.dim, q1 * this.dim)), kk);
      for (let q = 0; q < q1 - q0; q++) {
        const hits: Hit[] = [];
        for (let j = 0; j < kk; j++) {
          const label = labels[q * kk + j];
          if (label < 0) break; // HNSW found fewer than k
          hits.push({ id: this.ids[label], score: distances[q * kk + j], rank: hits.length + 1 });
        }
        out.push(hits);
      }
    }
    return out;
  }

  /** Top `k` hits for a text (needs an embedder) or a vector. */
  async search(query: DenseQuery, k = 10): Promise<Hit[]> {
    return (await this.searchBatch([query], k))[0];
  }

  /** Top `k` hits for each query; texts are embedded in one `embed` call. */
  async searchBatch(queries: readonly DenseQuery[], k = 10): Promise<Hit[][]> {
    const texts = queries.filter((q): q is string => typeof q === 'string');
    let embedded: Float32Array[] = [];
    if (texts.length > 0) {
      if (!this.embedder) throw new Error('text queries need an embedder: pass one to the DenseIndex or to load()');
      embedded = await this.embedder.embed(texts);
    }
    let t = 0;
    return this.searchVectors(
      queries.map((q) => (typeof q === 'string' ? embedded[t++] : q)),
      k,
    );
  }

  /**
   * Writes the index to `dir` (manifest.json, index.faiss, ids.txt) atomically: temp folder, then rename. An
   * existing `dir` that is not empty and not a dense index folder is refused (OutputExistsError) unless `overwrite`.
   */
  async save(dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const manifest: DenseManifest = {
      format: DENSE_FORMAT,
      version: DENSE_FORMAT_VERSION,
      type: this.type,
      metric: this.metric,
      dim: this.dim,
      size: this.size,
      ...(this.type === 'hnsw'
        ? { hnsw: { m: this.m!, efConstruction: this.efConstruction!, efSearch: this.efSearch! } }
        : {}),
      files: { index: INDEX_FILE, ids: IDS_FILE },
    };
    await writeDirAtomic(
      dir,
      (tmp) => {
        this.faiss.write(join(tmp, INDEX_FILE));
        writeFileSync(join(tmp, IDS_FILE), this.ids.length > 0 ? this.ids.join('\n') + '\n' : '');
        writeFileSync(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
      },
      { ...DENSE_INDEX_OWNER, overwrite: options.overwrite },
    );
  }

  /** Reads a folder written by {@link save}; `efSearch` overrides the saved HNSW search breadth. */
  static load(dir: string, options: { embedder?: Embedder; efSearch?: number } = {}): DenseIndex {
    const m = readDenseManifest(dir);
    const ids = readFileSync(join(dir, m.files.ids), 'utf8').split('\n');
    ids.pop(); // the final newline
    if (ids.length !== m.size) {
      throw new IndexFormatError(dir, `${m.files.ids} has ${ids.length} ids, the manifest says ${m.size}`);
    }
    const index = new DenseIndex({ dim: m.dim, metric: m.metric, type: m.type, hnsw: m.hnsw, ...options });
    const faiss = loadFaiss();
    let stored: FaissIndex;
    try {
      const buf = readFileSync(join(dir, m.files.index));
      if (m.type === 'hnsw') {
        if (options.efSearch !== undefined) writeHnswParams(buf, { efSearch: options.efSearch });
        index.hnswEfSearch = readHnswParams(buf).efSearch;
      }
      stored = faiss.Index.fromBuffer(buf);
    } catch (err) {
      throw new IndexFormatError(dir, `${m.files.index} is not a readable faiss index`, { cause: err });
    }
    if (stored.getDimension() !== m.dim || stored.ntotal() !== m.size) {
      throw new IndexFormatError(
        dir,
        `${m.files.index} holds ${stored.ntotal()} vectors of dimension ${stored.getDimension()}, ` +
          `the manifest says ${m.size} of dimension ${m.dim}`,
      );
    }
    index.faiss = stored;
    for (const id of ids) {
      index.ids.push(id);
      index.idSet.add(id);
    }
    return index;
  }

  /** Validates dimensions and copies rows into one Float32Array, normalised when the metric is cosine. */
  private packRows(rows: readonly ArrayLike<number>[] | Float32Array, n: number, where: (i: number) => string) {
    const d = this.dim;
    let data: Float32Array;
    if (rows instanceof Float32Array) {
      if (rows.length !== n * d) throw new DimensionMismatchError(d, rows.length / Math.max(n, 1), `${n} packed rows`);
      data = new Float32Array(rows);
    } else {
      if (rows.length !== n) throw new Error(`${n} ids but ${rows.length} vectors`);
      data = new Float32Array(n * d);
      rows.forEach((v, i) => {
        if (v.length !== d) throw new DimensionMismatchError(d, v.length, where(i));
        data.set(v, i * d);
      });
    }
    if (this.metric === 'cosine') for (let i = 0; i < n; i++) normalizeInPlace(data, i * d, d);
    return data;
  }

  private addRows(data: Float32Array): void {
    const rowsTotal = data.length / this.dim;
    for (let r0 = 0; r0 < rowsTotal; r0 += ROWS_PER_CALL) {
      const r1 = Math.min(rowsTotal, r0 + ROWS_PER_CALL);
      this.faiss.add(Array.from(data.subarray(r0 * this.dim, r1 * this.dim)));
    }
  }
}
