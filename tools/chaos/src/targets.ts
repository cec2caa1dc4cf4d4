// The readers the fuzz attacks: for each, a valid input, how to read it the way a caller would, and what a valid
// result of (possibly mutated) bytes looks like. The line formats have a reference parser written from the
// format's definition: a result must equal it, so a reader that drops or garbles lines is caught.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readPassages, PassageStore, type Passage } from '@kard/knowledge-base';
import { Bm25Index, readQrels, readRun, readTopics } from '@kard/retriever';
import { initBackend, readSafetensors, writeSafetensors } from '@kard/nn';
import {
  BertEncoder,
  ColbertModel,
  loadRerankerFolder,
  RerankerEnsemble,
  saveReranker,
  smallBertConfig,
  writeEnsembleFile,
} from '@kard/reranker';

export interface FuzzTarget {
  name: string;
  /** Writes the valid input under `dir`; returns the file to mutate and the path handed to `read`. */
  setup(dir: string): Promise<{ file: string; open: string }>;
  /** Reads (and uses) the input as a caller would; the value is compared with the valid input's. */
  read(open: string): Promise<unknown>;
  /** Why `result` is not a valid reading of `bytes` (the mutated file), or undefined when it is one. */
  check(result: unknown, bytes: Buffer): string | undefined;
  /** Byte flips fall in [0, hot(valid)) four times in five (e.g. a safetensors header); default: anywhere. */
  hot?(valid: Buffer): number;
}

const UNICODE = ['Genghis Khan', 'Zürich', 'naïve café', '東京都', 'emoji 🙂 here', 'tab-free'];

function passages(n: number): Passage[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    title: UNICODE[i % UNICODE.length],
    text: `${UNICODE[(i + 2) % UNICODE.length]} passage ${i} about the mongol empire and ${i * 7} horses.`,
  }));
}

async function collect(open: string): Promise<Passage[]> {
  const out: Passage[] = [];
  for await (const p of readPassages(open)) out.push(p);
  return out;
}

const nonBlank = (text: string) => text.split('\n').filter((l) => l.replace(/\r$/, '').trim() !== '');

/** A passage list is a valid reading when it has one passage per non-blank line, each well formed. */
function checkPassages(result: unknown, text: string, header = false): string | undefined {
  const ps = result as Passage[];
  let lines = nonBlank(text).length;
  if (header && /^id\ttext\ttitle\r?$/.test(nonBlank(text)[0] ?? '')) lines--;
  if (ps.length !== lines) return `${ps.length} passages from ${lines} non-blank lines`;
  for (const p of ps) {
    if (typeof p.id !== 'string' || p.id === '') return `bad id ${JSON.stringify(p.id)}`;
    if (typeof p.text !== 'string') return `bad text in ${p.id}`;
    if (p.title !== undefined && (typeof p.title !== 'string' || p.title === '')) return `bad title in ${p.id}`;
  }
  return undefined;
}

const jsonl: FuzzTarget = {
  name: 'passages.jsonl',
  async setup(dir) {
    const file = path.join(dir, 'corpus.jsonl');
    fs.writeFileSync(
      file,
      passages(8)
        .map((p) => JSON.stringify(p) + '\n')
        .join(''),
    );
    return { file, open: file };
  },
  read: collect,
  check: (r, bytes) => checkPassages(r, bytes.toString('utf8')),
};

const jsonlGz: FuzzTarget = {
  name: 'passages.jsonl.gz',
  async setup(dir) {
    const file = path.join(dir, 'corpus.jsonl.gz');
    fs.writeFileSync(
      file,
      zlib.gzipSync(
        passages(8)
          .map((p) => JSON.stringify(p) + '\n')
          .join(''),
      ),
    );
    return { file, open: file };
  },
  read: collect,
  check(r, bytes) {
    // without the magic bytes (e.g. truncated to 0 or 1 byte) the file is read as plain text
    if (!(bytes[0] === 0x1f && bytes[1] === 0x8b)) return checkPassages(r, bytes.toString('utf8'));
    let text: string;
    try {
      text = zlib.gunzipSync(bytes).toString('utf8');
    } catch (err) {
      return `a result from gzip bytes that do not decompress (${(err as Error).message})`;
    }
    return checkPassages(r, text);
  },
};

const dprTsv: FuzzTarget = {
  name: 'passages.tsv (DPR)',
  async setup(dir) {
    const file = path.join(dir, 'psgs.tsv');
    const rows = passages(8).map((p) => `${p.id}\t"${p.text.replace(/"/g, '""')}"\t${p.title}\n`);
    fs.writeFileSync(file, 'id\ttext\ttitle\n' + rows.join(''));
    return { file, open: file };
  },
  read: collect,
  check: (r, bytes) => checkPassages(r, bytes.toString('utf8'), true),
};

/** Reference parsers of the TREC files, from their definitions; they throw on a malformed line. */
const lines = (bytes: Buffer) => bytes.toString('utf8').split(/\r?\n/);

function referenceTopics(bytes: Buffer) {
  return lines(bytes)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const tab = l.indexOf('\t');
      if (tab <= 0) throw new Error('malformed');
      return { qid: l.slice(0, tab), query: l.slice(tab + 1) };
    });
}

function referenceTable(bytes: Buffer, fields: number, check: (f: string[]) => boolean) {
  return lines(bytes)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.trim().split(/\s+/);
      if (f.length !== fields || !check(f)) throw new Error('malformed');
      return f;
    });
}

function sameAsReference(result: unknown, reference: () => unknown): string | undefined {
  let want: unknown;
  try {
    want = reference();
  } catch {
    return 'a result from bytes the format does not allow';
  }
  return JSON.stringify(result) === JSON.stringify(want) ? undefined : 'differs from the reference parse';
}

const topics: FuzzTarget = {
  name: 'topics.tsv',
  async setup(dir) {
    const file = path.join(dir, 'topics.tsv');
    fs.writeFileSync(
      file,
      passages(6)
        .map((p, i) => `q${i}\t${p.text}\n`)
        .join(''),
    );
    return { file, open: file };
  },
  read: async (open) => readTopics(open),
  check: (r, bytes) => sameAsReference(r, () => referenceTopics(bytes)),
};

const qrels: FuzzTarget = {
  name: 'qrels.txt',
  async setup(dir) {
    const file = path.join(dir, 'qrels.txt');
    const rows = [];
    for (let q = 0; q < 4; q++) for (let d = 0; d < 3; d++) rows.push(`q${q} 0 p${q * 3 + d} ${(q + d) % 3}\n`);
    fs.writeFileSync(file, rows.join(''));
    return { file, open: file };
  },
  read: async (open) => [...readQrels(open)].map(([q, m]) => [q, [...m]]),
  check: (r, bytes) =>
    sameAsReference(r, () => {
      const m = new Map<string, Map<string, number>>();
      for (const f of referenceTable(bytes, 4, (f) => Number.isInteger(Number(f[3])))) {
        if (!m.has(f[0])) m.set(f[0], new Map());
        m.get(f[0])!.set(f[2], Number(f[3]));
      }
      return [...m].map(([q, d]) => [q, [...d]]);
    }),
};

const run: FuzzTarget = {
  name: 'run.trec',
  async setup(dir) {
    const file = path.join(dir, 'run.trec');
    const rows = [];
    for (let q = 0; q < 3; q++)
      for (let r = 1; r <= 4; r++) rows.push(`q${q} Q0 p${q * 4 + r} ${r} ${(10 / r).toFixed(6)} bm25\n`);
    fs.writeFileSync(file, rows.join(''));
    return { file, open: file };
  },
  read: async (open) => [...readRun(open)],
  check: (r, bytes) =>
    sameAsReference(r, () => {
      const m = new Map<string, Array<{ docid: string; score: number; rank: number }>>();
      const ok = (f: string[]) => Number.isInteger(Number(f[3])) && Number.isFinite(Number(f[4]));
      for (const f of referenceTable(bytes, 6, ok)) {
        if (!m.has(f[0])) m.set(f[0], []);
        m.get(f[0])!.push({ docid: f[2], score: Number(f[4]), rank: Number(f[3]) });
      }
      return [...m];
    }),
};

const safetensors: FuzzTarget = {
  name: 'model.safetensors',
  async setup(dir) {
    const file = path.join(dir, 'model.safetensors');
    writeSafetensors(file, {
      'encoder.weight': { shape: [3, 4], values: Float32Array.from({ length: 12 }, (_, i) => i / 4) },
      'encoder.bias': { shape: [4], values: new Float32Array([1, -1, 0.5, 2]), dtype: 'F16' },
      position_ids: { shape: [1, 5], values: new Int32Array([0, 1, 2, 3, 4]), dtype: 'I64' },
    });
    return { file, open: file };
  },
  read: async (open) => {
    const { tensors, metadata } = readSafetensors(open);
    return { metadata, tensors: [...tensors].map(([n, t]) => [n, t.dtype, t.shape, Array.from(t.values)]) };
  },
  check(r) {
    const { tensors, metadata } = r as { tensors: Array<[string, string, number[], number[]]>; metadata: unknown };
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return 'metadata is not an object';
    if (Object.values(metadata).some((v) => typeof v !== 'string')) return 'a metadata value is not a string';
    for (const [name, , shape, values] of tensors)
      if (values.length !== shape.reduce((a, b) => a * b, 1)) return `tensor ${name}: values do not fill its shape`;
    return undefined;
  },
  hot: (valid) => 8 + Number(valid.readBigUInt64LE(0)),
};

const QUERIES = ['mongol empire horses', 'café', 'passage 3', '東京都', 'nothing matches this'];

const bm25Manifest: FuzzTarget = {
  name: 'bm25 index manifest.json',
  async setup(dir) {
    const index = path.join(dir, 'index');
    await (await Bm25Index.build(passages(10))).save(index);
    return { file: path.join(index, 'manifest.json'), open: index };
  },
  read: async (open) => {
    const index = Bm25Index.load(open);
    return QUERIES.map((q) => index.search(q, 4).map((h) => [h.id, h.rank, h.score]));
  },
  check(r) {
    for (const hits of r as Array<Array<[string, number, number]>>) {
      if (new Set(hits.map((h) => h[0])).size !== hits.length) return 'a document twice in one ranking';
      for (const [id, rank, score] of hits) {
        if (!/^p\d+$/.test(id)) return `unknown document ${JSON.stringify(id)}`;
        if (!Number.isFinite(score)) return `score ${score}`;
        if (!Number.isInteger(rank) || rank < 1) return `rank ${rank}`;
      }
    }
    return undefined;
  },
};

const storeManifest: FuzzTarget = {
  name: 'kard-kb store manifest.json',
  async setup(dir) {
    const store = path.join(dir, 'store');
    (await PassageStore.build(passages(10), store)).close();
    return { file: path.join(store, 'manifest.json'), open: store };
  },
  read: async (open) => {
    const store = PassageStore.open(open);
    try {
      return { rows: [...store.rows()], byId: store.get('p7') };
    } finally {
      store.close();
    }
  },
  check(r) {
    // The manifest does not hold passages: whatever loads must be exactly what was stored.
    const want = passages(10);
    return JSON.stringify(r) === JSON.stringify({ rows: want, byId: want[7] }) ? undefined : 'passages differ';
  },
};

/** The repository's models folder, found upwards (this file also runs bundled, from another folder). */
function modelsDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'models', 'bert-uncased-tokenizer'))) return path.join(dir, 'models');
    if (path.dirname(dir) === dir) throw new Error(`no models/bert-uncased-tokenizer above ${__dirname}`);
  }
}
const TOKENIZER = path.join(modelsDir(), 'bert-uncased-tokenizer');
const ITEMS = passages(4).map((p) => ({ id: p.id, text: p.text }));

const ensemble: FuzzTarget = {
  name: 'reranker ensemble.json',
  async setup(dir) {
    await initBackend();
    const ens = path.join(dir, 'ensemble');
    for (const seed of [1, 2]) {
      const model = ColbertModel.create(
        BertEncoder.random(smallBertConfig({ hidden_size: 16, intermediate_size: 32 }), { seed }),
        { compressionDim: 8, passageMaxLength: 32, queryMaxLength: 16 },
        seed,
      );
      await saveReranker(model, path.join(ens, `seed-${seed}`), { tokenizerDir: TOKENIZER });
    }
    writeEnsembleFile(ens, ['seed-1', 'seed-2']);
    return { file: path.join(ens, 'ensemble.json'), open: ens };
  },
  read: async (open) => {
    const r = await loadRerankerFolder(open);
    return { members: r instanceof RerankerEnsemble ? r.members.length : 1, scores: r.score('mongol horses', ITEMS) };
  },
  check(r) {
    const { members, scores } = r as { members: number; scores: number[] };
    if (members < 1) return 'no members';
    if (scores.length !== ITEMS.length || !scores.every(Number.isFinite)) return 'bad scores';
    return undefined;
  },
};

export const TARGETS: FuzzTarget[] = [
  jsonl,
  jsonlGz,
  dprTsv,
  topics,
  qrels,
  run,
  safetensors,
  bm25Manifest,
  storeManifest,
  ensemble,
];
