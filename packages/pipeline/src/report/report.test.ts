import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { accuracySvg, reportMarkdown, writeReport, type EvalReport } from './report';

const report: EvalReport = {
  createdAt: '2026-01-01T00:00:00Z',
  run: '/r',
  dataset: { name: 'strategyqa', file: 'dev.json', questions: 4 },
  settings: { nDocs: 1, maxDoc: 8, sc: 1, maxNewTokens: 32, answerFallback: 'score' },
  methods: [
    { name: 'ft', accuracy: 0.5, ci95: [0.15, 0.85], n: 4, correct: 2, unparsed: 1, scored: 1, sc: 1, seconds: 1 },
    {
      name: 'kard-bm25',
      accuracy: 0.75,
      ci95: [0.3, 0.95],
      n: 4,
      correct: 3,
      unparsed: 0,
      scored: 0,
      sc: 1,
      evidenceHitRate: 0.25,
      seconds: 1,
    },
  ],
  retrieval: { evidenceHitRate: { 'kard-bm25': 0.25 } },
  rationaleLoss: { examples: 3, kardWithKnowledge: 2.5, kardWithoutKnowledge: 2.75, rdWithoutKnowledge: 2.6 },
};

test('report.md is one table with a row per method, percentages and the loss line', () => {
  const md = reportMarkdown(report);
  const rows = md.split('\n').filter((l) => l.startsWith('| '));
  expect(rows).toHaveLength(3); // header + 2 methods
  expect(rows[1]).toBe('| ft | 50.0% | 15.0% – 85.0% | 4 | 1 (1) | – |');
  expect(rows[2]).toBe('| kard-bm25 | 75.0% | 30.0% – 95.0% | 4 | 0 (0) | 25.0% |');
  expect(md).toMatch(/with knowledge 2\.500, same student without 2\.750, RD student \(no knowledge\) 2\.600/);
});

test('the SVG has one bar per method, as wide as its accuracy', () => {
  const svg = accuracySvg(report);
  const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
  expect(widths).toHaveLength(2);
  expect(widths[1] / widths[0]).toBeCloseTo(0.75 / 0.5, 5);
  expect(svg.startsWith('<svg')).toBe(true);
});

test('writeReport writes report.json, report.md, accuracy.svg and predictions files together', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kard-rep-')), 'eval');
  const pred = {
    id: 'q1',
    question: 'Q?',
    passages: [],
    rationale: 'r',
    predicted: 'A',
    answeredBy: 'parsed' as const,
    gold: 'A',
    correct: true,
  };
  await writeReport(dir, report, { ft: [pred] });
  expect(fs.readdirSync(dir).sort()).toEqual(['accuracy.svg', 'predictions.ft.jsonl', 'report.json', 'report.md']);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')).methods[1].ci95).toEqual([0.3, 0.95]);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'predictions.ft.jsonl'), 'utf8'))).toEqual(pred);
});
