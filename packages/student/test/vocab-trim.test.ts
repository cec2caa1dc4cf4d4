// trimUnigramTokenizer on the shipped T5 tokenizer, checked against Python's segmentation (the tokenizer fixture's
// ids, written by transformers) rather than against our own encoder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTokenizer, trimUnigramTokenizer, ModelLoadError, type Tokenizer } from '@kard/student';

const repo = path.join(__dirname, '..', '..', '..');
const src = path.join(repo, 'models', 't5-tokenizer');
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'tokenizer', 't5-tokenizer.json'), 'utf8')) as {
  items: { text: string; ids: number[] }[];
};
const counted = ref.items.filter((_, i) => i % 2 === 0);
const unseen = ref.items.filter((_, i) => i % 2 === 1).slice(0, 200);
const counts = new Map<number, number>();
for (const item of counted) for (const id of item.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
let tmp: string;
let original: Tokenizer;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-trim-'));
  original = await loadTokenizer(src);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('keeping every counted piece: the counted texts are cut exactly as Python cuts them, ids renumbered', async () => {
  const size = counts.size + 400; // room for every used piece, the single characters and the specials
  const out = path.join(tmp, 'all');
  const trimmed = await trimUnigramTokenizer(src, out, { size, counts });
  expect(trimmed.originalIds.length).toBeLessThanOrEqual(size);
  expect(trimmed.originalIds.length).toBeLessThan(32000 / 3);
  for (const id of counts.keys()) expect(trimmed.originalIds).toContain(id);
  // T5 lists its 100 <extra_id_*> inside the Unigram vocabulary
  expect(trimmed.vocabSize).toBe(trimmed.originalIds.length);
  const tok = await loadTokenizer(out);
  const bad = counted.filter(
    (item) => JSON.stringify(tok.encode(item.text).map((id) => trimmed.originalIds[id])) !== JSON.stringify(item.ids),
  );
  expect(bad.map((b) => b.text)).toEqual([]);
  expect([tok.padTokenId, tok.eosTokenId]).toEqual([0, 1]);
  expect(trimmed.originalIds.slice(0, 3)).toEqual([0, 1, 2]); // <pad> </s> <unk> keep their ids
  expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).vocab_size).toBe(trimmed.vocabSize);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'tokenizer.json'), 'utf8'));
  expect(json.model.vocab).toHaveLength(trimmed.vocabSize);
  expect(json.added_tokens.filter((a: { content: string }) => a.content.startsWith('<extra_id_'))).toHaveLength(100);
  expect(json.added_tokens.find((a: { content: string }) => a.content === '<extra_id_0>').id).toBe(
    trimmed.vocabSize - 1,
  );
});

test(
  'a small vocabulary spells dropped words with kept ' + 'pieces: same text back, no new <unk>, never fewer tokens',
  async () => {
    const out = path.join(tmp, 'small');
    const trimmed = await trimUnigramTokenizer(src, out, { size: 800, counts });
    expect(trimmed.originalIds.length).toBe(800);
    const tok = await loadTokenizer(out);
    let longer = 0;
    for (const item of [...counted.slice(0, 200), ...unseen]) {
      const ids = tok.encode(item.text);
      expect(tok.decode(ids)).toBe(original.decode(item.ids));
      expect(ids.filter((id) => trimmed.originalIds[id] === 2).length).toBe(item.ids.filter((id) => id === 2).length);
      expect(ids.length).toBeGreaterThanOrEqual(item.ids.length);
      if (ids.length > item.ids.length) longer++;
    }
    expect(longer).toBeGreaterThan(100); // most texts did use a dropped piece
    // The most used pieces were the ones kept.
    const top = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 50)
      .map(([id]) => id);
    for (const id of top) expect(trimmed.originalIds).toContain(id);
  },
);

test('bad input: too small a size, a WordPiece tokenizer, a folder without tokenizer.json', async () => {
  await expect(trimUnigramTokenizer(src, path.join(tmp, 'x'), { size: 10, counts })).rejects.toThrow(
    /needs at least \d+ pieces/,
  );
  await expect(
    trimUnigramTokenizer(path.join(repo, 'models', 'bert-uncased-tokenizer'), path.join(tmp, 'y'), {
      size: 1000,
      counts,
    }),
  ).rejects.toThrow(ModelLoadError);
  await expect(trimUnigramTokenizer(tmp, path.join(tmp, 'z'), { size: 1000, counts })).rejects.toThrow(
    /no tokenizer.json/,
  );
  expect(fs.existsSync(path.join(tmp, 'x'))).toBe(false);
});
