// `kard-cot teacher generate` against a local fake OpenAI-compatible server: the rationalisation prompt as sent, the
// cost estimate printed before the first request (checked against the requests the server received), and the
// reference's response folder (--out-format chat-responses) read back by the chat-responses importer.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadQuestions } from '../datasets/load';
import { main } from './program';

const DEV = path.resolve(__dirname, '../../../../datasets/obqa/dev.json');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
  return { code, out, err };
}

interface Sent {
  model: string;
  n: number;
  temperature: number;
  max_tokens: number;
  messages: { role: string; content: string }[];
}

/** A chat-completions server that answers each request with `n` distinct texts and records what it was sent. */
async function fakeTeacher(): Promise<{ url: string; sent: Sent[]; close: () => void }> {
  const sent: Sent[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = JSON.parse(body) as Sent;
      sent.push(request);
      const asked = request.messages.at(-1)!.content.split('Question: ').at(-1)!.split('\n')[0];
      const choices = Array.from({ length: request.n }, (_, i) => ({
        index: i,
        message: { role: 'assistant', content: `Sample ${i} of request ${sent.length} explains: ${asked}` },
      }));
      res.end(JSON.stringify({ model: request.model, choices, usage: { prompt_tokens: 100, completion_tokens: 7 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    sent,
    close: () => server.close(),
  };
}

test('rationalise mode sends the gold answer; the estimate comes first and matches what was sent', async () => {
  const teacher = await fakeTeacher();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'teacher-gen-'));
  const questions = loadQuestions(DEV).questions.slice(0, 3);
  const args = ['teacher', 'generate', '--dataset', DEV, '--limit', '3', '--n', '2', '--max-tokens', '50'];
  const prices = ['--price-prompt', '2', '--price-completion', '4'];
  try {
    // --estimate-only: the estimate as JSON, and no request
    const only = await run(...args, '--cache', path.join(dir, 'c.jsonl'), ...prices, '--estimate-only');
    expect(only.code).toBe(0);
    expect(teacher.sent).toHaveLength(0);
    const estimate = JSON.parse(only.out);

    const r = await run(...args, '--cache', path.join(dir, 'c.jsonl'), ...prices, '--base-url', teacher.url);
    expect(r.code).toBe(0);
    // the default mode is KARD's: one user message, the question with its options and gold answer, then
    // "Explanation: " for the teacher to fill; the API's default temperature
    expect(teacher.sent).toHaveLength(3);
    teacher.sent.forEach((s, i) => {
      const q = questions[i];
      expect(s).toMatchObject({ n: 2, temperature: 1, max_tokens: 50 });
      expect(s.messages.map((m) => m.role)).toEqual(['user']);
      const options = q.options.map((o) => `(${o.label}) ${o.text}`).join(' ');
      expect(
        s.messages[0].content.endsWith(`Question: ${q.question}\n${options}\nAnswer: (${q.answer})\nExplanation: `),
      ).toBe(true);
    });
    // the estimate, by hand from the requests received: chars/4 per content and role, 3 tokens a message, 3 priming
    // the reply; completions at most questions x n x max-tokens; USD per million tokens
    const promptTokens = teacher.sent
      .map(
        (s) =>
          3 + s.messages.reduce((t, m) => t + 3 + Math.ceil(m.role.length / 4) + Math.ceil(m.content.length / 4), 0),
      )
      .reduce((a, b) => a + b, 0);
    expect(estimate).toEqual({
      questions: 3,
      cached: 0,
      requests: 3,
      promptTokens,
      counter: 'chars/4',
      maxCompletionTokens: 3 * 2 * 50,
      promptUsd: (promptTokens * 2) / 1e6,
      maxCompletionUsd: (300 * 4) / 1e6,
      maxUsd: (promptTokens * 2 + 300 * 4) / 1e6,
    });
    expect(r.err).toBe(
      `teacher estimate: 3 questions to ask (0 cached) in 3 requests, ${promptTokens} prompt tokens (chars/4) + at ` +
        `most 300 completion tokens: $${((promptTokens * 2) / 1e6).toFixed(4)} + at most $0.0012 = at most ` +
        `$${((promptTokens * 2 + 1200) / 1e6).toFixed(4)}\n`,
    );
    // the actual cost after, from the usage the server reported: 3 x 100 prompt and 3 x 7 completion tokens
    expect(JSON.parse(r.out)).toMatchObject({ requests: 3, promptTokens: 300, completionTokens: 21 });
    expect(JSON.parse(r.out).costUsd).toBeCloseTo((300 * 2 + 21 * 4) / 1e6, 12);

    // a rerun finds everything cached: nothing to ask, nothing to pay
    const again = await run(...args, '--cache', path.join(dir, 'c.jsonl'), ...prices, '--estimate-only');
    expect(JSON.parse(again.out)).toMatchObject({ questions: 0, cached: 3, promptTokens: 0, maxUsd: 0 });
  } finally {
    teacher.close();
  }
});

test("--out-format chat-responses writes the reference's folder, which the importer reads back identically", async () => {
  const teacher = await fakeTeacher();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'teacher-gen-'));
  const cache = path.join(dir, 'c.jsonl');
  const out = path.join(dir, 'responses');
  try {
    const r = await run(
      ...['teacher', 'generate', '--dataset', DEV, '--limit', '4', '--n', '3', '--cache', cache],
      ...['--base-url', teacher.url, '--model', 'fake-3.5', '--out-format', 'chat-responses', '--out', out],
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/wrote 4 responses \(12 rationales\)/);
    expect(readdirSync(out).filter((f) => f.endsWith('.json') && /^\d/.test(f))).toEqual([
      '00000.json',
      '00001.json',
      '00002.json',
      '00003.json',
    ]);
    const first = JSON.parse(readFileSync(path.join(out, '00000.json'), 'utf8'));
    expect(first).toMatchObject({ object: 'chat.completion', model: 'fake-3.5', usage: { prompt_tokens: 100 } });
    // the first question's samples, in order, from the one request that asked it (requests run 4 at a time)
    const texts = first.choices.map((c: { message: { content: string } }) => c.message.content);
    const request = texts[0].match(/^Sample 0 of request (\d+) /)?.[1];
    const q0 = loadQuestions(DEV).questions[0].question;
    expect(texts).toEqual([0, 1, 2].map((i) => `Sample ${i} of request ${request} explains: ${q0}`));

    // the folder and the cache, each imported and tied to the questions, give the same rationales in the same order
    const imported = async (file: string, format: string) => {
      const target = path.join(dir, `${format}.jsonl`);
      const i = await run(
        'teacher',
        'import',
        '--dataset',
        DEV,
        '--rationales',
        file,
        '--rationale-format',
        format,
        '--out',
        target,
      );
      expect(i.code).toBe(0);
      return readFileSync(target, 'utf8');
    };
    const fromFolder = await imported(out, 'chat-responses');
    expect(fromFolder).toBe(await imported(cache, 'generation-cache'));
    expect(fromFolder.trim().split('\n')).toHaveLength(4);

    // --out-format chat-responses without --out is a usage error, before any request
    const asked = teacher.sent.length;
    const bad = await run('teacher', 'generate', '--dataset', DEV, '--cache', cache, '--out-format', 'chat-responses');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--out-format chat-responses needs --out/);
    expect(teacher.sent).toHaveLength(asked);
  } finally {
    teacher.close();
  }
});
