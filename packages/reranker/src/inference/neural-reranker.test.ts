import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import type { Hit } from '@kard/retriever';
import { smallBertConfig } from '../bert/config';
import { BertEncoder } from '../bert/model';
import * as tf from '@tensorflow/tfjs-core';
import { ColbertModel, HYBRID_SCALE } from '../colbert/model';
import { BertTokenizer } from '../tokenizer';
import { parseCandidateLines } from './candidate-lines';
import { MissingBm25ScoreError, MissingPassageError, NeuralReranker } from './neural-reranker';
import { RerankingRetriever } from './pipeline';

const TOKENIZER = path.join(__dirname, '../../../../models/bert-uncased-tokenizer');
let tokenizer: BertTokenizer;
let model: ColbertModel;
beforeAll(async () => {
  await initBackend();
  tokenizer = await BertTokenizer.fromPretrained(TOKENIZER);
  model = ColbertModel.create(
    BertEncoder.random(smallBertConfig({ hidden_size: 16, intermediate_size: 32 }), { seed: 1 }),
    { compressionDim: 8, passageMaxLength: 32, queryMaxLength: 16 },
  );
});

const texts = [
  'Genghis Khan had sixteen children.',
  'Julius Caesar had three children.',
  'The Police were a rock band.',
  'Dogs hear well.',
];
const hits = (): Hit[] =>
  texts.map((t, i) => ({ id: `p${i}`, score: 10 - i, rank: i + 1, passage: { id: `p${i}`, text: t } }));

/** Brute force: embed query and each passage alone, then Σ_i max_j ⟨q_i, d_j⟩ in plain loops. */
function bruteScore(query: string, text: string): number {
  const q = model.embed(tokenizer.encodeBatch([query], 16)).arraySync()[0];
  const d = model.embed(tokenizer.encodeBatch([text], 32)).arraySync()[0];
  return q.reduce((acc, qi) => acc + Math.max(...d.map((dj) => dj.reduce((a, v, c) => a + v * qi[c], 0))), 0);
}

describe('NeuralReranker', () => {
  it('orders candidates by the brute-force late-interaction score and keeps k', async () => {
    const rr = new NeuralReranker(model, tokenizer, { batchSize: 3 });
    const q = 'how many children did genghis khan have';
    const out = await rr.rerank(q, hits(), 3);
    const expected = texts.map((t, i) => ({ id: `p${i}`, s: bruteScore(q, t) })).sort((a, b) => b.s - a.s);
    expect(out.map((h) => h.id)).toEqual(expected.slice(0, 3).map((e) => e.id));
    out.forEach((h, i) => {
      expect(h.rank).toBe(i + 1);
      expect(h.score).toBeCloseTo(expected[i].s, 3);
    });
  });

  it('returns [] for an empty candidate list and fails clearly on a hit without text', async () => {
    const rr = new NeuralReranker(model, tokenizer);
    await expect(rr.rerank('q', [])).resolves.toEqual([]);
    await expect(rr.rerank('q', [{ id: 'x', score: 1, rank: 1 }])).rejects.toThrow(MissingPassageError);
    const viaLookup = new NeuralReranker(model, tokenizer, { passages: new Map([['x', { id: 'x', text: 'hello' }]]) });
    await expect(viaLookup.rerank('q', [{ id: 'x', score: 1, rank: 1 }])).resolves.toHaveLength(1);
  });

  it('caches passage embeddings on disk per model and reuses them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-rr-cache-'));
    const a = new NeuralReranker(model, tokenizer, { cacheDir: dir });
    const first = await a.rerank('children', hits());
    a.saveCache();
    const b = new NeuralReranker(model, tokenizer, { cacheDir: dir });
    expect(b.cache.size).toBe(4);
    expect(await b.rerank('children', hits())).toEqual(first);
    const other = ColbertModel.create(BertEncoder.random(model.encoder.config, { seed: 2 }), model.options);
    // another model's cache is ignored
    expect(new NeuralReranker(other, tokenizer, { cacheDir: dir }).cache.size).toBe(0);
  });

  it('as a pipeline, reranks the first stage top maxDoc and keeps nDocs', async () => {
    const asked: number[] = [];
    const firstStage = { search: (_q: string, k = 10) => (asked.push(k), hits().slice(0, k)), searchBatch: () => [] };
    const pipe = new RerankingRetriever(firstStage, new NeuralReranker(model, tokenizer), { maxDoc: 3, nDocs: 2 });
    const out = await pipe.search('children');
    expect(asked).toEqual([3]);
    expect(out).toHaveLength(2);
    expect(out.every((h) => ['p0', 'p1', 'p2'].includes(h.id))).toBe(true);
  });
});

describe('NeuralReranker, hybrid model', () => {
  let hybrid: ColbertModel;
  beforeAll(() => {
    hybrid = ColbertModel.create(model.encoder, { ...model.options, hybrid: true });
    hybrid.compressor.weight.assign(model.compressor.weight);
    hybrid.compressor.bias.assign(model.compressor.bias);
    hybrid.mix!.weight.assign(tf.tensor1d([0.002, 0.05, -0.3]));
    hybrid.mix!.prior.assign(tf.tensor1d(prior));
  });
  const prior = [0.5, -1, 0.25, 2, 0, -0.75, 1.5, 0.1];

  /** ⟨prior, mean of the passage's token vectors⟩, with the passage embedded alone. */
  function priorOf(text: string): number {
    const d = model.embed(tokenizer.encodeBatch([text], 32)).arraySync()[0];
    return prior.reduce((acc, u, c) => acc + (u * d.reduce((s, row) => s + row[c], 0)) / d.length, 0);
  }

  it(
    'scores HYBRID_SCALE · (m₀ · late interaction + m₁ ' +
      "· the hit's BM25 + m₂ · log(1 + tokens) + passage " +
      'prior)',
    async () => {
      const rr = new NeuralReranker(hybrid, tokenizer);
      const q = 'how many children did genghis khan have';
      const out = await rr.rerank(q, hits());
      const expected = texts
        .map((t, i) => {
          const tokens = tokenizer.encode(t, 32).length;
          return {
            id: `p${i}`,
            s: HYBRID_SCALE * (0.002 * bruteScore(q, t) + 0.05 * (10 - i) + -0.3 * Math.log(1 + tokens) + priorOf(t)),
          };
        })
        .sort((a, b) => b.s - a.s);
      expect(out.map((h) => h.id)).toEqual(expected.map((e) => e.id));
      out.forEach((h, i) => expect(h.score).toBeCloseTo(expected[i].s, 2));
    },
  );

  it('needs a finite BM25 score of every candidate for the question, and names the passage without one', async () => {
    const rr = new NeuralReranker(hybrid, tokenizer);
    const ok = { id: 'a', text: 'a passage', questionScore: 1 };
    for (const questionScore of [undefined, NaN, Infinity]) {
      const items = [ok, { id: 'b', text: 'another passage', questionScore }];
      expect(() => rr.score('q', items)).toThrow(MissingBm25ScoreError);
      expect(() => rr.score('q', items)).toThrow(/^passage "b" has no BM25 score for the query/);
    }
    expect(rr.score('q', [ok])).toHaveLength(1);
    // kard-reranker rerank's input: the line without "score" is refused by id, not scored as BM25 0.
    const hits = parseCandidateLines(
      '{"id": "p0", "text": "Dogs hear well.", "score": 3.5}\n{"id": "p1", "text": "Cats too."}\n',
    );
    await expect(rr.rerank('q', hits)).rejects.toThrow('passage "p1" has no BM25 score for the query (got NaN)');
    // A model that is not hybrid does not read the score.
    expect((await new NeuralReranker(model, tokenizer).rerank('q', hits)).map((h) => h.id).sort()).toEqual([
      'p0',
      'p1',
    ]);
  });
});
