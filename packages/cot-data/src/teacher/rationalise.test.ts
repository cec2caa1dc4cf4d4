// KARD's teacher as the reference ran it (generate_explanations.py): the prompt it is sent, the reference's response
// folder read back, and what verification keeps, counts and reports in the rationalisation mode.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadQuestions } from '../datasets/load';
import { prepare } from '../prepare';
import { importRationales } from './import';
import { attachRationales } from './rationale';
import { generateRationales } from './generate';
import { FEW_SHOT_TEMPLATES } from './templates';
import { verifyRationales } from './verify';

const DATASETS = path.resolve(__dirname, '../../../../datasets');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kard-rationalise-'));

/** A chat-completions server that records each request body and answers n canned explanations. */
async function fakeOpenAi(bodies: unknown[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data) as { n: number };
      bodies.push({ url: req.url, ...body });
      const choices = Array.from({ length: body.n }, (_, i) => ({
        index: i,
        message: { role: 'assistant', content: `Deep sea animals live deep in the ocean (sample ${i}).` },
        finish_reason: 'stop',
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ model: 'gpt-3.5-turbo-0301', choices, usage: { prompt_tokens: 500, completion_tokens: 40 } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('rationalise mode sends the reference prompt: instruction, solved examples, the question with its gold answer', async () => {
  const bodies: Array<Record<string, unknown>> = [];
  const server = await fakeOpenAi(bodies);
  try {
    const dev = loadQuestions(path.join(DATASETS, 'obqa/dev.json')).questions;
    const { rationales, summary } = await generateRationales({
      questions: [dev[0]],
      mode: 'rationalise',
      template: FEW_SHOT_TEMPLATES.obqa,
      endpoint: { baseUrl: server.url, model: 'gpt-3.5-turbo', apiKey: 'sk-test' },
      cacheFile: path.join(tmp, 'cache.jsonl'),
      n: 10,
      temperature: 1,
      pricePerMillion: { prompt: 1.5, completion: 2 },
    });
    // the prompt written out by hand from generate_explanations.py's layout and datasets/obqa/dev.json records 2, 3,
    // 6, 7 (the examples) and 0 (the question, gold answer A)
    const expected =
      'The following are multiple-choice questions about elementary science. Generate detailed step-by-step ' +
      'explanations for each question and answer.\n\n' +
      'Question: When birds migrate south for the winter, they do it because\n' +
      '(A) they are genetically called to (B) their children ask for them to (C) it is important to their happiness ' +
      '(D) they decide to each year\nAnswer: (A)\nExplanation: Migration is an instinctive behaviour: birds do not ' +
      'learn or choose it, they inherit it. An instinct is written in their genes, so they migrate because they are ' +
      'genetically called to.\n\n' +
      'Question: If a person walks in the opposite direction of a compass arrow they are walking\n' +
      '(A) west (B) north (C) east (D) south\nAnswer: (D)\nExplanation: A compass needle points north. Walking in ' +
      'the opposite direction of the arrow means walking away from north, which is south.\n\n' +
      'Question: A person can grow cabbage in January with the help of what product?\n' +
      '(A) Green house (B) Parliment (C) Congress (D) White house\nAnswer: (A)\nExplanation: January is cold, and ' +
      'cold weather kills or stops the growth of plants like cabbage. A greenhouse protects plants from the cold, so ' +
      'it lets a person grow cabbage in winter. Parliament, Congress and the White House are institutions, not ' +
      'products for growing plants.\n\n' +
      'Question: A frog, in winter, will burrow itself into soft mud, until it freezes, then in the spring\n' +
      '(A) it melts, because it is warm-blooded (B) it unfreezes, because it is cold-blooded (C) it remains frozen ' +
      'until it dies (D) it dies, because it is warm-blooded\nAnswer: (B)\nExplanation: A frog is an amphibian, and ' +
      'amphibians are cold-blooded: their body temperature follows their surroundings. When the spring warms the ' +
      'mud, the frozen frog warms with it and unfreezes.\n\n' +
      'Question: Frilled sharks and angler fish live far beneath the surface of the ocean, which is why they are ' +
      'known as\n(A) Deep sea animals (B) fish (C) Long Sea Fish (D) Far Sea Animals\nAnswer: (A)\nExplanation: ';
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toEqual({
      url: '/v1/chat/completions',
      model: 'gpt-3.5-turbo',
      messages: [{ role: 'user', content: expected }],
      n: 10,
      temperature: 1,
      max_tokens: 256,
    });
    expect(rationales).toHaveLength(10);
    // 500 prompt and 40 completion tokens at $1.5 and $2 per million
    expect(summary.costUsd).toBeCloseTo((500 * 1.5 + 40 * 2) / 1e6, 12);
  } finally {
    await server.close();
  }
});

/** The reference's data/medqa_usmle_hf/train.json (JSON lines) for two questions. */
function referenceQuestions(dir: string): string {
  mkdirSync(path.join(dir, 'medqa_usmle_hf'));
  const file = path.join(dir, 'medqa_usmle_hf', 'train.json');
  const line = (sent1: string, endings: string[], label: number) =>
    JSON.stringify({ sent1, sent2: '', ...Object.fromEntries(endings.map((e, i) => [`ending${i}`, e])), label });
  writeFileSync(
    file,
    `${line('Which vitamin deficiency causes scurvy?', ['Vitamin A', 'Vitamin B12', 'Vitamin C', 'Vitamin D'], 2)}\n` +
      `${line('Which organ secretes insulin?', ['Liver', 'Pancreas', 'Spleen', 'Kidney'], 1)}\n`,
  );
  return file;
}

/** A chat-completion response as the reference saved it (json.dump of openai.ChatCompletion.create). */
const response = (contents: Array<string | null>) => ({
  id: 'chatcmpl-7',
  object: 'chat.completion',
  created: 1680000000,
  model: 'gpt-3.5-turbo-0301',
  usage: { prompt_tokens: 900, completion_tokens: 300, total_tokens: 1200 },
  choices: contents.map((content, index) => ({
    message: { role: 'assistant', content },
    finish_reason: content === null ? 'content_filter' : 'stop',
    index,
  })),
});

test("the reference's response folder imports by position; empty and contradicting explanations are counted and kept out", async () => {
  const dir = mkdtempSync(path.join(tmp, 'ref-'));
  const questionsFile = referenceQuestions(dir);
  const out = path.join(dir, 'chatgpt_output');
  mkdirSync(out);
  writeFileSync(
    path.join(out, '00000.json'),
    JSON.stringify(
      response([
        'Scurvy is caused by a lack of vitamin C, which is needed to make collagen.',
        'Explanation: Vitamin C (ascorbic acid) is a cofactor of collagen synthesis. So, the answer is (C)',
        // no explanation at all: only an answer
        'Answer: (C)',
      ]),
      null,
      4,
    ),
  );
  writeFileSync(
    path.join(out, '00001.json'),
    JSON.stringify(
      response([
        // argues for another option than the gold (B)
        'Insulin regulates glucose, which the liver stores. Therefore, the answer is (A).',
        null,
        'The beta cells of the pancreatic islets secrete insulin.',
      ]),
    ),
  );
  writeFileSync(path.join(out, 'README.txt'), 'not a response');

  const imported = importRationales(out, 'chat-responses');
  expect(imported.map((r) => [r.questionIndex, r.source])).toEqual([
    [0, 'teacher:gpt-3.5-turbo-0301'],
    [0, 'teacher:gpt-3.5-turbo-0301'],
    [0, 'teacher:gpt-3.5-turbo-0301'],
    [1, 'teacher:gpt-3.5-turbo-0301'],
    [1, 'teacher:gpt-3.5-turbo-0301'],
    [1, 'teacher:gpt-3.5-turbo-0301'],
  ]);
  const { questions } = loadQuestions(questionsFile);
  expect(questions.map((q) => [q.id, q.answer])).toEqual([
    ['train-0', 'C'],
    ['train-1', 'B'],
  ]);
  expect(questions[0].options.map((o) => `${o.label} ${o.text}`)).toEqual([
    'A Vitamin A',
    'B Vitamin B12',
    'C Vitamin C',
    'D Vitamin D',
  ]);
  const { rationales } = attachRationales(questions, imported);
  const { kept, report } = verifyRationales(questions, rationales, 'rationalise');
  expect(kept.map((r) => [r.questionId, r.text])).toEqual([
    ['train-0', 'Scurvy is caused by a lack of vitamin C, which is needed to make collagen.'],
    ['train-0', 'Vitamin C (ascorbic acid) is a cofactor of collagen synthesis. So, the answer is (C)'],
    ['train-1', 'The beta cells of the pancreatic islets secrete insulin.'],
  ]);
  expect(report).toMatchObject({ total: 6, kept: 3, wrong: 1, noExplanation: 2, parseFailures: 0 });

  // the same folder through prepare (rd: no knowledge base needed): the counts land in the manifest
  const manifest = await prepare({
    dataset: { file: questionsFile },
    rationales: [{ file: out, format: 'chat-responses' }],
    mode: 'rd',
    teacherMode: 'rationalise',
    validationFraction: 0,
    outDir: path.join(dir, 'prepared'),
  });
  expect(manifest.instruction).toBe('Answer the following medical question by reasoning step by step.');
  expect(manifest.counts.verify).toMatchObject({ kept: 3, wrong: 1, noExplanation: 2 });
  const train = readFileSync(path.join(dir, 'prepared', 'train.jsonl'), 'utf8')
    .trim()
    .split('\n');
  expect(JSON.parse(train[2]).target).toBe('The beta cells of the pancreatic islets secrete insulin.\nAnswer: B');
});

test('answer mode still drops what rationalise mode keeps: an explanation that states no answer', () => {
  const q = loadQuestions(path.join(DATASETS, 'obqa/dev.json')).questions.slice(0, 1);
  const r = [{ questionId: q[0].id, sample: 0, text: 'deep sea animals live deep in the ocean.', source: 'fact' }];
  expect(verifyRationales(q, r, 'rationalise').report).toMatchObject({ kept: 1, wrong: 0 });
  // a fact of a few words names an option without choosing it: the answer parser would read "Deep sea animals"
  expect(verifyRationales(q, r, 'answer').report).toMatchObject({ kept: 1 });
  const other = [{ ...r[0], text: 'fish live in water.' }];
  expect(verifyRationales(q, other, 'rationalise').report).toMatchObject({ kept: 1, wrong: 0 });
  expect(verifyRationales(q, other, 'answer').report).toMatchObject({ kept: 0, wrong: 1 });
});

test("dataset-fact: each OpenBookQA question's gold fact is its one rationale", () => {
  const file = path.join(DATASETS, 'obqa/dev.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Array<{ cot: string }>;
  const imported = importRationales(file, 'dataset-fact');
  expect(imported).toHaveLength(500);
  expect(imported.map((r) => r.text)).toEqual(raw.map((r) => r.cot));
  expect(imported[7]).toEqual({ questionId: 'obqa-dev-7', text: 'an amphibian is cold-blooded.', source: 'fact' });
});
