import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bm25Index } from './bm25-index';

const docs = [
  { id: 'b', text: 'The quick brown fox jumps over the lazy dog. Café crème brûlée, naïve coöperation!' },
  { id: 'a', text: 'Running runners run; the dogs are running. 42 foxes and 7 dogs' },
  { id: 'c', text: '' },
  { id: 'd', title: 'Ünïcode', text: 'ΑΒΓ δέλτα ñandú 東京 東京 fox fox fox' },
];

test('segmented build equals the in-thread builder', async () => {
  const one = await Bm25Index.build(docs);
  const many = await Bm25Index.build(docs, { threads: 2, batchDocs: 1, segmentTerms: 3 });
  expect(many.data.terms).toEqual(one.data.terms);
  expect(many.data.termOffsets).toEqual(one.data.termOffsets);
  expect(many.data.postingDocs).toEqual(one.data.postingDocs);
  expect(many.data.postingTfs).toEqual(one.data.postingTfs);
  expect(many.data.docLengths).toEqual(one.data.docLengths);
});
