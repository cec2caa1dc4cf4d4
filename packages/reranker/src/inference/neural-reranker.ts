import * as tf from '@tensorflow/tfjs-core';
import { KardError } from '@kard/core';
import { indexedText, type Passage, type PassageLookup } from '@kard/knowledge-base';
import type { Hit, Reranker } from '@kard/retriever';
import type { ColbertModel } from '../colbert/model';
import { lateInteraction } from '../colbert/late-interaction';
import { loadReranker, rerankerTokenizerDir } from '../io/save';
import { BertTokenizer } from '../tokenizer';
import { modelFingerprint, PassageEmbeddingCache, type PassageEmbedding } from './embedding-cache';

export { modelFingerprint } from './embedding-cache';

export interface NeuralRerankerOptions {
  /** Passages per encoder call. Default 32. */
  batchSize?: number;
  /** Text of hits without `passage`: a `PassageStore`, or anything with its `get` (a Map). */
  passages?: Pick<PassageLookup, 'get'>;
  /** Folder for a disk cache of passage embeddings (one per corpus and model); memory-only when omitted. */
  cacheDir?: string;
}

export interface CandidateText {
  id: string;
  text: string;
  passage: Passage;
  questionScore: number;
}

/** The best `k` of `items` by `scores` (ties keep their input order) as hits ranked from 1. */
export function topHits(items: CandidateText[], scores: ArrayLike<number>, k: number): Hit[] {
  const order = [...items.keys()].sort((a, b) => scores[b] - scores[a] || a - b);
  return order
    .slice(0, k)
    .map((i, r) => ({ id: items[i].id, score: scores[i], rank: r + 1, passage: items[i].passage }));
}

/** Thrown when a candidate's text cannot be found. */
export class MissingPassageError extends KardError {
  constructor(readonly id: string) {
    super(`candidate "${id}" has no passage text: give hits with \`passage\` or a \`passages\` lookup`);
    this.name = 'MissingPassageError';
  }
}

/**
 * A hybrid reranker given a candidate without a finite BM25 score for the query: scoring it as 0 (or NaN) would
 * rank it silently wrong.
 */
export class MissingBm25ScoreError extends KardError {
  constructor(
    readonly id: string,
    readonly value: unknown,
  ) {
    super(
      `passage "${id}" has no BM25 score for the query (got ${value === undefined ? 'none' : String(value)}); a hybrid reranker needs one per candidate: rerank the hits of a BM25 first stage, or give each passage its "score"`,
    );
    this.name = 'MissingBm25ScoreError';
  }
}

/** KARD's neural reranker: orders candidates by ColBERT late interaction with the question. */
export class NeuralReranker implements Reranker {
  readonly cache: PassageEmbeddingCache;
  private readonly batchSize: number;

  constructor(
    readonly model: ColbertModel,
    readonly tokenizer: BertTokenizer,
    private readonly options: NeuralRerankerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 32;
    this.cache = new PassageEmbeddingCache(model.options.compressionDim, modelFingerprint(model), options.cacheDir);
  }

  /** Loads a folder written by `saveReranker` (its base model folder must still exist, or pass `baseModel`). */
  static async load(dir: string, opts: NeuralRerankerOptions & { baseModel?: string } = {}): Promise<NeuralReranker> {
    const model = loadReranker(dir, opts);
    const tokenizer = await BertTokenizer.fromPretrained(rerankerTokenizerDir(dir, opts));
    return new NeuralReranker(model, tokenizer, opts);
  }

  /** Token embeddings of passages, encoded in length-sorted batches, reusing and filling the cache. */
  encodePassages(items: Array<{ id: string; text: string }>): PassageEmbedding[] {
    const todo = items.filter((it, i) => !this.cache.get(it.id) && items.findIndex((o) => o.id === it.id) === i);
    const seqs = todo.map((it) => this.tokenizer.encode(it.text, this.model.options.passageMaxLength));
    const order = [...todo.keys()].sort((a, b) => seqs[a].length - seqs[b].length);
    const D = this.model.options.compressionDim;
    for (let s = 0; s < order.length; s += this.batchSize) {
      const idx = order.slice(s, s + this.batchSize);
      const L = Math.max(...idx.map((i) => seqs[i].length));
      const ids = new Int32Array(idx.length * L).fill(this.tokenizer.padId);
      const mask = new Int32Array(idx.length * L);
      idx.forEach((i, b) => {
        ids.set(seqs[i], b * L);
        mask.fill(1, b * L, b * L + seqs[i].length);
      });
      const out = this.model.embed({ ids, mask, batch: idx.length, length: L });
      const data = out.dataSync() as Float32Array;
      out.dispose();
      idx.forEach((i, b) => {
        const n = seqs[i].length;
        this.cache.set(todo[i].id, { tokens: n, vectors: data.slice(b * L * D, (b * L + n) * D) });
      });
    }
    return items.map((it) => this.cache.get(it.id)!);
  }

  /**
   * Scores of `query` against each passage, in input order: late interaction, or for a hybrid model its
   * combination with each item's `questionScore` (BM25 of this query) and length.
   */
  score(query: string, items: Array<{ id: string; text: string; questionScore?: number }>): number[] {
    if (items.length === 0) return [];
    const embs = this.encodePassages(items);
    const D = this.model.options.compressionDim;
    const q = this.tokenizer.encodeBatch([query], this.model.options.queryMaxLength);
    const Ld = Math.max(...embs.map((e) => e.tokens));
    const d = new Float32Array(embs.length * Ld * D);
    const dMask = new Int32Array(embs.length * Ld);
    embs.forEach((e, j) => {
      d.set(e.vectors, j * Ld * D);
      dMask.fill(1, j * Ld, j * Ld + e.tokens);
    });
    let bm25: tf.Tensor2D | undefined;
    if (this.model.mix) {
      const missing = items.find((it) => !Number.isFinite(it.questionScore));
      if (missing) throw new MissingBm25ScoreError(missing.id, missing.questionScore);
      bm25 = tf.tensor2d(
        items.map((it) => it.questionScore!),
        [1, items.length],
      );
    }
    const scores = tf.tidy(() => {
      const li = lateInteraction(
        this.model.embed(q),
        tf.tensor2d(q.mask, [1, q.length], 'int32'),
        tf.tensor4d(d, [1, embs.length, Ld, D]),
        tf.tensor3d(dMask, [1, embs.length, Ld], 'int32'),
      );
      if (!this.model.mix) return li;
      const tokens = tf.tensor2d(
        embs.map((e) => e.tokens),
        [1, embs.length],
      );
      const mean = new Float32Array(embs.length * D);
      embs.forEach((e, j) => {
        for (let t = 0; t < e.tokens; t++)
          for (let c = 0; c < D; c++) mean[j * D + c] += e.vectors[t * D + c] / e.tokens;
      });
      return this.model.combine(li, tokens, tf.tensor3d(mean, [1, embs.length, D]), bm25);
    });
    bm25?.dispose();
    const out = Array.from(scores.dataSync());
    scores.dispose();
    return out;
  }

  /** Each hit's passage (carried or looked up), its indexed text, and its first-stage score as `questionScore`. */
  async candidateTexts(candidates: Hit[]): Promise<CandidateText[]> {
    return Promise.all(
      candidates.map(async (h) => {
        const passage = h.passage ?? (await this.options.passages?.get(h.id));
        if (!passage) throw new MissingPassageError(h.id);
        return { id: h.id, text: indexedText(passage), passage, questionScore: h.score };
      }),
    );
  }

  /**
   * Reorders `candidates` by score (ties keep their input order) and keeps the best `k`. A hybrid model reads each
   * hit's `score` as its BM25 score for `query`: give it a BM25 first stage's hits, as `RerankingRetriever` does.
   */
  async rerank(query: string, candidates: Hit[], k = candidates.length): Promise<Hit[]> {
    if (candidates.length === 0 || k <= 0) return [];
    const items = await this.candidateTexts(candidates);
    return topHits(items, this.score(query, items), k);
  }

  /** Writes the passage-embedding cache to disk when one was configured. */
  saveCache(): void {
    this.cache.save();
  }
}
