import type { Passage } from '../passage';

/**
 * Corpus line formats `readPassages` understands. `facts` is one passage a line, the line itself or a JSON string
 * (OpenBookQA's openbook.txt: `"A bee is a pollinating animal"`), with ids `<file stem>-<n>` from 0 (`openbook-0`).
 */
export type CorpusFormat = 'pyserini' | 'beir' | 'jsonl' | 'dpr-tsv' | 'facts';

/** Thrown by a line parser; the reader adds file and line number. */
export class LineError extends Error {}

/** Where a line sits, for formats whose passages have no id of their own. */
export interface LinePlace {
  /** Passages read before this line. */
  index: number;
  /** The file's name without folders and extensions ("openbook" for data/openbook.txt.gz). */
  stem: string;
}

type LineParser = (line: string, place: LinePlace) => Passage;

function parseObject(line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new LineError(`invalid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new LineError('expected a JSON object');
  return value as Record<string, unknown>;
}

function idField(obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  // Numeric ids (DPR, MS MARCO) are accepted and kept as their decimal string.
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v === '') throw new LineError(`missing or empty "${key}"`);
  return v;
}

function textField(obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new LineError(`missing string "${key}"`);
  return v;
}

/** Empty titles (common in BEIR) are dropped, so `indexedText` does not prepend a blank line. */
function withTitle(p: Passage, title: unknown): Passage {
  if (title !== undefined && title !== null && typeof title !== 'string')
    throw new LineError('"title" is not a string');
  if (typeof title === 'string' && title !== '') p.title = title;
  return p;
}

const parsePyserini: LineParser = (line) => {
  const obj = parseObject(line);
  const contents = textField(obj, 'contents');
  return withTitle({ id: idField(obj, 'id'), text: contents, contents }, obj.title);
};

const parseBeir: LineParser = (line) => {
  const obj = parseObject(line);
  return withTitle({ id: idField(obj, '_id'), text: textField(obj, 'text') }, obj.title);
};

const parseJsonl: LineParser = (line) => {
  const obj = parseObject(line);
  return withTitle({ id: idField(obj, 'id'), text: textField(obj, 'text') }, obj.title);
};

/** DPR writes its TSV with Python's csv module: a field may be quoted, with `""` for a quote inside. */
function unquote(field: string): string {
  if (field.length >= 2 && field.startsWith('"') && field.endsWith('"')) return field.slice(1, -1).replace(/""/g, '"');
  return field;
}

const parseDprTsv: LineParser = (line) => {
  const fields = line.split('\t');
  if (fields.length !== 3)
    throw new LineError(`expected 3 tab-separated fields (id, text, title), found ${fields.length}`);
  const id = unquote(fields[0]);
  if (id === '') throw new LineError('empty id');
  return withTitle({ id, text: unquote(fields[1]) }, unquote(fields[2]));
};

const parseFact: LineParser = (line, place) => {
  const trimmed = line.trim();
  let text = trimmed;
  if (trimmed.startsWith('"')) {
    try {
      text = JSON.parse(trimmed) as string;
    } catch (err) {
      throw new LineError(`a quoted fact that is not a JSON string (${(err as Error).message})`);
    }
    if (typeof text !== 'string') throw new LineError('a quoted fact that is not a JSON string');
  }
  return { id: `${place.stem}-${place.index}`, text };
};

export const PARSERS: Record<CorpusFormat, LineParser> = {
  pyserini: parsePyserini,
  beir: parseBeir,
  jsonl: parseJsonl,
  'dpr-tsv': parseDprTsv,
  facts: parseFact,
};

/** DPR's psgs_w100.tsv starts with this header line. */
export function isDprHeader(line: string): boolean {
  return /^id\ttext\ttitle$/.test(line);
}

/**
 * The format of a corpus from one of its lines, or null when the line is not a passage in any format.
 * JSON keys decide: `contents` is Pyserini, `_id` is BEIR, `id` + `text` is plain JSONL; a JSON string is a fact.
 */
export function detectFormat(line: string): CorpusFormat | null {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('"')) {
    try {
      return typeof JSON.parse(trimmed) === 'string' ? 'facts' : null;
    } catch {
      return null;
    }
  }
  if (!trimmed.startsWith('{')) return line.split('\t').length === 3 ? 'dpr-tsv' : null;
  let obj: Record<string, unknown>;
  try {
    obj = parseObject(line);
  } catch {
    return null;
  }
  if ('contents' in obj) return 'pyserini';
  if ('_id' in obj) return 'beir';
  if ('id' in obj && 'text' in obj) return 'jsonl';
  return null;
}
