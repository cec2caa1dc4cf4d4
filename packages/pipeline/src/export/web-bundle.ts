// `kard-train export-web`: a finished run folder as a static bundle that apps/kard-web fetches, so the whole KARD
// inference path (BM25, reranker, student) runs in a browser. The bundle holds the run's own files, not a new format:
// the index folder as it is, the passage store's data file cut into fixed-size byte chunks (a passage is the byte
// range its offsets give, fetched chunk by chunk, never one giant JSON), each reranker member and the student as the
// Hugging Face files their loaders read, and manifest.json listing every file with its size and sha256.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KardError, readJsonFile, writeDirAtomic } from '@kard/core';

export const WEB_BUNDLE_FORMAT = 'kard-web-bundle';
export const WEB_BUNDLE_VERSION = 1;
/** What a bundle folder is, for writeDirAtomic's ownership check. */
export const WEB_BUNDLE_OWNER = { kind: 'web bundle', manifest: 'manifest.json', format: WEB_BUNDLE_FORMAT } as const;

/** The student methods a bundle can carry (ft needs no passages, so the page would not show retrieval). */
export type WebStudentMethod = 'kard' | 'rd';

/** manifest.json of a web bundle. Paths are relative to the bundle folder, with '/' separators. */
export interface WebBundleManifest {
  format: typeof WEB_BUNDLE_FORMAT;
  version: number;
  createdAt: string;
  /** The run folder it was exported from. */
  run: string;
  /** How kard-eval asks the student (from the run's config), so the page asks the same way. */
  settings: {
    dataset: string;
    nDocs: number;
    maxDoc: number;
    maxNewTokens: number;
    maxInputTokens: number;
    noRepeatNgramSize: number;
  };
  /** The run's index folder (its own manifest.json names the arrays). */
  index: string;
  passages: {
    size: number;
    /** size + 1 little-endian uint64 byte offsets into the data file (the store's offsets.u64). */
    offsets: string;
    /** Bytes of the store's passages.jsonl, cut into chunks of `chunkBytes` (the last may be shorter). */
    dataBytes: number;
    chunkBytes: number;
    chunks: string[];
  };
  /** One folder per reranker (several: an ensemble, scores averaged). */
  reranker: { members: string[] };
  student: { method: WebStudentMethod; dir: string };
  files: Record<string, { bytes: number; sha256: string }>;
  totalBytes: number;
}

/** A run folder that lacks what a bundle needs: names the stage that makes it. */
export class WebExportError extends KardError {
  constructor(
    readonly run: string,
    readonly stage: string,
    reason: string,
  ) {
    super(`${run}: ${reason}`);
    this.name = 'WebExportError';
  }
}

export interface ExportWebOptions {
  /** Which trained student the page runs. Default 'kard'. */
  student?: WebStudentMethod;
  /** Bytes per passage chunk. Default 1 MiB. */
  chunkBytes?: number;
  /** Replace an existing `out` that is not a bundle folder. */
  overwrite?: boolean;
}

const STUDENT_FILES = ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json'];
const STUDENT_OPTIONAL = ['tokenizer_config.json', 'special_tokens_map.json'];

function need(run: string, stage: string, file: string, what: string): string {
  if (!fs.existsSync(file))
    throw new WebExportError(run, stage, `${what} (${path.relative(run, file)}): run \`kard-train ${stage}\` first`);
  return file;
}

interface Copy {
  from: string;
  to: string;
}

/** The files of one saved reranker folder, laid out as rerankerFromFiles reads them (encoder/ and tokenizer/). */
function rerankerCopies(run: string, dir: string, to: string): Copy[] {
  const configFile = need(run, 'reranker', path.join(dir, 'reranker_config.json'), 'no trained reranker');
  const cfg = readJsonFile<{ mode: string; base_model: string }>(configFile);
  const base = cfg.mode === 'full' ? path.join(dir, 'encoder') : path.resolve(dir, cfg.base_model);
  const copies: Copy[] = [
    { from: configFile, to: `${to}/reranker_config.json` },
    { from: path.join(dir, 'adapter_model.safetensors'), to: `${to}/adapter_model.safetensors` },
    { from: path.join(base, 'config.json'), to: `${to}/encoder/config.json` },
    { from: path.join(base, 'model.safetensors'), to: `${to}/encoder/model.safetensors` },
  ];
  if (cfg.mode === 'lora')
    copies.push({ from: path.join(dir, 'adapter_config.json'), to: `${to}/adapter_config.json` });
  const own = path.join(dir, 'tokenizer');
  const tokDir = fs.existsSync(path.join(own, 'tokenizer.json')) ? own : base;
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    copies.push({ from: path.join(tokDir, f), to: `${to}/tokenizer/${f}` });
  for (const c of copies) if (!fs.existsSync(c.from)) throw new WebExportError(run, 'reranker', `${c.from} is missing`);
  return copies;
}

/**
 * Writes the web bundle of the run folder `runDir` to `out` atomically (a temporary folder, then rename). Throws
 * WebExportError naming the stage to run when the run lacks the index, the passages, the reranker or the student.
 */
export async function exportWebBundle(
  runDir: string,
  out: string,
  options: ExportWebOptions = {},
): Promise<WebBundleManifest> {
  const run = path.resolve(runDir);
  if (!fs.existsSync(run)) throw new WebExportError(run, 'all', 'no such run folder');
  const method = options.student ?? 'kard';
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1)
    throw new RangeError(`chunkBytes must be ≥ 1, got ${chunkBytes}`);
  const runInfo = readJsonFile<{ config?: Record<string, Record<string, unknown>> }>(
    need(run, 'all', path.join(run, 'run.json'), 'no run.json, which kard-train writes as each stage finishes'),
  );
  const cfg = runInfo.config ?? {};
  const index = path.join(run, 'index');
  need(run, 'index', path.join(index, 'manifest.json'), 'no BM25 index');
  const store = path.join(run, 'passages');
  const storeManifest = readJsonFile<{ size: number }>(
    need(run, 'index', path.join(store, 'manifest.json'), 'no passage store'),
  );
  const student = path.join(run, 'student', method);
  if (fs.existsSync(path.join(student, 'model.safetensors.index.json')))
    throw new WebExportError(
      run,
      'student',
      `student/${method} is sharded; the web bundle takes one model.safetensors`,
    );
  for (const f of STUDENT_FILES) need(run, 'student', path.join(student, f), `no trained ${method} student`);
  const rerankerDir = path.join(run, 'reranker');
  const ensembleFile = path.join(rerankerDir, 'ensemble.json');
  const members = fs.existsSync(ensembleFile)
    ? readJsonFile<{ members: string[] }>(ensembleFile).members.map((m) => path.resolve(rerankerDir, m))
    : [rerankerDir];

  const copies: Copy[] = [];
  for (const f of fs.readdirSync(index).sort()) copies.push({ from: path.join(index, f), to: `index/${f}` });
  copies.push({ from: path.join(store, 'offsets.u64'), to: 'passages/offsets.u64' });
  for (const f of [...STUDENT_FILES, ...STUDENT_OPTIONAL])
    if (fs.existsSync(path.join(student, f))) copies.push({ from: path.join(student, f), to: `student/${f}` });
  const memberDirs = members.map((_, i) => (members.length === 1 ? 'reranker' : `reranker/${i}`));
  members.forEach((m, i) => copies.push(...rerankerCopies(run, m, memberDirs[i])));

  const data = path.join(store, 'passages.jsonl');
  const dataBytes = fs.statSync(data).size;
  const chunks = Array.from(
    { length: Math.ceil(dataBytes / chunkBytes) },
    (_, c) => `passages/chunk-${String(c).padStart(5, '0')}.jsonl`,
  );
  const ev = cfg.eval ?? {};
  const manifest: WebBundleManifest = {
    format: WEB_BUNDLE_FORMAT,
    version: WEB_BUNDLE_VERSION,
    createdAt: new Date().toISOString(),
    run,
    settings: {
      dataset: String(cfg.dataset?.name ?? 'strategyqa'),
      nDocs: Number(ev.nDocs ?? 1),
      maxDoc: Number(ev.maxDoc ?? 20),
      maxNewTokens: Number(ev.maxNewTokens ?? 128),
      maxInputTokens: Number(cfg.student?.maxInputTokens ?? 512),
      noRepeatNgramSize: Number(ev.noRepeatNgramSize ?? 0),
    },
    index: 'index',
    passages: { size: storeManifest.size, offsets: 'passages/offsets.u64', dataBytes, chunkBytes, chunks },
    reranker: { members: memberDirs },
    student: { method, dir: 'student' },
    files: {},
    totalBytes: 0,
  };
  const record = (rel: string, bytes: Uint8Array) => {
    manifest.files[rel] = { bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    manifest.totalBytes += bytes.byteLength;
  };
  await writeDirAtomic(
    out,
    (tmp) => {
      for (const c of copies) {
        const bytes = fs.readFileSync(c.from);
        fs.mkdirSync(path.dirname(path.join(tmp, c.to)), { recursive: true });
        fs.writeFileSync(path.join(tmp, c.to), bytes);
        record(c.to, bytes);
      }
      const fd = fs.openSync(data, 'r');
      try {
        chunks.forEach((rel, c) => {
          const bytes = Buffer.alloc(Math.min(chunkBytes, dataBytes - c * chunkBytes));
          fs.readSync(fd, bytes, 0, bytes.length, c * chunkBytes);
          fs.writeFileSync(path.join(tmp, rel), bytes);
          record(rel, bytes);
        });
      } finally {
        fs.closeSync(fd);
      }
      // The manifest goes last: a folder with a manifest has all its files.
      fs.writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
    { ...WEB_BUNDLE_OWNER, overwrite: options.overwrite },
  );
  return manifest;
}
