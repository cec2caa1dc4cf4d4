import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetFormatError } from '../errors';
import { loadFlanCot } from './flan-cot';
import { datasetNameOf, detectFormat, loadQuestions } from './load';
import { loadMcJsonl } from './mc-jsonl';
import { loadMedQa } from './medqa';
import { loadObqa, loadObqaStaged, loadOpenbookFacts } from './obqa';
import { loadStrategyQa } from './strategyqa';

const DATASETS = path.resolve(__dirname, '../../../../datasets');
const FIXTURES = path.resolve(__dirname, '../../test/fixtures');
const manifestRecords = (name: string, file: string) =>
  (
    JSON.parse(readFileSync(path.join(DATASETS, name, 'MANIFEST.json'), 'utf8')).files as Array<{
      path: string;
      records: number;
    }>
  ).find((f) => f.path === file)!.records;

describe('shipped datasets load completely', () => {
  test('StrategyQA train/dev: every question, A = yes / B = no, evidence ids with underscores', () => {
    const file = path.join(DATASETS, 'strategyqa/train.json');
    const { questions, skipped } = loadStrategyQa(file);
    expect(skipped).toEqual([]);
    expect(questions).toHaveLength(manifestRecords('strategyqa', 'train.json'));
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Array<{ answer: boolean }>;
    expect(questions.filter((q) => q.answer === 'A')).toHaveLength(raw.filter((r) => r.answer).length);
    const genghis = questions[0];
    expect(genghis.split).toBe('train');
    expect(genghis.options).toEqual([
      { label: 'A', text: 'yes' },
      { label: 'B', text: 'no' },
    ]);
    // Evidence of the first question, read by hand from train.json: three annotators, ids and
    // "operation"/"no_evidence".
    expect((genghis.meta.evidenceIds as string[]).sort()).toEqual(
      [
        'Alakhai_Bekhi-1',
        'Caesarion-2',
        'Gaius_Julius_Caesar-7',
        'Genghis_Khan-15',
        'Genghis_Khan-17',
        'Julia_(daughter_of_Caesar)-1',
        'Julius_Caesar-75',
        'Tolui-1',
      ].sort(),
    );
    expect(loadStrategyQa(path.join(DATASETS, 'strategyqa/dev.json')).questions).toHaveLength(
      manifestRecords('strategyqa', 'dev.json'),
    );
  });

  test('MedQA test: four options A..D, answer_idx as the label, matching the answer text', () => {
    const { questions } = loadMedQa(path.join(DATASETS, 'medqa/test.jsonl'));
    expect(questions).toHaveLength(manifestRecords('medqa', 'test.jsonl'));
    for (const q of questions) {
      expect(q.options.map((o) => o.label)).toEqual(['A', 'B', 'C', 'D']);
      expect(q.options.find((o) => o.label === q.answer)!.text).toBe(q.meta.answerText);
    }
  });

  test('OpenBookQA staged test/dev and the 1326 open-book facts', () => {
    const { questions } = loadObqaStaged(path.join(DATASETS, 'obqa/test.json'));
    expect(questions).toHaveLength(500);
    expect(questions[0].answer).toBe('B');
    expect(questions[0].options[1].text).toBe('quit eating lunch out');
    expect(questions[0].meta.fact).toBe('using less resources usually causes money to be saved.');
    const facts = loadOpenbookFacts(path.join(DATASETS, 'obqa/openbook.txt'));
    expect(facts).toHaveLength(manifestRecords('obqa', 'openbook.txt'));
    expect(facts[0]).toEqual({ id: 'openbook-0', text: 'A bee is a pollinating animal' });
  });

  test('FLAN CoT: QASC labelled options, ECQA unlabelled (answer by text), CREAK as yes/no claims', () => {
    const qasc = loadFlanCot(path.join(DATASETS, 'flan-cot/qasc_train.tsv')).questions;
    expect(qasc).toHaveLength(manifestRecords('flan-cot', 'qasc_train.tsv'));
    expect(qasc[0].question).toBe('What is the process by which living things give rise to offspring?');
    expect(qasc[0].options).toHaveLength(8);
    expect(qasc[0].options[3]).toEqual({ label: 'D', text: 'sex' });
    expect(qasc[0].answer).toBe('D');
    const ecqa = loadFlanCot(path.join(DATASETS, 'flan-cot/ecqa_train.tsv')).questions;
    expect(ecqa).toHaveLength(manifestRecords('flan-cot', 'ecqa_train.tsv'));
    expect(ecqa[0].options.map((o) => o.text)).toEqual([
      'bloody mess',
      'pleasure',
      'being imprisoned',
      'feeling of guilt',
      'cake',
    ]);
    expect(ecqa[0].answer).toBe('A');
    const creak = loadFlanCot(path.join(DATASETS, 'flan-cot/creak_train.tsv')).questions;
    expect(creak).toHaveLength(manifestRecords('flan-cot', 'creak_train.tsv'));
    expect(creak[0].options).toEqual([
      { label: 'A', text: 'yes' },
      { label: 'B', text: 'no' },
    ]);
    expect(creak[0].answer).toBe('B');
    expect(creak[0].question.startsWith('Claim: "Only people named Floyd')).toBe(true);
    expect(creak[0].question).not.toContain('Options');
  });
});

describe('official and generic formats', () => {
  test('OpenBookQA official jsonl', () => {
    const { questions } = loadObqa(path.join(FIXTURES, 'obqa-official.jsonl'), { split: 'test' });
    expect(questions.map((q) => [q.id, q.answer, q.options.length, q.split])).toEqual([
      ['7-980', 'D', 4, 'test'],
      ['7-584', 'D', 4, 'test'],
    ]);
    expect(questions[0].meta.fact).toBe('the sun is the source of energy for physical cycles on Earth');
  });

  test('generic MC JSONL: options as list, map or objects; answer as label, index or text', () => {
    const { questions } = loadMcJsonl(path.join(FIXTURES, 'mc.jsonl'));
    expect(questions.map((q) => q.answer)).toEqual(['B', 'A', 'A']);
    expect(questions[1].options).toEqual([
      { label: 'A', text: 'Mars' },
      { label: 'B', text: 'the Moon' },
    ]);
  });

  test('format detection by name and first record', () => {
    expect(detectFormat(path.join(DATASETS, 'strategyqa/dev.json'))).toBe('strategyqa');
    expect(detectFormat(path.join(DATASETS, 'medqa/test.jsonl'))).toBe('medqa');
    expect(detectFormat(path.join(DATASETS, 'obqa/dev.json'))).toBe('obqa-json');
    expect(detectFormat(path.join(FIXTURES, 'obqa-official.jsonl'))).toBe('obqa');
    expect(detectFormat(path.join(FIXTURES, 'mc.jsonl'))).toBe('mc-jsonl');
    expect(detectFormat(path.join(DATASETS, 'flan-cot/qasc_train.tsv'))).toBe('flan-cot');
    expect(datasetNameOf(path.join(DATASETS, 'flan-cot/qasc_train.tsv'))).toBe('qasc');
    expect(datasetNameOf(path.join(DATASETS, 'obqa/dev.json'))).toBe('obqa');
    expect(datasetNameOf(path.join(FIXTURES, 'mc.jsonl'))).toBeUndefined();
  });
});

describe('bad input', () => {
  const bad = path.join(FIXTURES, 'bad-no-options.jsonl');

  test('a question without options is an error naming file and line', () => {
    expect(() => loadMcJsonl(bad)).toThrow(DatasetFormatError);
    expect(() => loadMcJsonl(bad)).toThrow(/empty has 0 options.*bad-no-options\.jsonl:2/);
  });

  test('with onInvalid "skip": both bad questions are counted skips, the good one loads', () => {
    const { questions, skipped } = loadMcJsonl(bad, { onInvalid: 'skip' });
    expect(questions.map((q) => q.id)).toEqual(['ok']);
    expect(skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(skipped[1].reason).toMatch(/answer "C" is not one of its options \(A, B\)/);
  });

  test('unknown or undetectable format: a clear error listing the known formats', () => {
    expect(() => loadQuestions(bad, { format: 'csv' as never })).toThrow(
      /unknown dataset format "csv" \(known: strategyqa, medqa/,
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fmt-'));
    const weird = path.join(dir, 'weird.jsonl');
    writeFileSync(weird, '{"foo": 1}\n');
    expect(() => loadQuestions(weird)).toThrow(/cannot tell the dataset format/);
  });

  test('a malformed JSON line names its line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fmt-'));
    const f = path.join(dir, 'broken.jsonl');
    writeFileSync(f, '{"id": "q1", "question": "x?", "options": ["a", "b"], "answer": "A"}\n{"id": "q2", "quest\n');
    expect(() => loadMcJsonl(f)).toThrow(/broken\.jsonl:2/);
  });

  test('a malformed JSON questions file names the file and the line where parsing stopped', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fmt-'));
    const f = path.join(dir, 'dev.json');
    writeFileSync(f, '[\n  {"qid": "q1", "question": "x?", "answer": true},\n  {"qid": "q2" "question": "y?"}\n]\n');
    expect(() => loadQuestions(f, { format: 'strategyqa' })).toThrow(
      new RegExp(`^malformed JSON: .* \\(${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3\\)$`),
    );
  });

  test('a FLAN row with fewer than three columns, or an answer outside its options', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flan-'));
    const f = path.join(dir, 'qasc_train.tsv');
    writeFileSync(f, 'Q?\\nOptions:\\n- (A) x\\n- (B) y\t(C)\tbecause\nonly one column\n');
    expect(() => loadFlanCot(f)).toThrow(/answer "\(C\)" is not one of the options.*:1/);
    const { skipped } = loadFlanCot(f, { onInvalid: 'skip' });
    expect(skipped.map((s) => s.line)).toEqual([1, 2]);
  });
});
