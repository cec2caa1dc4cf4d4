// loadTokenizer (transformers.js) against Python transformers' T5Tokenizer on every shipped question
// (tools/fixtures/make_tokenizer_fixtures.py wrote the ids): same ids, EOS appended, same padded batch.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTokenizer, type Tokenizer } from '@kard/student';
import { padBatch } from '../src/generation';

interface TokenizerFixture {
  transformers_version: string;
  items: { source: string; id: string; text: string; ids: number[] }[];
  batch: { texts: string[]; input_ids: number[][]; attention_mask: number[][] };
  pad_token_id: number;
  eos_token_id: number;
}

const repo = path.join(__dirname, '..', '..', '..');
const ref = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'tokenizer', 't5-tokenizer.json'), 'utf8'),
) as TokenizerFixture;
let tok: Tokenizer;
beforeAll(async () => {
  tok = await loadTokenizer(path.join(repo, 'models', 't5-tokenizer'));
});

describe(`models/t5-tokenizer vs Python transformers ${ref.transformers_version}`, () => {
  test("an empty sequence decodes to '' (Python: tok.decode([]) == ''), as a student that ends at once gives", () => {
    expect(tok.decode([])).toBe('');
  });

  test('special token ids: pad 0, EOS 1', () => {
    expect([ref.pad_token_id, ref.eos_token_id]).toEqual([0, 1]);
    expect(tok.padTokenId).toBe(ref.pad_token_id);
    expect(tok.eosTokenId).toBe(ref.eos_token_id);
  });

  test(`identical ids (EOS included) for all ${ref.items.length} shipped questions`, () => {
    expect(new Set(ref.items.map((i) => i.source))).toEqual(
      new Set(['strategyqa-train', 'strategyqa-dev', 'medqa-test']),
    );
    const mismatches = ref.items.filter((item) => JSON.stringify(tok.encode(item.text)) !== JSON.stringify(item.ids));
    expect(mismatches.map((m) => ({ id: m.id, text: m.text, want: m.ids, got: tok.encode(m.text) }))).toEqual([]);
    for (const item of ref.items) expect(item.ids[item.ids.length - 1]).toBe(ref.eos_token_id);
  });

  test('addSpecialTokens: false drops exactly the trailing EOS', () => {
    for (const item of ref.items.slice(0, 50))
      expect(tok.encode(item.text, { addSpecialTokens: false })).toEqual(item.ids.slice(0, -1));
  });

  test(
    'maxLength: truncation=True, max_length=n (the first ' +
      'n-1 pieces, then EOS); without special tokens a plain cut',
    () => {
      const long = ref.items.filter((i) => i.ids.length > 12).slice(0, 20);
      expect(long.length).toBeGreaterThan(0);
      for (const item of long) {
        for (const n of [2, 5, 12])
          expect(tok.encode(item.text, { maxLength: n })).toEqual([...item.ids.slice(0, n - 1), ref.eos_token_id]);
        expect(tok.encode(item.text, { maxLength: item.ids.length })).toEqual(item.ids);
        expect(tok.encode(item.text, { addSpecialTokens: false, maxLength: 5 })).toEqual(item.ids.slice(0, 5));
      }
    },
  );

  test('vocabulary: 32,100 entries, sentinels by name', () => {
    expect(tok.vocabSize).toBe(32100);
    expect(tok.tokenId('<extra_id_0>')).toBe(32099);
    expect(tok.tokenId('<pad>')).toBe(0);
    expect(tok.tokenId('no such piece')).toBeUndefined();
  });

  test('a padded batch equals tokenizer(texts, padding=True): right padding with 0, mask 1/0', () => {
    const { ids, mask } = padBatch(
      ref.batch.texts.map((t) => tok.encode(t)),
      tok.padTokenId,
      'right',
    );
    expect(ids).toEqual(ref.batch.input_ids);
    expect(mask).toEqual(ref.batch.attention_mask);
  });
});

describe('a tokenizer folder that cannot be read names its file (issue 18)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-tok-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const copy = (name: string) => {
    const dir = path.join(tmp, name);
    fs.cpSync(path.join(repo, 'models', 't5-tokenizer'), dir, { recursive: true });
    return dir;
  };

  test('a damaged tokenizer.json: file and line, not a bare parse error', async () => {
    const dir = copy('damaged');
    const file = path.join(dir, 'tokenizer.json');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2))); // cut mid-file
    const lines = text.slice(0, Math.floor(text.length / 2)).split('\n').length;
    await expect(loadTokenizer(dir)).rejects.toThrow(`${file}:${lines}: malformed JSON: `);
  });

  test('no tokenizer_config.json: named, not "reading \'tokenizer_class\'"', async () => {
    const dir = copy('no-config');
    fs.rmSync(path.join(dir, 'tokenizer_config.json'));
    await expect(loadTokenizer(dir)).rejects.toThrow(
      `${path.join(dir, 'tokenizer_config.json')}: missing from the tokenizer folder`,
    );
  });
});
