import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputFormatError } from './errors';
import { readJsonFile } from './json-file';

let root: string;
beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-json-'))));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const f = path.join(root, name);
  fs.writeFileSync(f, text);
  return f;
};
const errorOf = (f: string): InputFormatError => {
  try {
    readJsonFile(f);
  } catch (err) {
    return err as InputFormatError;
  }
  throw new Error('expected an error');
};

test('reads a JSON file', () => {
  expect(readJsonFile(file('ok.json', '{"a": [1, 2]}\n'))).toEqual({ a: [1, 2] });
});

test('malformed JSON names the file and the line where parsing stopped', () => {
  // the stray comma is on line 3; the parser stops at the `}` on line 4
  const f = file('bad.json', '{\n  "a": 1,\n  "b": 2,\n}\n');
  const err = errorOf(f);
  expect(err).toBeInstanceOf(InputFormatError);
  expect(err.file).toBe(f);
  expect(err.line).toBe(4);
  expect(err.message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: malformed JSON: `));
});

test('a file cut short names its last line; an empty file says so; a missing file names itself', () => {
  expect(errorOf(file('cut.json', '{\n  "model": {\n    "vocab": [1, 2')).line).toBe(3);
  expect(errorOf(file('empty.json', '')).message).toBe(`${path.join(root, 'empty.json')}: empty file, expected JSON`);
  expect(errorOf(path.join(root, 'none.json')).message).toBe(
    `${path.join(root, 'none.json')}: cannot read: no such file`,
  );
});
