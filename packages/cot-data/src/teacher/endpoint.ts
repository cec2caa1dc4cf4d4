import { TeacherEndpointError } from '../errors';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface EndpointOptions {
  /** e.g. "https://api.openai.com/v1" or "http://127.0.0.1:8000/v1"; default `$OPENAI_BASE_URL`. */
  baseUrl?: string;
  /** default `$KARD_TEACHER_MODEL`, else "gpt-3.5-turbo" (KARD's teacher). */
  model?: string;
  /** default `$OPENAI_API_KEY`; sent as a Bearer token when set. */
  apiKey?: string;
  /** Per-attempt time limit in ms (default 60000): an attempt that takes longer is aborted and retried. */
  timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, time-outs, network errors and malformed answers (default 5). */
  maxRetries?: number;
  /** First back-off delay in ms, doubled each retry (default 1000), capped at `maxDelayMs` (default 60000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface Completion {
  texts: string[];
  usage: { prompt_tokens: number; completion_tokens: number };
  /** Retries this call needed. */
  retries: number;
}

class Retryable extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** An OpenAI-compatible chat-completions endpoint called with plain fetch, with retries and exponential back-off. */
export class ChatEndpoint {
  readonly baseUrl: string;
  readonly model: string;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: EndpointOptions = {}) {
    const baseUrl = opts.baseUrl ?? process.env.OPENAI_BASE_URL;
    if (!baseUrl) throw new TeacherEndpointError('no teacher endpoint: pass baseUrl or set OPENAI_BASE_URL', 0);
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.model = opts.model ?? process.env.KARD_TEACHER_MODEL ?? 'gpt-3.5-turbo';
    this.apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
  }

  /** Asks for `n` completions of `messages`; throws TeacherEndpointError once retries are spent or on a 4xx. */
  async complete(
    messages: ChatMessage[],
    params: { n: number; temperature: number; maxTokens: number },
  ): Promise<Completion> {
    const body = JSON.stringify({
      model: this.model,
      messages,
      n: params.n,
      temperature: params.temperature,
      max_tokens: params.maxTokens,
    });
    let last: Retryable | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (attempt > 0) {
        const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.min(this.maxDelayMs, Math.max(backoff, last?.retryAfterMs ?? 0)));
      }
      try {
        return { ...(await this.attempt(body)), retries: attempt };
      } catch (e) {
        if (!(e instanceof Retryable)) throw e;
        last = e;
      }
    }
    throw new TeacherEndpointError(
      `${this.baseUrl}/chat/completions failed after ${this.maxRetries + 1} attempts: ${last?.message}`,
      this.maxRetries + 1,
      last?.status,
    );
  }

  private async attempt(body: string): Promise<Omit<Completion, 'retries'>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let res: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      res = await fetch(`${this.baseUrl}/chat/completions`, { method: 'POST', headers, body, signal });
      text = await res.text();
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
      throw new Retryable(timedOut ? `no answer within ${this.timeoutMs} ms` : `network error: ${err.message}`);
    }
    if (res.status === 429 || res.status >= 500) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new Retryable(
        `HTTP ${res.status}: ${text.slice(0, 200)}`,
        res.status,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    if (!res.ok)
      throw new TeacherEndpointError(
        `${this.baseUrl}/chat/completions answered HTTP ${res.status}: ${text.slice(0, 300)}`,
        1,
        res.status,
      );
    let json: {
      choices?: Array<{ message?: { content?: unknown } }>;
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    try {
      json = JSON.parse(text);
    } catch {
      throw new Retryable(`malformed JSON answer: ${text.slice(0, 100)}`, res.status);
    }
    const texts = (json.choices ?? []).map((c) => c.message?.content).filter((c): c is string => typeof c === 'string');
    if (texts.length === 0) throw new Retryable('answer has no choices[].message.content', res.status);
    return {
      texts,
      usage: { prompt_tokens: json.usage?.prompt_tokens ?? 0, completion_tokens: json.usage?.completion_tokens ?? 0 },
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
