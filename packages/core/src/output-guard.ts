// Who may be replaced: a command that writes a folder replaces what is at its output path, so it must first know
// that the path holds nothing, or something it wrote itself. A user's file, a folder of their notes, the current
// directory or a git checkout are never replaced unless they ask (--overwrite).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KardError } from './errors';

/** The marker of folders whose own files carry no manifest (model folders in Hugging Face's layout). */
export const OUTPUT_MARKER = '.kard-output.json';
const MARKER_FORMAT = 'kard-output';

/** What a folder must hold to count as written by KARD-TS, so that a command may replace it. */
export interface OutputOwner {
  /** What the folder is, in words: "BM25 index", "eval report". Shown in the refusal. */
  kind: string;
  /**
   * The file (or files, any one will do) that marks the folder as ours, relative to it: "manifest.json". Default
   * {@link OUTPUT_MARKER}, which writeDirAtomic then writes itself (with `kind` in it).
   */
  manifest?: string | readonly string[];
  /** The `format` field the manifest must carry (JSON), when it has one: "kard-bm25-index". */
  format?: string | readonly string[];
}

export interface ReplaceOptions extends OutputOwner {
  /** Replace whatever is there (the user passed --overwrite). */
  overwrite?: boolean;
}

/** An output path that holds something KARD-TS did not write; replacing it would delete the user's data. */
export class OutputExistsError extends KardError {
  constructor(
    readonly dir: string,
    readonly kind: string,
    /** Why it is not ours, e.g. "no manifest.json" or "it is a file". */
    readonly reason: string,
    /** The whole message, for an output that is a file rather than a folder. */
    message = `${dir} exists and is not a ${kind} written by KARD-TS (${reason}); refusing to replace it. Pass --overwrite to replace it anyway.`,
  ) {
    super(message);
    this.name = 'OutputExistsError';
  }
}

const asList = (v: string | readonly string[] | undefined): readonly string[] | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? [v] : v;

function readFormat(file: string): { ok: true; value: Record<string, unknown> } | { ok: false } {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? { ok: true, value: value as Record<string, unknown> }
      : { ok: false };
  } catch {
    return { ok: false };
  }
}

/** Why `dir` (an existing folder) is not ours, or undefined when it is. */
function notOursBecause(dir: string, owner: OutputOwner): string | undefined {
  const manifests = asList(owner.manifest) ?? [OUTPUT_MARKER];
  const formats = asList(owner.format);
  const present = manifests.filter((m) => fs.existsSync(path.join(dir, m)));
  if (present.length === 0) return `no ${manifests.join(' or ')}`;
  const reasons: string[] = [];
  for (const m of present) {
    const file = path.join(dir, m);
    if (m === OUTPUT_MARKER && owner.manifest === undefined) {
      const r = readFormat(file);
      if (r.ok && r.value.format === MARKER_FORMAT && r.value.kind === owner.kind) return undefined;
      reasons.push(`${m} is not a KARD-TS ${owner.kind} marker`);
      continue;
    }
    if (!formats) return undefined;
    const r = readFormat(file);
    if (r.ok && formats.includes(r.value.format as string)) return undefined;
    reasons.push(
      r.ok
        ? `${m} has format ${JSON.stringify(r.value.format)}, not ${formats.map((f) => JSON.stringify(f)).join(' or ')}`
        : `${m} is not JSON`,
    );
  }
  return reasons.join('; ');
}

/** Whether `dir` is `other` or a folder above it. */
function isSelfOrAncestor(dir: string, other: string): boolean {
  const rel = path.relative(dir, other);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realHome(): string | undefined {
  try {
    return fs.realpathSync(os.homedir());
  } catch {
    return undefined;
  }
}

/**
 * Refuses (OutputExistsError) to let a writer replace `dir` unless it is absent, an empty folder, or a folder
 * marked as ours by `manifest` (with `format`). The current directory, a folder above it, the home folder and a
 * git checkout are refused even when marked. `overwrite` lifts every refusal.
 */
export function assertReplaceable(dir: string, opts: ReplaceOptions): void {
  if (opts.overwrite) return;
  const target = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return; // nothing there (a dangling link is replaced like nothing: it holds no data)
  }
  if (!stat.isDirectory()) throw new OutputExistsError(dir, opts.kind, 'it is a file, not a folder');
  const realTarget = fs.realpathSync(target);
  if (isSelfOrAncestor(realTarget, fs.realpathSync(process.cwd())))
    throw new OutputExistsError(dir, opts.kind, 'it is the current directory or a folder above it');
  if (realTarget === realHome()) throw new OutputExistsError(dir, opts.kind, 'it is the home folder');
  if (fs.existsSync(path.join(target, '.git')))
    throw new OutputExistsError(dir, opts.kind, 'it holds a git repository');
  if (fs.readdirSync(target).length === 0) return;
  const reason = notOursBecause(target, opts);
  if (reason) throw new OutputExistsError(dir, opts.kind, reason);
}

/** Marks `dir` as a `kind` written by KARD-TS (for folders whose own files carry no manifest). Deterministic. */
export function writeOwnerManifest(dir: string, kind: string): void {
  fs.writeFileSync(path.join(dir, OUTPUT_MARKER), `${JSON.stringify({ format: MARKER_FORMAT, kind })}\n`);
}
