import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStrategyQa } from '../datasets/strategyqa';
import { DatasetFormatError } from '../errors';
import { YES_NO } from '../question';
import { parseAnswer } from './answer';
import { importZeroShotCotLog, readZeroShotCotLog } from './import';
import { attachRationales } from './rationale';
import { verifyRationales } from './verify';

const FIXTURE = path.join(__dirname, '../../test/fixtures/zero-shot-cot.log');
const DATASETS = path.resolve(__dirname, '../../../../datasets');

const yesNo = (label: string | undefined) => (label === 'A' ? 'yes' : label === 'B' ? 'no' : '');

describe('zero-shot-CoT log import (fixture)', () => {
  test("reads every block: question, rationale without the trigger, gold, the log's own prediction", () => {
    const recs = readZeroShotCotLog(FIXTURE);
    expect(recs.map((r) => r.question)).toEqual([
      'Is the sky green at noon?',
      'Can a cat climb a tree?',
      'Is a lemon sweet?',
    ]);
    expect(recs[0].rationale).toBe(
      'The sky scatters blue light most.\n\nSo it looks blue, not green. \nTherefore, the answer (Yes or No) is No.',
    );
    expect(recs.map((r) => r.gold)).toEqual(['no', 'yes', 'no']);
    expect(recs.map((r) => yesNo(parseAnswer(r.rationale, YES_NO)))).toEqual(recs.map((r) => r.predMode));
  });

  test('a block cut off before "GT :" is a format error naming the line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zscot-'));
    const bad = path.join(dir, 'bad.log');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    writeFileSync(bad, lines.filter((l) => l !== 'GT : yes').join('\n'));
    expect(() => readZeroShotCotLog(bad)).toThrow(DatasetFormatError);
    // The error points at the "Q:" line of the block that never ended (the second one).
    const qLine = lines.indexOf('Q: Can a cat climb a tree?') + 1;
    expect(() => readZeroShotCotLog(bad)).toThrow(`bad.log:${qLine})`);
  });
});

// The real teacher log has no licence, so it is not shipped: read it from the shared data when present.
const SHARED = process.env.KARD_SHARED_DATA ?? path.resolve(__dirname, '../../../../../shared/data');
const LOG = path.join(SHARED, 'teacher', 'strategyqa_zero_shot_cot.log');
const haveLog = existsSync(LOG);
if (!haveLog)
  console.log(
    `[cot-data] skipping the zero-shot-CoT log test: ${LOG} not found (set KARD_SHARED_DATA to the folder holding ` +
      `teacher/)`,
  );

(haveLog ? describe : describe.skip)('zero-shot-CoT log of a real teacher (StrategyQA, 2290 answers)', () => {
  test("all 2290 answers import and our parser reproduces the log's accuracy (54.8%)", () => {
    const recs = readZeroShotCotLog(LOG);
    expect(recs).toHaveLength(2290);
    // The independent reference: the accuracy the log's own evaluation printed at its end.
    const logged = Number(/accuracy : ([\d.]+)/.exec(readFileSync(LOG, 'utf8'))![1]) / 100;
    expect(logged).toBeCloseTo(0.548, 3);
    const correct = recs.filter((r) => yesNo(parseAnswer(r.rationale, YES_NO)) === r.gold).length;
    expect(correct).toBe(Math.round(logged * 2290));
    // Per answer, our parse agrees with the log's own answer cleansing nearly everywhere.
    const agree = recs.filter((r) => yesNo(parseAnswer(r.rationale, YES_NO)) === r.predMode).length;
    expect(agree / recs.length).toBeGreaterThan(0.999);
  });

  test('the answers match the public StrategyQA questions, and verification keeps the correct ones', () => {
    const questions = [
      ...loadStrategyQa(path.join(DATASETS, 'strategyqa/train.json')).questions,
      ...loadStrategyQa(path.join(DATASETS, 'strategyqa/dev.json')).questions,
    ];
    const attached = attachRationales(questions, importZeroShotCotLog(LOG));
    expect(attached.unmatched).toBe(0);
    expect(attached.rationales).toHaveLength(2290);
    const { report } = verifyRationales(questions, attached.rationales);
    expect(report.total).toBe(2290);
    expect(report.kept + report.wrong + report.parseFailures).toBe(2290);
    expect(report.kept / report.total).toBeCloseTo(0.548, 3);
    expect(report.parseFailures).toBeGreaterThan(0);
  });
});
