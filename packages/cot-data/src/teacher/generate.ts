import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError, withLock } from '@kard/core';
import type { McQuestion } from '../question';
import { RationaleCache, readCache, type CacheRecord } from './cache';
import { estimateTeacherCost, type TeacherCostEstimate, type TeacherTokenCounter } from './cost';
import { ChatEndpoint, type ChatMessage, type EndpointOptions } from './endpoint';
import { fewShotMessages, rationalisationMessages, type Demonstration } from './fewshot';
import type { FewShotTemplate } from './templates';
import type { ImportedRationale } from './rationale';

export interface GenerateRationalesOptions {
  questions: McQuestion[];
  /**
   * `rationalise` (KARD's teacher; the pipeline's default): the teacher is shown the gold answer and asked to explain
   * it, with `template`'s solved examples. `answer` (default here, for callers written before the mode existed): it
   * answers with a chain of thought from `demonstrations`, and `verifyRationales` later drops wrong answers.
   */
  mode?: TeacherMode;
  /** The rationalisation prompt's instruction and solved examples (`FEW_SHOT_TEMPLATES`); needed in `rationalise`. */
  template?: FewShotTemplate;
  /** Few-shot chain-of-thought examples of the `answer` mode. */
  demonstrations?: Demonstration[];
  endpoint: EndpointOptions | ChatEndpoint;
  /**
   * Append-only JSONL cache; a rerun skips every question that already has `n` rationales there. One process at a
   * time: `<cacheFile>.lock` is held while generating (a second one fails with `FileLockedError` naming the first).
   */
  cacheFile: string;
  /** Rationales per question (KARD sampled 10). Default 10. */
  n?: number;
  /** Default 0.7; KARD's teacher ran at the API's default, 1 (the pipeline's default). */
  temperature?: number;
  /** Default 256. */
  maxTokens?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  instruction?: string;
  /** USD per million prompt / completion tokens, for the cost in the summary (default 0). */
  pricePerMillion?: { prompt: number; completion: number };
  onProgress?: (done: number, total: number) => void;
  /**
   * Called once before the first request with what the run will cost (`estimateTeacherCost` of the prompts still to
   * send, prompt tokens counted by `counter`, by default `chars/4`).
   */
  onEstimate?: (estimate: TeacherCostEstimate) => void;
  counter?: TeacherTokenCounter;
  /** Stop after the estimate: no request is sent (and no endpoint is needed). */
  estimateOnly?: boolean;
}

/** How the teacher is asked: explain the gold answer (`rationalise`), or answer and be filtered (`answer`). */
export type TeacherMode = 'rationalise' | 'answer';
export const TEACHER_MODES = ['rationalise', 'answer'] as const satisfies readonly TeacherMode[];

export interface GenerateSummary {
  questions: number;
  /** Questions that already had `n` rationales in the cache. */
  skippedCached: number;
  requests: number;
  retries: number;
  /** Rationales generated in this run. */
  generated: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/**
 * Samples `n` rationales per question from a chat-completions teacher with a few-shot CoT prompt. Every answer
 * is appended to the cache as it arrives, so the run can be killed at any moment and resumed. When the
 * endpoint fails for good, requests in flight finish, nothing new starts, and the first error is thrown.
 * The cache is locked throughout, so two processes never pay for the same question twice; the rationales
 * returned are at most `n` per question, the first ones cached.
 */
export async function generateRationales(
  opts: GenerateRationalesOptions,
): Promise<{ rationales: ImportedRationale[]; summary: GenerateSummary }> {
  mkdirSync(path.dirname(path.resolve(opts.cacheFile)), { recursive: true });
  return withLock(`${opts.cacheFile}.lock`, { what: `teacher cache ${opts.cacheFile}` }, () => generateLocked(opts));
}

async function generateLocked(
  opts: GenerateRationalesOptions,
): Promise<{ rationales: ImportedRationale[]; summary: GenerateSummary }> {
  const n = opts.n ?? 10;
  if ((opts.mode ?? 'answer') === 'rationalise' && !opts.template)
    throw new UsageError('generateRationales: the rationalise mode needs a few-shot template (FEW_SHOT_TEMPLATES)');
  const cache = new RationaleCache(opts.cacheFile);
  const summary: GenerateSummary = {
    questions: opts.questions.length,
    skippedCached: 0,
    requests: 0,
    retries: 0,
    generated: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
  };
  const todo = opts.questions.filter((q) => cache.count(q.id) < n);
  summary.skippedCached = opts.questions.length - todo.length;
  const maxTokens = opts.maxTokens ?? 256;
  const estimate = estimateTeacherCost(
    todo.map((q) => ({ messages: teacherMessages(q, opts), samples: n - cache.count(q.id) })),
    {
      maxTokens,
      pricePerMillion: opts.pricePerMillion ?? { prompt: 0, completion: 0 },
      counter: opts.counter,
      cached: summary.skippedCached,
    },
  );
  opts.onEstimate?.(estimate);
  if (opts.estimateOnly) {
    cache.close();
    return { rationales: cachedRationales(cache.records, opts.questions, n), summary };
  }
  let endpoint: ChatEndpoint;
  try {
    endpoint = opts.endpoint instanceof ChatEndpoint ? opts.endpoint : new ChatEndpoint(opts.endpoint);
  } catch (e) {
    cache.close();
    throw e;
  }
  let next = 0;
  let done = summary.skippedCached;
  let failure: unknown;
  opts.onProgress?.(done, opts.questions.length);

  const worker = async () => {
    while (failure === undefined && next < todo.length) {
      const q = todo[next++];
      const messages = teacherMessages(q, opts);
      try {
        // Endpoints may return fewer choices than asked: ask again for the rest, at most n times.
        for (let round = 0; round < n && cache.count(q.id) < n && failure === undefined; round++) {
          const c = await endpoint.complete(messages, {
            n: n - cache.count(q.id),
            temperature: opts.temperature ?? 0.7,
            maxTokens,
          });
          const texts = c.texts.slice(0, n - cache.count(q.id));
          cache.append({ id: q.id, rationales: texts, model: endpoint.model, usage: c.usage });
          summary.requests++;
          summary.retries += c.retries;
          summary.generated += texts.length;
          summary.promptTokens += c.usage.prompt_tokens;
          summary.completionTokens += c.usage.completion_tokens;
        }
      } catch (e) {
        failure ??= e;
        return;
      }
      opts.onProgress?.(++done, opts.questions.length);
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  } finally {
    cache.close();
  }
  const price = opts.pricePerMillion ?? { prompt: 0, completion: 0 };
  summary.costUsd = (summary.promptTokens * price.prompt + summary.completionTokens * price.completion) / 1e6;
  if (failure !== undefined) throw failure;
  return { rationales: cachedRationales(cache.records, opts.questions, n), summary };
}

/** The messages `q` is sent with: the rationalisation prompt (`template`) or the few-shot CoT one (`demonstrations`). */
export function teacherMessages(
  q: McQuestion,
  opts: Pick<GenerateRationalesOptions, 'mode' | 'template' | 'demonstrations' | 'instruction'>,
): ChatMessage[] {
  if ((opts.mode ?? 'answer') === 'rationalise') {
    if (!opts.template)
      throw new UsageError('generateRationales: the rationalise mode needs a few-shot template (FEW_SHOT_TEMPLATES)');
    return rationalisationMessages(q, opts.template);
  }
  return fewShotMessages(q, opts.demonstrations ?? [], opts.instruction);
}

/** The cached rationales of the given questions, in cache order, the first `n` of each. */
function cachedRationales(records: CacheRecord[], questions: McQuestion[], n: number): ImportedRationale[] {
  const wanted = new Set(questions.map((q) => q.id));
  return capPerQuestion(
    records.filter((r) => wanted.has(r.id)),
    n,
  );
}

/** Rationales of cache records in order, at most `max` per question (a cache written by two runs may hold more). */
function capPerQuestion(records: CacheRecord[], max: number): ImportedRationale[] {
  const taken = new Map<string, number>();
  return records.flatMap((r) => {
    const room = Math.max(0, max - (taken.get(r.id) ?? 0));
    const texts = r.rationales.slice(0, room);
    taken.set(r.id, (taken.get(r.id) ?? 0) + texts.length);
    return texts.map((text) => ({ questionId: r.id, text, source: `teacher:${r.model}` }));
  });
}

/**
 * Reads a generation cache as rationales (for `teacher verify` or `prepare` on a finished run): all of them, or the
 * first `maxPerQuestion` of each question (the `n` it was generated with).
 */
export function importGenerationCache(file: string, opts: { maxPerQuestion?: number } = {}): ImportedRationale[] {
  return capPerQuestion(readCache(file).records, opts.maxPerQuestion ?? Infinity);
}
