// What a stage left in the run folder, recorded in its marker so a later run can tell that the outputs it is about
// to trust are still the ones the stage made: every file under the stage's output paths, with its size and a
// fingerprint cheap enough to check on every skip.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One output file, by its path relative to the run folder. */
export interface OutputRecord {
  path: string;
  size: number;
  /** `sha256:<hex>` of the whole file up to WHOLE_FILE_LIMIT bytes; above, `head-tail-sha256:<hex>` of its first and last MiB. */
  fingerprint: string;
}

/** Files up to this size are hashed whole. */
const WHOLE_FILE_LIMIT = 4 << 20;
const EDGE = 1 << 20;

/** The fingerprint of a file of `size` bytes (see `OutputRecord`). */
export function fingerprintFile(file: string, size = fs.statSync(file).size): string {
  if (size <= WHOLE_FILE_LIMIT) return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(EDGE);
    const h = createHash('sha256');
    fs.readSync(fd, buf, 0, EDGE, 0);
    h.update(buf);
    fs.readSync(fd, buf, 0, EDGE, size - EDGE);
    h.update(buf);
    return `head-tail-sha256:${h.digest('hex')}`;
  } finally {
    fs.closeSync(fd);
  }
}

/** Every file under `outputs` (paths relative to `root`, files or folders), sorted, with sizes and fingerprints. */
export function recordOutputs(root: string, outputs: readonly string[]): OutputRecord[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const name of fs.readdirSync(abs).sort()) walk(`${rel}/${name}`);
    else if (st.isFile()) files.push(rel);
  };
  for (const o of outputs) walk(o);
  return files.map((rel) => {
    const size = fs.statSync(path.join(root, rel)).size;
    return { path: rel, size, fingerprint: fingerprintFile(path.join(root, rel), size) };
  });
}

/** Why the recorded outputs no longer hold (the first difference found), or undefined when every one does. */
export function outputsChanged(root: string, recorded: readonly OutputRecord[]): string | undefined {
  for (const r of recorded) {
    const st = fs.statSync(path.join(root, r.path), { throwIfNoEntry: false });
    if (!st?.isFile()) return `output ${r.path} is missing`;
    if (st.size !== r.size) return `output ${r.path} changed (size ${r.size} -> ${st.size})`;
    if (fingerprintFile(path.join(root, r.path), st.size) !== r.fingerprint)
      return `output ${r.path} changed (same size ${r.size}, different content)`;
  }
  return undefined;
}

/**
 * What is wrong with outputs no marker recorded (markers from before outputs were recorded): a path missing, or a
 * safetensors file shorter or longer than its header says. Undefined when nothing is seen to be wrong.
 */
export function unrecordedOutputsProblem(root: string, outputs: readonly string[]): string | undefined {
  for (const o of outputs) {
    if (!fs.existsSync(path.join(root, o))) return `output ${o} is missing`;
    for (const r of listFiles(root, o).filter((f) => f.endsWith('.safetensors'))) {
      const expected = safetensorsSize(path.join(root, r));
      const size = fs.statSync(path.join(root, r)).size;
      if (expected === undefined) return `output ${r} is not a readable safetensors file (${size} bytes)`;
      if (expected !== size) return `output ${r} changed (size ${expected} by its header, ${size} on disk)`;
    }
  }
  return undefined;
}

function listFiles(root: string, rel: string): string[] {
  const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
  if (!st) return [];
  if (!st.isDirectory()) return st.isFile() ? [rel] : [];
  return fs
    .readdirSync(path.join(root, rel))
    .sort()
    .flatMap((name) => listFiles(root, `${rel}/${name}`));
}

/** The size a safetensors file's header implies (8 + header + the end of the last tensor), or undefined if unreadable. */
function safetensorsSize(file: string): number | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const len = Buffer.alloc(8);
    if (fs.readSync(fd, len, 0, 8, 0) < 8) return undefined;
    const n = Number(len.readBigUInt64LE());
    if (n > 100 << 20) return undefined;
    const header = Buffer.alloc(n);
    if (fs.readSync(fd, header, 0, n, 8) < n) return undefined;
    const entries = JSON.parse(header.toString('utf8')) as Record<string, { data_offsets?: [number, number] }>;
    const end = Math.max(0, ...Object.values(entries).map((e) => e.data_offsets?.[1] ?? 0));
    return 8 + n + end;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
