import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TeacherEndpointError } from '../errors';
import { labelOptions, YES_NO, type McQuestion } from '../question';
import { RationaleCache, readCache } from './cache';
import { ChatEndpoint } from './endpoint';
import { FileLockedError } from '@kard/core';
import { generateRationales, importGenerationCache } from './generate';

type Behaviour = 'ok' | '429' | '500' | '400' | 'malformed' | 'slow' | 'hang' | { choices: number };

/** A local chat-completions server that answers each request as the next scripted behaviour says (then 'ok'). */
class FakeTeacher {
  script: Behaviour[] = [];
  bodies: Array<{ model: string; n: number; temperature: number; messages: Array<{ role: string; content: string }> }> =
    [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 5;
  private server = http.createServer((req, res) => this.handle(req, res));
  private hanging: http.ServerResponse[] = [];

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.hanging.forEach((r) => r.destroy());
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', async () => {
      expect(req.url).toBe('/v1/chat/completions');
      expect(req.headers.authorization).toBe('Bearer sk-test');
      const body = JSON.parse(data);
      this.bodies.push(body);
      const b = this.script.shift() ?? 'ok';
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      await new Promise((r) => setTimeout(r, b === 'slow' ? 1500 : this.delayMs));
      this.inFlight--;
      if (b === 'hang') return void this.hanging.push(res);
      if (b === '429') return void res.writeHead(429, { 'retry-after': '0' }).end('{"error":"rate limited"}');
      if (b === '500') return void res.writeHead(500).end('oops');
      if (b === '400') return void res.writeHead(400).end('{"error":"bad model"}');
      if (b === 'malformed')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [');
      const n = typeof b === 'object' ? b.choices : body.n;
      const question = body.messages[1].content.split('\n\n').pop();
      const choices = Array.from({ length: n }, (_, i) => ({
        index: i,
        message: { role: 'assistant', content: `Reasoning ${i} about ${question.slice(10, 30)}.\nAnswer: A` },
      }));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ choices, usage: { prompt_tokens: 100, completion_tokens: 20 * n } }));
    });
  }
}

const questions: McQuestion[] = ['Is ice cold?', 'Is fire hot?', 'Do fish swim?', 'Can pigs fly?'].map(
  (question, i) => ({
    id: `q${i}`,
    question,
    options: YES_NO,
    answer: i === 3 ? 'B' : 'A',
    split: 'train',
    meta: {},
  }),
);
const demos = [
  {
    question: { id: 'd0', question: 'Is snow white?', options: YES_NO, answer: 'A', split: 'train', meta: {} },
    rationale: 'Snow reflects all colours.',
  },
];

let teacher: FakeTeacher;
let baseUrl: string;
let dir: string;
// Generous time-outs where nothing should time out (the machine is shared); short ones where something must.
const fast = { apiKey: 'sk-test', model: 'teacher-1', timeoutMs: 5000, maxRetries: 4, baseDelayMs: 5, maxDelayMs: 20 };

beforeEach(async () => {
  teacher = new FakeTeacher();
  baseUrl = await teacher.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'teacher-'));
});
afterEach(() => teacher.stop());

test('n samples per question, few-shot prompt, bounded concurrency, usage and cost; a rerun asks nothing', async () => {
  teacher.delayMs = 30;
  const cacheFile = path.join(dir, 'cache.jsonl');
  const run = () =>
    generateRationales({
      questions,
      demonstrations: demos,
      endpoint: { baseUrl, ...fast },
      cacheFile,
      n: 3,
      temperature: 0.5,
      concurrency: 2,
      pricePerMillion: { prompt: 1, completion: 2 },
    });
  const { rationales, summary } = await run();
  expect(rationales).toHaveLength(12);
  expect(new Set(rationales.map((r) => r.questionId))).toEqual(new Set(['q0', 'q1', 'q2', 'q3']));
  expect(teacher.maxInFlight).toBeLessThanOrEqual(2);
  expect(teacher.maxInFlight).toBe(2);
  expect(teacher.bodies[0]).toMatchObject({ model: 'teacher-1', n: 3, temperature: 0.5 });
  const user = teacher.bodies[0].messages[1].content;
  expect(user).toContain('Question: Is snow white? A. yes B. no\nExplanation: Snow reflects all colours.\nAnswer: A');
  expect(user.endsWith('A. yes B. no\nExplanation:')).toBe(true);
  // 4 requests x (100 prompt + 60 completion tokens) at $1 / $2 per million.
  expect(summary).toMatchObject({
    questions: 4,
    skippedCached: 0,
    requests: 4,
    retries: 0,
    generated: 12,
    promptTokens: 400,
    completionTokens: 240,
  });
  expect(summary.costUsd).toBeCloseTo((400 * 1 + 240 * 2) / 1e6, 12);
  expect(readFileSync(cacheFile, 'utf8').trim().split('\n')).toHaveLength(4);

  const again = await run();
  expect(teacher.bodies).toHaveLength(4);
  expect(again.summary).toMatchObject({ skippedCached: 4, requests: 0, generated: 0 });
  expect(again.rationales).toHaveLength(12);
});

test('two generations on one cache at once: the teacher is asked once per question, the second run is refused', async () => {
  teacher.delayMs = 30;
  const cacheFile = path.join(dir, 'new', 'cache.jsonl'); // its folder made on the way
  const run = () =>
    generateRationales({ questions, demonstrations: demos, endpoint: { baseUrl, ...fast }, cacheFile, n: 2 });
  const [a, b] = await Promise.allSettled([run(), run()]);
  expect(a.status).toBe('fulfilled');
  expect(b.status).toBe('rejected');
  const err = (b as PromiseRejectedResult).reason;
  expect(err).toBeInstanceOf(FileLockedError);
  expect(err.message.startsWith(`teacher cache ${cacheFile} is in use by pid ${process.pid} on `)).toBe(true);
  expect(teacher.bodies).toHaveLength(4); // one request of n = 2 per question, not two
  const perQuestion = new Map<string, number>();
  for (const r of readCache(cacheFile).records)
    perQuestion.set(r.id, (perQuestion.get(r.id) ?? 0) + r.rationales.length);
  expect([...perQuestion.values()]).toEqual([2, 2, 2, 2]);
  expect(existsSync(`${cacheFile}.lock`)).toBe(false);
  // once the first is done, a rerun asks nothing
  expect((await run()).summary).toMatchObject({ requests: 0, skippedCached: 4 });
});

test('a cache holding more than n for a question (two runs before the lock) gives the first n, and asks nothing', async () => {
  const cacheFile = path.join(dir, 'cache.jsonl');
  const usage = { prompt_tokens: 1, completion_tokens: 1 };
  const lines = questions.flatMap((q) => [
    { id: q.id, rationales: [`first ${q.id}`, `second ${q.id}`], model: 't', usage },
    { id: q.id, rationales: [`third ${q.id}`, `fourth ${q.id}`], model: 't', usage },
  ]);
  writeFileSync(cacheFile, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const { rationales, summary } = await generateRationales({
    questions,
    demonstrations: demos,
    endpoint: { baseUrl, ...fast },
    cacheFile,
    n: 2,
  });
  expect(summary.requests).toBe(0);
  expect(rationales.map((r) => r.text)).toEqual(questions.flatMap((q) => [`first ${q.id}`, `second ${q.id}`]));
  expect(importGenerationCache(cacheFile, { maxPerQuestion: 3 }).filter((r) => r.questionId === 'q0')).toHaveLength(3);
  expect(importGenerationCache(cacheFile)).toHaveLength(16); // without a cap: all of them, as before
});

test('429, 500, malformed JSON and a slow answer are retried with back-off until one succeeds', async () => {
  teacher.script = ['429', '500', 'malformed', 'slow'];
  const { summary, rationales } = await generateRationales({
    questions: questions.slice(0, 1),
    demonstrations: demos,
    endpoint: { baseUrl, ...fast, timeoutMs: 700 },
    cacheFile: path.join(dir, 'c.jsonl'),
    n: 2,
    concurrency: 1,
  });
  expect(teacher.bodies).toHaveLength(5);
  expect(summary.retries).toBe(4);
  expect(summary.requests).toBe(1);
  expect(rationales).toHaveLength(2);
});

test('an endpoint that returns fewer choices than asked is asked again for the rest', async () => {
  teacher.script = [{ choices: 1 }, { choices: 1 }];
  const { rationales } = await generateRationales({
    questions: questions.slice(0, 1),
    demonstrations: demos,
    endpoint: { baseUrl, ...fast },
    cacheFile: path.join(dir, 'c.jsonl'),
    n: 3,
    concurrency: 1,
  });
  expect(teacher.bodies.map((b) => b.n)).toEqual([3, 2, 1]);
  expect(rationales).toHaveLength(3);
});

test('a never-answering endpoint ends in a clear error after its retries, quickly, leaving a clean cache', async () => {
  teacher.script = Array(10).fill('hang');
  const cacheFile = path.join(dir, 'c.jsonl');
  const t0 = Date.now();
  const endpoint = { baseUrl, ...fast, timeoutMs: 100, maxRetries: 2 };
  const err = await generateRationales({
    questions: questions.slice(0, 1),
    demonstrations: demos,
    endpoint,
    cacheFile,
    n: 1,
  }).catch((e) => e);
  expect(err).toBeInstanceOf(TeacherEndpointError);
  expect(err.message).toMatch(/failed after 3 attempts: no answer within 100 ms/);
  expect(err.attempts).toBe(3);
  expect(Date.now() - t0).toBeLessThan(3000);
  expect(readFileSync(cacheFile, 'utf8')).toBe('');
});

test(
  'a 4xx other than 429 is not retried; what was done ' + 'before stays cached and a rerun does only the rest',
  async () => {
    teacher.script = ['ok', '400'];
    const cacheFile = path.join(dir, 'c.jsonl');
    const opts = {
      questions: questions.slice(0, 3),
      demonstrations: demos,
      endpoint: { baseUrl, ...fast },
      cacheFile,
      n: 2,
      concurrency: 1,
    };
    await expect(generateRationales(opts)).rejects.toThrow(/answered HTTP 400: \{"error":"bad model"\}/);
    expect(teacher.bodies).toHaveLength(2);
    expect(readCache(cacheFile).records.map((r) => r.id)).toEqual(['q0']);
    const { summary } = await generateRationales(opts);
    expect(summary).toMatchObject({ skippedCached: 1, requests: 2 });
    expect(readCache(cacheFile).records.map((r) => r.id)).toEqual(['q0', 'q1', 'q2']);
  },
);

test('no base URL anywhere: a clear error before any work', () => {
  const saved = process.env.OPENAI_BASE_URL;
  delete process.env.OPENAI_BASE_URL;
  try {
    expect(() => new ChatEndpoint({})).toThrow(/no teacher endpoint: pass baseUrl or set OPENAI_BASE_URL/);
  } finally {
    if (saved !== undefined) process.env.OPENAI_BASE_URL = saved;
  }
});

describe('RationaleCache', () => {
  test('a torn last line (killed mid-write) is ignored on read and dropped before the next append', () => {
    const file = path.join(dir, 'torn.jsonl');
    const rec = { id: 'q0', rationales: ['r1', 'r2'], model: 'm', usage: { prompt_tokens: 1, completion_tokens: 2 } };
    const torn = '{"id":"q1","rationales":["half';
    writeFileSync(file, `${JSON.stringify(rec)}\n${torn}`);
    expect(readCache(file)).toMatchObject({ records: [rec], tornBytes: torn.length });
    expect(readFileSync(file, 'utf8')).toContain('half');
    const cache = new RationaleCache(file);
    expect(cache.count('q0')).toBe(2);
    expect(cache.count('q1')).toBe(0);
    cache.append({ ...rec, id: 'q1' });
    cache.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.filter(Boolean).map((l) => JSON.parse(l).id)).toEqual(['q0', 'q1']);
  });

  test('a corrupt line in the middle is an error naming it', () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      '{"id":"q0","rationales":[],"model":"m","usage":{}}\nnot ' +
        'json\n{"id":"q1","rationales":[],"model":"m","usage":{}}\n',
    );
    expect(() => readCache(file)).toThrow(/bad\.jsonl:2/);
  });
});

test('options of any count reach the prompt with their labels', async () => {
  const q: McQuestion = {
    id: 'm0',
    question: 'Pick the metal.',
    options: labelOptions(['wood', 'iron', 'glass']),
    answer: 'B',
    split: 'train',
    meta: {},
  };
  await generateRationales({
    questions: [q],
    demonstrations: demos,
    endpoint: { baseUrl, ...fast },
    cacheFile: path.join(dir, 'c.jsonl'),
    n: 1,
  });
  expect(
    teacher.bodies[0].messages[1].content.endsWith('Question: Pick the metal. A. wood B. iron C. glass\nExplanation:'),
  ).toBe(true);
});
