// A stage's inputs (what its marker hash covers), computed from its declaration (stage-reads.ts): config values by
// path, values and file fingerprints derived from them, the hashes of the stages it builds on, and its parameters.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { schemaLeaves, type KardConfig } from '../config/schema';
import { ConfigError } from '../config/validate';
import { hashFile } from '../run/hash';
import type { StageReads } from './stage-reads';

/** A value computed from config paths (a choice between two of them, a value that applies to one method only). */
export class Derived {
  constructor(
    readonly from: readonly string[],
    readonly value: (...values: unknown[]) => unknown,
  ) {}
}

/**
 * The sha256 of files named by config paths, by the path as configured (`{ "corpus.jsonl": "ab12…" }`); none at all
 * (not even `{}`) when `files` returns undefined, so an entry that applies only under an option leaves older hashes be.
 */
export class Fingerprints {
  constructor(
    readonly from: readonly string[],
    readonly files: (...values: unknown[]) => unknown[] | undefined,
  ) {}
}

/** The sha256 of one file named by a config path (none when the function returns undefined). */
export class Fingerprint {
  constructor(
    readonly from: string,
    readonly file: (value: unknown) => string | undefined,
  ) {}
}

/** A config path (its value), a group of entries (an object), or a derived value or fingerprint. */
export type HashSource = string | Derived | Fingerprints | Fingerprint | { [key: string]: HashSource };

export const derived = (from: string[], value: (...values: unknown[]) => unknown) => new Derived(from, value);
/**
 * Fingerprints of the files the paths name (lists flattened, unset paths skipped), or of the files `files` makes of
 * their values.
 */
export const fingerprints = (
  from: string[],
  files: (...values: unknown[]) => unknown[] | undefined = (...v) => v.flat(),
) => new Fingerprints(from, files);
export const fingerprint = (from: string, file: (value: unknown) => string | undefined) => new Fingerprint(from, file);

const LEAVES = new Map(schemaLeaves().map((l) => [l.path, l.leaf]));

/** A config section as a group, key by key from the schema (all of it, or all but `except`). */
export function configSection(name: string, opts: { except?: string[] } = {}): Record<string, string> {
  const keys = [...LEAVES.keys()].filter((p) => p.startsWith(`${name}.`)).map((p) => p.slice(name.length + 1));
  if (keys.length === 0) throw new Error(`stage reads: no config section ${name}`);
  return Object.fromEntries(keys.filter((k) => !opts.except?.includes(k)).map((k) => [k, `${name}.${k}`]));
}

/** The value at a dotted config path; a path the schema lacks is a bug in a declaration. */
export function configValue(cfg: KardConfig, key: string): unknown {
  const leaf = LEAVES.get(key);
  if (!leaf) throw new Error(`stage reads: ${key} is not a config option`);
  const value = key.split('.').reduce<unknown>((node, p) => (node as Record<string, unknown> | undefined)?.[p], cfg);
  // an option added after run folders existed leaves their hashes as they were while it keeps its default
  return leaf.meta.hashOnlyWhenSet && isDeepStrictEqual(value, leaf.default) ? undefined : value;
}

/** Every config path a declaration names (hashed or not). */
export function declaredPaths(decl: StageReads): string[] {
  const out: string[] = [...(decl.unhashed ?? [])];
  const walk = (s: HashSource) => {
    if (typeof s === 'string') out.push(s);
    else if (s instanceof Derived || s instanceof Fingerprints) out.push(...s.from);
    else if (s instanceof Fingerprint) out.push(s.from);
    else Object.values(s).forEach(walk);
  };
  Object.values(decl.reads).forEach(walk);
  return out;
}

type FileHasher = (file: string) => Promise<string>;

/** sha256 of each input file, by the path as configured. */
async function hashInputs(files: string[], hash: FileHasher): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of files) {
    if (!fs.existsSync(f)) throw new ConfigError(`file not found: ${path.resolve(f)}`, 'input');
    out[f] = await hash(f);
  }
  return out;
}

async function resolve(cfg: KardConfig, s: HashSource, hash: FileHasher): Promise<unknown> {
  if (typeof s === 'string') return configValue(cfg, s);
  if (s instanceof Derived) return s.value(...s.from.map((p) => configValue(cfg, p)));
  if (s instanceof Fingerprints) {
    const files = s.files(...s.from.map((p) => configValue(cfg, p)));
    return files === undefined
      ? undefined
      : hashInputs(
          files.filter((f): f is string => typeof f === 'string'),
          hash,
        );
  }
  if (s instanceof Fingerprint) {
    const file = s.file(configValue(cfg, s.from));
    return file === undefined ? undefined : hash(file);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) out[k] = await resolve(cfg, v, hash);
  return out;
}

/**
 * The inputs a stage's marker hashes: its declared reads resolved against `cfg`, its parameters, and `upstream`,
 * the hashes of the stages it builds on (undefined for one that does not run), which must be the declared ones.
 * `hash` fingerprints files (StagePlan passes a memoised one, so a corpus that several stages read is read once).
 */
export async function stageInputs(
  cfg: KardConfig,
  decl: StageReads,
  upstream: Record<string, string | undefined> = {},
  hash: FileHasher = hashFile,
): Promise<Record<string, unknown>> {
  const expected = Object.keys(decl.after ?? {}).sort();
  if (!isDeepStrictEqual(Object.keys(upstream).sort(), expected))
    throw new Error(
      `stage inputs: upstream hashes ${Object.keys(upstream).join(', ')} differ from the declared ` +
        `${expected.join(', ')}`,
    );
  const keys = [...Object.keys(upstream), ...Object.keys(decl.params ?? {}), ...Object.keys(decl.reads)];
  if (new Set(keys).size !== keys.length) throw new Error(`stage inputs: a key is declared twice (${keys.join(', ')})`);
  const inputs: Record<string, unknown> = { ...upstream, ...decl.params };
  for (const [k, s] of Object.entries(decl.reads)) inputs[k] = await resolve(cfg, s, hash);
  return inputs;
}
