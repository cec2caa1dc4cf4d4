import type { ChatMessage } from './endpoint';

/** Counts a teacher's tokens: a tokenizer's, or the `chars/4` rule of thumb OpenAI gives for English text. */
export interface TeacherTokenCounter {
  count(text: string): number;
  /** `chars/4`, or the tokenizer folder. */
  readonly name: string;
}

/** About 4 characters a token in English text (OpenAI's rule of thumb): for a teacher whose tokenizer we lack. */
export const CHARS_PER_TOKEN: TeacherTokenCounter = { name: 'chars/4', count: (text) => Math.ceil(text.length / 4) };

/**
 * Chat framing the API adds and bills on top of the contents: 3 tokens a message (its role and separators) and 3
 * priming the reply (OpenAI's cookbook, "How to count tokens with tiktoken", for the gpt-3.5-turbo / gpt-4 models).
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

/** What a teacher run will cost, computed before any request from the prompts it will send. */
export interface TeacherCostEstimate {
  /** Questions still to ask (fewer than n rationales cached). */
  questions: number;
  /** Questions skipped because the cache holds their n rationales. */
  cached: number;
  /** One request per question: its samples come back as the `n` choices of one response. */
  requests: number;
  /** Prompt tokens billed, once per request (the `n` choices share the prompt). */
  promptTokens: number;
  /** How prompt tokens were counted: `chars/4` or a tokenizer folder. */
  counter: string;
  /** The most completion tokens the run can be billed: samples still wanted x maxTokens. */
  maxCompletionTokens: number;
  promptUsd: number;
  maxCompletionUsd: number;
  /** promptUsd + maxCompletionUsd: the cost at most, if every sample runs to maxTokens. */
  maxUsd: number;
}

/**
 * The cost of asking each of `asks` (its messages and the samples still wanted) once, at `pricePerMillion` USD per
 * million prompt / completion tokens. An endpoint that returns fewer choices than asked is asked again for the rest,
 * paying the prompt again: the estimate leaves that out.
 */
export function estimateTeacherCost(
  asks: { messages: ChatMessage[]; samples: number }[],
  opts: {
    maxTokens: number;
    pricePerMillion: { prompt: number; completion: number };
    counter?: TeacherTokenCounter;
    cached?: number;
  },
): TeacherCostEstimate {
  const counter = opts.counter ?? CHARS_PER_TOKEN;
  let promptTokens = 0;
  let maxCompletionTokens = 0;
  for (const a of asks) {
    promptTokens += TOKENS_PER_REPLY;
    for (const m of a.messages) promptTokens += TOKENS_PER_MESSAGE + counter.count(m.role) + counter.count(m.content);
    maxCompletionTokens += a.samples * opts.maxTokens;
  }
  const promptUsd = (promptTokens * opts.pricePerMillion.prompt) / 1e6;
  const maxCompletionUsd = (maxCompletionTokens * opts.pricePerMillion.completion) / 1e6;
  return {
    questions: asks.length,
    cached: opts.cached ?? 0,
    requests: asks.length,
    promptTokens,
    counter: counter.name,
    maxCompletionTokens,
    promptUsd,
    maxCompletionUsd,
    maxUsd: promptUsd + maxCompletionUsd,
  };
}

/** The estimate as one log line. */
export function teacherEstimateLine(e: TeacherCostEstimate): string {
  return (
    `teacher estimate: ${e.questions} questions to ask (${e.cached} cached) in ${e.requests} requests, ` +
    `${e.promptTokens} prompt tokens (${e.counter}) + at most ${e.maxCompletionTokens} completion tokens: ` +
    `$${e.promptUsd.toFixed(4)} + at most $${e.maxCompletionUsd.toFixed(4)} = at most $${e.maxUsd.toFixed(4)}`
  );
}
