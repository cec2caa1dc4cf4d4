import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lossCurvesSvg } from './loss-curves';
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
    passagesInInput: 0,
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

test('the majority-class rate is a dashed line on the accuracy chart, at its share of the axis', () => {
  const svg = accuracySvg({ ...report, majorityClass: { answer: 'A', rate: 0.6 } });
  const line = svg.match(/<line class="majority-class" x1="([\d.]+)" x2="([\d.]+)"/)!;
  // the bars' widths scale the axis: a bar of accuracy a is a * plot wide, starting where 0% is
  const rect = svg.match(/<rect x="([\d.]+)" [^>]*width="([\d.]+)"/)!;
  const [x0, w05] = [Number(rect[1]), Number(rect[2])]; // ft: accuracy 0.5
  expect(Number(line[1])).toBeCloseTo(x0 + (0.6 / 0.5) * w05, 1);
  expect(line[2]).toBe(line[1]);
  expect(svg).toContain('majority class 60.0%');
  expect(reportMarkdown({ ...report, majorityClass: { answer: 'A', rate: 0.6 } })).toContain(
    'Majority class: always answering A scores 60.0%',
  );
});

test('report.md lists the paired McNemar tests and the comparison with another report', () => {
  const md = reportMarkdown({
    ...report,
    paired: [{ first: 'ft', second: 'kard-bm25', n: 4, onlyFirst: 0, onlySecond: 1, p: 1 }],
    compared: {
      report: '/r/eval-greedy',
      settings: { ...report.settings, decoding: 'greedy' },
      methods: [{ name: 'kard-bm25', accuracy: 0.75, otherAccuracy: 0.5, n: 4, onlyFirst: 1, onlySecond: 0, p: 1 }],
    },
  });
  expect(md).toContain('| ft | kard-bm25 | 4 | 0 | 1 | 1.0000 |');
  expect(md).toContain('Against /r/eval-greedy (decoding greedy), question by question');
  expect(md).toContain('| kard-bm25 | 75.0% | 50.0% | 4 | 1 | 0 | 1.0000 |');
});

describe('loss-curves.svg', () => {
  const curves = {
    base: {
      train: [10, 20, 30, 40].map((step, i) => ({ step, loss: [4, 3.1, 2.5, 2.2][i] })),
      validation: [],
      validationExamples: 0,
    },
    kard: {
      train: [1, 2, 3, 4, 5, 6].map((step, i) => ({ step, loss: [3.5, 3.0, 2.9, 2.4, 2.5, 2.1][i] })),
      validation: [
        { step: 3, loss: 3.2 },
        { step: 6, loss: 2.8 },
      ],
      validationExamples: 64,
    },
  };
  const points = (svg: string, cls: string, student: string) =>
    svg
      .match(new RegExp(`<polyline class="${cls}" data-student="${student}" points="([^"]+)"`))![1]
      .split(' ')
      .map((p) => p.split(',').map(Number));

  test("each polyline's points are an affine image of the logged (step, loss) values, loss pointing up", () => {
    const svg = lossCurvesSvg(curves)!;
    for (const [student, cls, logged] of [
      ['base', 'train', curves.base.train],
      ['kard', 'train', curves.kard.train],
      ['kard', 'validation', curves.kard.validation],
    ] as const) {
      const pts = points(svg, cls, student);
      expect(pts).toHaveLength(logged.length);
      // x: steps map linearly (equal ratios of differences); y: losses map linearly with a negative slope
      const sx = (pts[pts.length - 1][0] - pts[0][0]) / (logged[logged.length - 1].step - logged[0].step);
      expect(sx).toBeGreaterThan(0);
      logged.forEach((l, i) => expect(pts[i][0] - pts[0][0]).toBeCloseTo(sx * (l.step - logged[0].step), 1));
    }
    // one y scale per panel, shared by its training and validation lines: check it across both of kard's lines
    const train = points(svg, 'train', 'kard');
    const val = points(svg, 'validation', 'kard');
    const sy = (train[1][1] - train[0][1]) / (3.0 - 3.5);
    expect(sy).toBeLessThan(0);
    curves.kard.train.forEach((l, i) => expect(train[i][1] - train[0][1]).toBeCloseTo(sy * (l.loss - 3.5), 1));
    curves.kard.validation.forEach((l, i) => expect(val[i][1] - train[0][1]).toBeCloseTo(sy * (l.loss - 3.5), 1));
    // kard's validation loss shares the x scale with its training loss too: step 3 sits over step 3
    expect(val[0][0]).toBeCloseTo(train[2][0], 2);
  });

  test('no student with a curve, no SVG; writeReport writes it when given curves', async () => {
    expect(lossCurvesSvg({})).toBeUndefined();
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kard-rep-')), 'eval');
    await writeReport(dir, report, {}, { lossCurves: curves });
    expect(fs.readFileSync(path.join(dir, 'loss-curves.svg'), 'utf8')).toContain('data-student="kard"');
  });
});
