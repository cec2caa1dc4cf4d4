#!/usr/bin/env node
// Reranker throughput: passages encoded/s and questions reranked/s (100 BM25 candidates each), with BM25 search
// q/s measured in the same run as the baseline. Needs `npx nx run @kard/reranker:build`.
// Usage: node tools/bench/reranker/bench.mjs [--questions 10] [--hidden 64] [--layers 1] [--max-len 128] [--hybrid]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '@kard/nn';
import { readPassages } from '@kard/knowledge-base';
import { Bm25Index } from '@kard/retriever';
import { readFlanCotRows } from '@kard/cot-data';
import { BertEncoder, BertTokenizer, ColbertModel, NeuralReranker, smallBertConfig } from '@kard/reranker';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: a } = parseArgs({
  options: {
    questions: { type: 'string', default: '10' },
    hidden: { type: 'string', default: '64' },
    layers: { type: 'string', default: '1' },
    'max-len': { type: 'string', default: '128' },
    backend: { type: 'string' },
    hybrid: { type: 'boolean', default: false },
  },
});
const backend = await initBackend({ backend: a.backend });
const passages = [];
for await (const p of readPassages(path.join(root, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'))) passages.push(p);
const index = await Bm25Index.build(passages);
const byId = new Map(passages.map((p) => [p.id, p]));
const questions = readFlanCotRows(path.join(root, 'datasets/flan-cot/strategyqa_train.tsv'))
  .slice(0, Number(a.questions))
  .map((r) => r.question);

const tokenizer = await BertTokenizer.fromPretrained(path.join(root, 'models/bert-uncased-tokenizer'));
const H = Number(a.hidden);
const config = smallBertConfig({
  hidden_size: H,
  intermediate_size: 2 * H,
  num_attention_heads: Math.max(1, H / 32),
  num_hidden_layers: Number(a.layers),
});
const maxLen = Number(a['max-len']);
const model = ColbertModel.create(BertEncoder.random(config, { seed: 1 }), {
  compressionDim: 128,
  passageMaxLength: maxLen,
  queryMaxLength: 64,
  hybrid: a.hybrid,
});

// Baseline: BM25 search, top 100.
let t0 = performance.now();
let reps = 0;
while (performance.now() - t0 < 2000) for (const q of questions) (index.search(q, 100), reps++);
const bm25Qps = reps / ((performance.now() - t0) / 1000);

// Passages encoded per second (no cache), on 256 passages.
const sample = passages.slice(0, 256).map((p) => ({ id: p.id, text: `${p.title}\n${p.text}` }));
const enc = new NeuralReranker(model, tokenizer, { batchSize: 32 });
t0 = performance.now();
enc.encodePassages(sample);
const passagesPerS = sample.length / ((performance.now() - t0) / 1000);

// Questions reranked per second, 100 candidates each, cold cache (each question encodes its candidates).
t0 = performance.now();
for (const q of questions) {
  const rr = new NeuralReranker(model, tokenizer, { batchSize: 32 });
  await rr.rerank(
    q,
    index.search(q, 100).map((h) => ({ ...h, passage: byId.get(h.id) })),
    10,
  );
}
const rerankQps = questions.length / ((performance.now() - t0) / 1000);

console.log(
  `backend ${backend.name}; encoder: ${config.num_hidden_layers} layer(s), hidden ${H}, passages ≤ ${maxLen} ` +
    `tokens${a.hybrid ? ', hybrid score' : ''}`,
);
console.log(`BM25 search (top 100)           ${bm25Qps.toFixed(1)} q/s   (baseline)`);
console.log(`passages encoded                ${passagesPerS.toFixed(1)} passages/s`);
console.log(
  `questions reranked (100 cands)  ${rerankQps.toFixed(2)} q/s   ratio to BM25: ` +
    `${(rerankQps / bm25Qps).toExponential(2)}`,
);
