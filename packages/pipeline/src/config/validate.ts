import * as fs from 'node:fs';
import * as path from 'node:path';
import { KardError } from '@kard/core';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { CONFIG_SHAPE, KardConfigSchema, schemaLeaves, sectionShape, type KardConfig, type Leaf } from './schema';

/** A bad config: `key` is the dotted path of the offending entry, `file` the config file when there is one. */
export class ConfigError extends KardError {
  constructor(
    message: string,
    readonly key: string,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}${key ? `${key}: ` : ''}${message}`);
    this.name = 'ConfigError';
  }
}

const describe = (v: unknown) =>
  typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : String(v);

function expected(leaf: Leaf): string {
  const range =
    leaf.min !== undefined || leaf.max !== undefined ? ` in [${leaf.min ?? '-inf'}, ${leaf.max ?? 'inf'}]` : '';
  switch (leaf.kind) {
    case 'int':
      return `an integer${range}`;
    case 'number':
      return `a number${range}`;
    case 'enum':
      return `one of ${leaf.values!.join(', ')}`;
    case 'enum[]':
      return `a list of ${leaf.values!.join(', ')}`;
    case 'string[]':
      return 'a list of strings';
    default:
      return `a ${leaf.kind}`;
  }
}

const LEAVES = new Map(schemaLeaves().map((l) => [l.path, l.leaf]));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What YAML writes that the schema reads as something else: an empty entry (`lr:`, null) is an absent one (its
 * default), and a single string where a list goes is a list of one (`corpus: passages.jsonl`).
 */
function normalize(raw: unknown, shape: Record<string, z.core.$ZodType>, prefix: string): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const inner = shape[k] && sectionShape(shape[k]);
    const leaf = LEAVES.get(prefix + k);
    if (inner) out[k] = normalize(v, inner, `${prefix}${k}.`);
    else if (leaf && (v === null || v === undefined)) continue;
    else out[k] = leaf && typeof v === 'string' && leaf.kind.endsWith('[]') ? [v] : v;
  }
  return out;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const p of path)
    node = isRecord(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[p] : undefined;
  return node;
}

/**
 * The schema position of an issue (section by section, an unknown key before the known ones), for reporting the first.
 */
function schemaOrder(issue: z.core.$ZodIssue): number[] {
  const order: number[] = [];
  let shape: Record<string, z.core.$ZodType> | undefined = CONFIG_SHAPE;
  for (const p of issue.path) {
    if (!shape) break;
    order.push(Object.keys(shape).indexOf(String(p)));
    const t: z.core.$ZodType | undefined = shape[String(p)];
    shape = t && sectionShape(t);
  }
  if (issue.code === 'unrecognized_keys') order.push(-1);
  return order;
}

function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A zod issue in the words of this config: the dotted key and what was expected there. */
function toConfigError(issue: z.core.$ZodIssue, raw: unknown, input: unknown, file?: string): ConfigError {
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    let shape: Record<string, z.core.$ZodType> | undefined = CONFIG_SHAPE;
    for (const p of at) shape = shape?.[p] && sectionShape(shape[p]);
    return new ConfigError(
      `unknown key (known: ${Object.keys(shape ?? {}).join(', ')})`,
      [...at, issue.keys[0]].join('.'),
      file,
    );
  }
  if (issue.code === 'custom') return new ConfigError(issue.message, at.join('.'), file);
  // a list item's problem is its list's: report the option, not `eval.methods.0`
  for (let n = at.length; n > 0; n--) {
    const key = at.slice(0, n).join('.');
    const leaf = LEAVES.get(key);
    if (!leaf) continue;
    if (valueAt(input, at.slice(0, n)) === undefined) return new ConfigError(`required (${leaf.doc})`, key, file);
    return new ConfigError(`expected ${expected(leaf)}, got ${describe(valueAt(raw, at.slice(0, n)))}`, key, file);
  }
  return new ConfigError(`expected a mapping of keys, got ${describe(valueAt(raw, at))}`, at.join('.'), file);
}

/** Checks a parsed config against the schema, filling defaults; the first problem is a ConfigError naming its key. */
export function validateConfig(raw: unknown, file?: string): KardConfig {
  const input = normalize(raw, CONFIG_SHAPE, '');
  const parsed = KardConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const first = [...parsed.error.issues].sort((a, b) => compareOrder(schemaOrder(a), schemaOrder(b)))[0];
  throw toConfigError(first, raw, input, file);
}

/** `student.maxInputTokens` -> `student-max-input-tokens`: the CLI flag of a config key. */
export function flagName(key: string): string {
  return key.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Converts a flag's text to the leaf's type (lists are comma-separated); validation happens afterwards. */
export function parseFlagValue(leaf: Leaf, text: string, key: string): unknown {
  switch (leaf.kind) {
    case 'int':
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n))
        throw new ConfigError(`expected ${expected(leaf)}, got ${JSON.stringify(text)}`, key);
      return n;
    }
    case 'boolean':
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(text))
        throw new ConfigError(`expected true or false, got ${JSON.stringify(text)}`, key);
      return ['true', '1', 'yes'].includes(text);
    case 'string[]':
    case 'enum[]':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return text;
  }
}

/** Reads a YAML or JSON config file (JSON is YAML; the extension only picks the error wording). */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config: ${(err as Error).message}`, '', file);
  }
  let raw: unknown;
  try {
    raw = path.extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      '',
      file,
    );
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError('the config must be a mapping of keys', '', file);
  return raw as Record<string, unknown>;
}

/** Sets `a.b.c` in a nested object, creating the sections on the way. */
export function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * The run's config: the file (optional), then overrides by dotted key (flag values as text are converted),
 * then validation. Overrides win over the file.
 */
export function loadConfig(file: string | undefined, overrides: Record<string, unknown> = {}): KardConfig {
  const raw = file ? readConfigFile(file) : {};
  for (const [key, value] of Object.entries(overrides)) {
    const leaf = LEAVES.get(key);
    if (!leaf) throw new ConfigError('unknown option', key);
    setPath(raw, key, typeof value === 'string' ? parseFlagValue(leaf, value, key) : value);
  }
  return validateConfig(raw, file);
}
