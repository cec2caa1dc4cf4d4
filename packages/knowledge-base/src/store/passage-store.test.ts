import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '@kard/core';
import { DuplicatePassageIdError, PassageStoreError } from '../errors';
import type { Passage } from '../passage';
import { hashId } from './id-table';
import { PassageStore } from './passage-store';

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'kb-store-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Deterministic uniform draws in [0, 1), so failures reproduce. */
function rng(seed: number) {
  const r = new Rng(seed);
  return () => r.uniform();
}

function corpus(n: number, seed = 1): Passage[] {
  const rand = rng(seed);
  const alphabet = 'abc xyz\néü漢字🙂"\\\t';
  const word = (len: number) =>
    Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  return Array.from({ length: n }, (_, i) => {
    const p: Passage = { id: `p${i}-${word(3)}`, text: word(Math.floor(rand() * 200)) };
    if (rand() < 0.7) p.title = word(10);
    if (rand() < 0.2) p.contents = word(50);
    return p;
  });
}

/** Two different ids with the same 32-bit hash, found by the birthday paradox (about 60k tries). */
function collidingIds(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const id = `q${(Math.imul(i, 0x9e3779b1) >>> 0).toString(36)}`;
    const other = seen.get(hashId(id));
    if (other !== undefined) return [other, id];
    seen.set(hashId(id), id);
  }
}

describe('PassageStore', () => {
  test('round-trips every row, id and the iteration order of its input', async () => {
    const input = corpus(3000);
    // larger than a scan block and the read buffer
    input.push({ id: 'huge', title: 'Huge', text: 'x'.repeat(5 << 20) });
    input.push({ id: 'after-huge', text: '' });
    const dir = path.join(work, 'store');
    const store = await PassageStore.build(input, dir);
    expect(store.size).toBe(input.length);
    for (let row = 0; row < input.length; row++) {
      expect(store.at(row)).toEqual(input[row]);
      expect(store.idAt(row)).toBe(input[row].id);
    }
    const rand = rng(7);
    for (let k = 0; k < 500; k++) {
      const row = Math.floor(rand() * input.length);
      expect(store.get(input[row].id)).toEqual(input[row]);
      expect(store.rowOf(input[row].id)).toBe(row);
    }
    expect([...store]).toEqual(input);
    expect([...store.rows(2990, 3001)]).toEqual(input.slice(2990, 3001));
    expect(store.get('no-such-id')).toBeUndefined();
    expect(store.rowOf('no-such-id')).toBe(-1);
    expect(() => store.at(input.length)).toThrow(RangeError);
    store.close();

    // Reopened from disk, the data file is itself plain JSONL of the input.
    const reopened = PassageStore.open(dir);
    expect(reopened.get('after-huge')).toEqual({ id: 'after-huge', text: '' });
    const lines = readFileSync(path.join(dir, 'passages.jsonl'), 'utf8').split('\n');
    expect(lines.length).toBe(input.length + 1);
    expect(JSON.parse(lines[41])).toEqual(input[41]);
    reopened.close();
    expect(() => reopened.at(0)).toThrow(/closed/);
  });

  test('ids that share a hash are told apart', async () => {
    const [a, b] = collidingIds();
    expect(hashId(a)).toBe(hashId(b));
    const store = await PassageStore.build(
      [
        { id: b, text: 'B' },
        { id: 'other', text: 'O' },
        { id: a, text: 'A' },
      ],
      path.join(work, 's'),
    );
    expect(store.get(a)?.text).toBe('A');
    expect(store.get(b)?.text).toBe('B');
    expect(store.rowOf(a)).toBe(2);
    expect(store.rowOf(b)).toBe(0);
    store.close();
  });

  test('builds from an async stream', async () => {
    async function* gen() {
      for (let i = 0; i < 100; i++) yield { id: `a${i}`, text: `t${i}` };
    }
    const store = await PassageStore.build(gen(), path.join(work, 's'));
    expect(store.size).toBe(100);
    expect(store.get('a57')).toEqual({ id: 'a57', text: 't57' });
    store.close();
  });

  test('a duplicate id is an error naming it, and nothing is left behind', async () => {
    const dir = path.join(work, 's');
    const input = [...corpus(50), { id: 'dup', text: '1' }, ...corpus(50, 2), { id: 'dup', text: '2' }];
    const err = await PassageStore.build(input, dir).catch((e) => e);
    expect(err).toBeInstanceOf(DuplicatePassageIdError);
    expect(err.message).toBe('duplicate passage id "dup" at rows 50 and 101');
    expect(readdirSync(work)).toEqual([]);
  });

  test('a failing source or an empty one leaves no folder', async () => {
    async function* failing() {
      yield { id: 'a', text: 'a' };
      throw new Error('source broke');
    }
    await expect(PassageStore.build(failing(), path.join(work, 's'))).rejects.toThrow('source broke');
    await expect(PassageStore.build([], path.join(work, 's'))).rejects.toThrow(/no passages/);
    await expect(PassageStore.build([{ id: '', text: 'x' }], path.join(work, 's'))).rejects.toThrow(
      /row 0 has no string id/,
    );
    expect(readdirSync(work)).toEqual([]);
  });

  test('a store replaces a store; a folder of other files is kept unless overwrite is asked for', async () => {
    const dir = path.join(work, 's');
    (await PassageStore.build([{ id: 'old', text: 'old' }], dir)).close();
    let store = await PassageStore.build([{ id: 'new', text: 'new' }], dir);
    expect(store.get('old')).toBeUndefined();
    expect(store.get('new')?.text).toBe('new');
    store.close();
    expect(readdirSync(work)).toEqual(['s']);

    const notes = path.join(work, 'notes');
    mkdirSync(notes);
    writeFileSync(path.join(notes, 'important.txt'), 'keep');
    await expect(PassageStore.build([{ id: 'new', text: 'new' }], notes)).rejects.toThrow(
      `${notes} exists and is not a passage store written by KARD-TS (no manifest.json); refusing to replace it. Pass --overwrite to replace it anyway.`,
    );
    expect(readdirSync(notes)).toEqual(['important.txt']);
    store = await PassageStore.build([{ id: 'new', text: 'new' }], notes, { overwrite: true });
    expect(store.get('new')?.text).toBe('new');
    store.close();
    expect(readdirSync(work).sort()).toEqual(['notes', 's']);
  });

  describe('open refuses a folder it cannot trust', () => {
    let dir: string;
    beforeEach(async () => {
      dir = path.join(work, 's');
      (await PassageStore.build(corpus(20), dir)).close();
    });
    const manifest = () => path.join(dir, 'manifest.json');

    test('another store version', () => {
      const m = JSON.parse(readFileSync(manifest(), 'utf8'));
      writeFileSync(manifest(), JSON.stringify({ ...m, version: 99 }));
      expect(() => PassageStore.open(dir)).toThrow(
        `passage store ${dir}: written by store version 99, this library reads version 1`,
      );
    });
    test('a missing file', () => {
      unlinkSync(path.join(dir, 'ids.u64'));
      expect(() => PassageStore.open(dir)).toThrow(`passage store ${dir}: ids.u64 is missing`);
    });
    test('a truncated data file', () => {
      truncateSync(path.join(dir, 'passages.jsonl'), 100);
      expect(() => PassageStore.open(dir)).toThrow(
        /passages\.jsonl is 100 bytes, the manifest says \d+ \(truncated or corrupt\)/,
      );
    });
    test('a corrupt manifest', () => {
      writeFileSync(manifest(), '{"format": "kard-passage-st');
      expect(() => PassageStore.open(dir)).toThrow(/manifest\.json is corrupt/);
    });
    test('a folder that is not a store, and one that does not exist', () => {
      expect(() => PassageStore.open(work)).toThrow(`passage store ${work}: not a passage store (no manifest.json)`);
      const gone = path.join(work, 'gone');
      expect(() => PassageStore.open(gone)).toThrow(PassageStoreError);
      expect(existsSync(gone)).toBe(false);
    });
  });
});
