// loadTokenizer (transformers.js) against Python transformers' T5Tokenizer on every shipped question
// (tools/fixtures/make_tokenizer_fixtures.py wrote the ids): same ids, EOS appended, same padded batch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTokenizer, padBatch, type Tokenizer } from '@kard/student';

interface TokenizerFixture {
  transformers_version: string;
  items: { source: string; id: string; text: string; ids: number[] }[];
  batch: { texts: string[]; input_ids: number[][]; attention_mask: number[][] };
  pad_token_id: number;
  eos_token_id: number;
}

const repo = path.join(__dirname, '..', '..', '..');
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'tokenizer', 't5-tokenizer.json'), 'utf8')) as TokenizerFixture;
let tok: Tokenizer;
beforeAll(async () => { tok = await loadTokenizer(path.join(repo, 'models', 't5-tokenizer')); });

describe(`models/t5-tokenizer vs Python transformers ${ref.transformers_version}`, () => {
  test('special token ids: pad 0, EOS 1', () => {
    expect([ref.pad_token_id, ref.eos_token_id]).toEqual([0, 1]);
    expect(tok.padTokenId).toBe(ref.pad_token_id);
    expect(tok.eosTokenId).toBe(ref.eos_token_id);
  });

  test(`identical ids (EOS included) for all ${ref.items.length} shipped questions`, () => {
    expect(new Set(ref.items.map((i) => i.source))).toEqual(new Set(['strategyqa-train', 'strategyqa-dev', 'medqa-test']));
    const mismatches = ref.items.filter((item) => JSON.stringify(tok.encode(item.text)) !== JSON.stringify(item.ids));
    expect(mismatches.map((m) => ({ id: m.id, text: m.text, want: m.ids, got: tok.encode(m.text) }))).toEqual([]);
    for (const item of ref.items) expect(item.ids[item.ids.length - 1]).toBe(ref.eos_token_id);
  });

  test('addSpecialTokens: false drops exactly the trailing EOS', () => {
    for (const item of ref.items.slice(0, 50)) expect(tok.encode(item.text, { addSpecialTokens: false })).toEqual(item.ids.slice(0, -1));
  });

  test('a padded batch equals tokenizer(texts, padding=True): right padding with 0, mask 1/0', () => {
    const { ids, mask } = padBatch(ref.batch.texts.map((t) => tok.encode(t)), tok.padTokenId, 'right');
    expect(ids).toEqual(ref.batch.input_ids);
    expect(mask).toEqual(ref.batch.attention_mask);
  });

});
