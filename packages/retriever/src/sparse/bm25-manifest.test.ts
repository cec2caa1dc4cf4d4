// A manifest that parses as JSON but lacks what the loader needs (found by tools/chaos/fuzz.mjs) is an
// IndexFormatError naming the folder, manifest.json and the field, not a TypeError or RangeError from deep inside.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bm25Index } from './bm25-index';
import { IndexFormatError } from './errors';

let dir: string;
let valid: Record<string, unknown>;
beforeAll(async () => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bm25-manifest-')), 'index');
  const docs = ['the mongol empire', 'horses of the steppe', 'a café in Zürich'].map((text, i) => ({
    id: `d${i}`,
    text,
  }));
  await (await Bm25Index.build(docs)).save(dir);
  valid = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
});
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

type Manifest = {
  files: Record<string, Record<string, unknown>>;
  analyzer?: Record<string, unknown>;
  counts?: unknown;
  params: Record<string, unknown>;
};
const cases: Array<[string, (m: Manifest) => void, RegExp]> = [
  ['an array entry without its file name', (m) => delete m.files.ids.file, /"files\.ids\.file" must be a file name/],
  ['a file name that leaves the folder', (m) => (m.files.terms.file = '../terms.utf8'), /"files\.terms\.file"/],
  ['an array type that is no type', (m) => (m.files.ids.type = 'toString'), /"files\.ids\.type" must be one of/],
  ['a negative length', (m) => (m.files.ids.length = -1), /"files\.ids\.length" must be a count/],
  ['no analyzer', (m) => delete m.analyzer, /"analyzer\.stemmer"/],
  ['unknown stop words', (m) => (m.analyzer!.stopwords = 'Lucene'), /"analyzer\.stopwords" must be "lucene" or "none"/],
  ['no counts', (m) => delete m.counts, /"counts" must hold/],
  ['a non-numeric k1', (m) => (m.params.k1 = '0.9'), /"params" must hold numbers k1 and b/],
];

test.each(cases)('%s', (_what, change, message) => {
  const m = structuredClone(valid) as Manifest;
  change(m);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  try {
    expect(() => Bm25Index.load(dir)).toThrow(IndexFormatError);
    expect(() => Bm25Index.load(dir)).toThrow(new RegExp(`^index ${dir}: manifest.json is malformed: .*`));
    expect(() => Bm25Index.load(dir)).toThrow(message);
  } finally {
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(valid));
  }
});

test('the valid manifest still loads', () => {
  expect(Bm25Index.load(dir).search('mongol', 1)[0].id).toBe('d0');
});
