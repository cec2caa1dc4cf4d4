import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isLeaf, SCHEMA, schemaLeaves, type KardConfig, type Leaf, type Section } from './schema';

/** A bad config: `key` is the dotted path of the offending entry, `file` the config file when there is one. */
export class ConfigError extends Error {
  constructor(message: string, readonly key: string, readonly file?: string) {
    super(`${file ? `${file}: ` : ''}${key ? `${key}: ` : ''}${message}`);
    this.name = 'ConfigError';
  }
}

const describe = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : String(v));

function expected(leaf: Leaf): string {
  const range = leaf.min !== undefined || leaf.max !== undefined ? ` in [${leaf.min ?? '-inf'}, ${leaf.max ?? 'inf'}]` : '';
  switch (leaf.kind) {
    case 'int': return `an integer${range}`;
    case 'number': return `a number${range}`;
    case 'enum': return `one of ${leaf.values!.join(', ')}`;
    case 'enum[]': return `a list of ${leaf.values!.join(', ')}`;
    case 'string[]': return 'a list of strings';
    default: return `a ${leaf.kind}`;
  }
}

function checkLeaf(leaf: Leaf, value: unknown, key: string, file?: string): unknown {
  const bad = () => new ConfigError(`expected ${expected(leaf)}, got ${describe(value)}`, key, file);
  switch (leaf.kind) {
    case 'string':
      if (typeof value !== 'string' || value === '') throw bad();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw bad();
      return value;
    case 'int':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || (leaf.kind === 'int' && !Number.isInteger(value))) throw bad();
      if ((leaf.min !== undefined && value < leaf.min) || (leaf.max !== undefined && value > leaf.max)) throw bad();
      return value;
    case 'enum':
      if (typeof value !== 'string' || !leaf.values!.includes(value)) throw bad();
      return value;
    case 'string[]':
    case 'enum[]': {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.length === 0) throw bad();
      for (const item of list) {
        if (typeof item !== 'string' || (leaf.kind === 'enum[]' && !leaf.values!.includes(item))) throw bad();
      }
      return list;
    }
  }
}

function checkSection(section: Section, raw: unknown, prefix: string, file?: string): Record<string, unknown> {
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new ConfigError(`expected a mapping of keys, got ${describe(raw)}`, prefix.replace(/\.$/, ''), file);
  }
  const given = (raw ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!(k in section)) throw new ConfigError(`unknown key (known: ${Object.keys(section).join(', ')})`, prefix + k, file);
  }
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(section)) {
    const key = prefix + k;
    if (!isLeaf(spec)) {
      out[k] = checkSection(spec, given[k], `${key}.`, file);
      continue;
    }
    const value = given[k];
    if (value === undefined || value === null) {
      if (spec.default !== undefined) out[k] = structuredClone(spec.default);
      else if (!spec.optional) throw new ConfigError(`required (${spec.doc})`, key, file);
      continue;
    }
    out[k] = checkLeaf(spec, value, key, file);
  }
  return out;
}

/** Checks a parsed config against the schema, filling defaults; the first problem is a ConfigError naming its key. */
export function validateConfig(raw: unknown, file?: string): KardConfig {
  const config = checkSection(SCHEMA, raw, '', file) as unknown as KardConfig;
  if (config.student.methods.includes('kard') || config.student.methods.includes('rd')) {
    if (!config.teacher.rationales && !config.teacher.endpoint) {
      throw new ConfigError('rd and kard students need teacher rationales: set teacher.rationales (import) or teacher.endpoint (generate)', 'teacher.rationales', file);
    }
  }
  return config;
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
      if (text.trim() === '' || Number.isNaN(n)) throw new ConfigError(`expected ${expected(leaf)}, got ${JSON.stringify(text)}`, key);
      return n;
    }
    case 'boolean':
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(text)) throw new ConfigError(`expected true or false, got ${JSON.stringify(text)}`, key);
      return ['true', '1', 'yes'].includes(text);
    case 'string[]':
    case 'enum[]':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
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
    throw new ConfigError(`not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`, '', file);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('the config must be a mapping of keys', '', file);
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
  const leaves = new Map(schemaLeaves().map((l) => [l.path, l.leaf]));
  for (const [key, value] of Object.entries(overrides)) {
    const leaf = leaves.get(key);
    if (!leaf) throw new ConfigError('unknown option', key);
    setPath(raw, key, typeof value === 'string' ? parseFlagValue(leaf, value, key) : value);
  }
  return validateConfig(raw, file);
}
