// Reader fuzz: seeded truncations and byte flips of valid files. Every case must end in a typed error (naming
// the file or folder it read) or a correct result (the valid input's, or a valid reading of the mutated bytes):
// never a crash trace, a hang, or a partial output. The targets are in targets.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KardError, Rng } from '@kard/core';
import { StateDictError } from '@kard/nn';
import { BertConfigError, CheckpointError, RerankerLoadError } from '@kard/reranker';
import { TARGETS, type FuzzTarget } from './targets';

/**
 * Errors that count as typed: KardError (and every subclass: InputFormatError, CorpusFormatError, InputFileError,
 * PassageStoreError, TrecFormatError, SafetensorsError, IndexFormatError, ModelLoadError, ...), plus the
 * reranker's and nn's own load errors, which do not extend it yet.
 */
export const TYPED_ERRORS = [KardError, RerankerLoadError, BertConfigError, CheckpointError, StateDictError];

export type Outcome = 'typed-error' | 'same-result' | 'valid-parse' | 'crash' | 'hang' | 'invalid-output';

export interface FuzzCase {
  target: string;
  index: number;
  mutation: string;
  outcome: Outcome;
  /** What went wrong: the error (typed or not), the hang, or why the output is invalid. */
  detail?: string;
  /** For typed errors: whether the message names the file or folder read. */
  named?: boolean;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  counts: Record<Outcome, number>;
  /** Typed errors whose message names neither the mutated file nor the folder read. */
  unnamed: number;
  byTarget: Record<string, Record<Outcome, number>>;
  /** The failures (crash, hang, invalid-output, unnamed), at most 20. */
  failures: FuzzCase[];
  seconds: number;
}

/** Bytes that matter to the formats' structure: a flip to one of them reaches parsers' edge cases. */
const STRUCTURAL = Buffer.from('{}[]",:\t\n\r 0123456789-.eE\\nul\x00\xff\x80', 'latin1');

/** One seeded mutation of `valid`: a truncation, 1-3 bit flips, or 1-3 bytes set to a structural byte. */
export function mutate(valid: Buffer, rng: Rng, hot = valid.length): { bytes: Buffer; how: string } {
  const kind = rng.int(3);
  if (kind === 0) {
    const n = rng.int(valid.length);
    return { bytes: Buffer.from(valid.subarray(0, n)), how: `truncate to ${n} of ${valid.length} bytes` };
  }
  const bytes = Buffer.from(valid);
  const flips = 1 + rng.int(3);
  const how: string[] = [];
  for (let i = 0; i < flips; i++) {
    const at = rng.uniform() < 0.8 ? rng.int(Math.max(1, hot)) : rng.int(bytes.length);
    const before = bytes[at];
    bytes[at] = kind === 1 ? before ^ (1 << rng.int(8)) : STRUCTURAL[rng.int(STRUCTURAL.length)];
    how.push(`@${at} ${before.toString(16)}->${bytes[at].toString(16)}`);
  }
  return { bytes, how: `${kind === 1 ? 'bit flip' : 'byte set'} ${how.join(', ')}` };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new HangError(ms)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

class HangError extends Error {
  constructor(ms: number) {
    super(`no answer after ${ms} ms`);
  }
}

const stable = (v: unknown) => JSON.stringify(v);

/** Runs one case: writes the mutated bytes, reads, classifies, restores the valid file. */
async function runCase(
  t: FuzzTarget,
  input: { file: string; open: string; valid: Buffer; result: string },
  rng: Rng,
  index: number,
  timeoutMs: number,
): Promise<FuzzCase> {
  const { bytes, how } = mutate(input.valid, rng, t.hot?.(input.valid));
  const c: FuzzCase = { target: t.name, index, mutation: how, outcome: 'crash' };
  fs.writeFileSync(input.file, bytes);
  const started = Date.now();
  try {
    const result = await withTimeout(t.read(input.open), timeoutMs);
    if (Date.now() - started > timeoutMs) {
      c.outcome = 'hang';
      c.detail = `took ${Date.now() - started} ms`;
    } else if (stable(result) === input.result) c.outcome = 'same-result';
    else {
      const why = t.check(result, bytes);
      c.outcome = why === undefined ? 'valid-parse' : 'invalid-output';
      if (why !== undefined) c.detail = why;
    }
  } catch (err) {
    if (err instanceof HangError) {
      c.outcome = 'hang';
      c.detail = err.message;
    } else if (TYPED_ERRORS.some((E) => err instanceof E)) {
      c.outcome = 'typed-error';
      const msg = (err as Error).message;
      c.named = msg.includes(input.open) || msg.includes(input.file);
      c.detail = `${(err as Error).name}: ${msg}`;
    } else {
      c.outcome = 'crash';
      c.detail = err instanceof Error ? (err.stack ?? String(err)).split('\n').slice(0, 4).join('\n') : String(err);
    }
  } finally {
    fs.writeFileSync(input.file, input.valid);
  }
  return c;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Only targets whose name contains one of these strings. */
  only?: string[];
  /** Per-case limit (a reader that takes longer is a hang). */
  timeoutMs?: number;
  onCase?: (c: FuzzCase) => void;
}

/** Runs `cases` cases round-robin over the targets and counts the outcomes. */
export async function fuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const started = Date.now();
  const targets = TARGETS.filter((t) => !opts.only?.length || opts.only.some((o) => t.name.includes(o)));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-fuzz-'));
  const zero = (): Record<Outcome, number> => ({
    'typed-error': 0,
    'same-result': 0,
    'valid-parse': 0,
    crash: 0,
    hang: 0,
    'invalid-output': 0,
  });
  const summary: FuzzSummary = {
    seed: opts.seed,
    cases: 0,
    counts: zero(),
    unnamed: 0,
    byTarget: {},
    failures: [],
    seconds: 0,
  };
  try {
    const inputs = [];
    for (const [i, t] of targets.entries()) {
      const dir = path.join(root, String(i));
      fs.mkdirSync(dir);
      const { file, open } = await t.setup(dir);
      const result = stable(await t.read(open));
      inputs.push({ file, open, valid: fs.readFileSync(file), result });
      summary.byTarget[t.name] = zero();
    }
    const rng = new Rng(opts.seed);
    for (let i = 0; i < opts.cases; i++) {
      const k = i % targets.length;
      const c = await runCase(targets[k], inputs[k], rng, i, opts.timeoutMs ?? 5000);
      summary.cases++;
      summary.counts[c.outcome]++;
      summary.byTarget[c.target][c.outcome]++;
      if (c.named === false) summary.unnamed++;
      const failed = ['crash', 'hang', 'invalid-output'].includes(c.outcome) || c.named === false;
      if (failed && summary.failures.length < 20) summary.failures.push(c);
      opts.onCase?.(c);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  summary.seconds = Math.round((Date.now() - started) / 100) / 10;
  return summary;
}
