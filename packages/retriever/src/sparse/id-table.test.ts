import { DuplicatePassageIdError } from '@kard/knowledge-base';
import { IdTable, IdTableBuilder } from './id-table';

let seed = 11;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pieces = ['a', 'b', 'Z', '0', '9', 'é', '東', '𝒜', '-', ''];
const randomId = () =>
  Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pieces[Math.floor(rand() * 10)]).join('');

/** The ids added in random batch sizes (empty batches too). */
function built(ids: string[]): IdTable {
  const builder = new IdTableBuilder();
  for (let at = 0; at < ids.length;) {
    const n = Math.floor(rand() * 40);
    builder.add(ids.slice(at, at + n));
    at += n;
  }
  return builder.finish();
}

test('IdTableBuilder packs batches as IdTable.fromStrings packs all the ids at once', () => {
  const ids = [...new Set(Array.from({ length: 3000 }, randomId))];
  const one = IdTable.fromStrings(ids);
  const many = built(ids);
  expect(many.bytes).toEqual(one.bytes);
  expect(many.offsets).toEqual(one.offsets);
  expect(many.sortedRows).toEqual(one.sortedRows);
  expect(many.rank).toEqual(one.rank);
});

test('IdTableBuilder reports the duplicate IdTable.fromStrings reports', () => {
  for (let trial = 0; trial < 20; trial++) {
    const ids = Array.from({ length: 400 }, randomId); // short ids from few pieces: many repeat
    const error = (make: () => IdTable) => {
      try {
        make();
      } catch (err) {
        return err;
      }
      throw new Error('no duplicate found');
    };
    const expected = error(() => IdTable.fromStrings(ids)) as DuplicatePassageIdError;
    const got = error(() => built(ids));
    expect(got).toBeInstanceOf(DuplicatePassageIdError);
    expect([(got as DuplicatePassageIdError).id, (got as DuplicatePassageIdError).rows]).toEqual([
      expected.id,
      expected.rows,
    ]);
  }
});
