import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputFormatError, KardError } from './errors';
import { readJsonl, readJsonlEntries, toJsonl, writeJsonl } from './jsonl';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-jsonl-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test('round-trips records; blank lines are skipped but keep line numbers', () => {
  const file = path.join(root, 'r.jsonl');
  writeJsonl(file, [{ a: 1 }, 'two', [3]]);
  expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}\n"two"\n[3]\n');
  expect(readJsonl(file)).toEqual([{ a: 1 }, 'two', [3]]);
  fs.writeFileSync(file, '\n{"a":1}\n  \n{"a":2}');
  expect(readJsonlEntries(file)).toEqual([
    { line: 2, value: { a: 1 } },
    { line: 4, value: { a: 2 } },
  ]);
});

test('a malformed line is an InputFormatError naming file and line', () => {
  const file = path.join(root, 'bad.jsonl');
  fs.writeFileSync(file, '{"ok":true}\n\n{"broken":\n{"ok":false}\n');
  let err: unknown;
  try {
    readJsonl(file);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputFormatError);
  expect(err).toBeInstanceOf(KardError);
  const e = err as InputFormatError;
  expect(e.name).toBe('InputFormatError');
  expect(e.file).toBe(file);
  expect(e.line).toBe(3);
  expect(e.message.startsWith(`${file}:3: malformed JSON`)).toBe(true);
});

test('toJsonl ends every record with a newline', () => {
  expect(toJsonl([])).toBe('');
  expect(toJsonl([1, { b: 'x\ny' }])).toBe('1\n{"b":"x\\ny"}\n');
});
