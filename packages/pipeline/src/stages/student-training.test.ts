// A student stage killed after its last checkpoint but before its marker resumes at the final step and trains
// nothing: it must still report the validation loss (tools/chaos/kill-resume.mjs found the marker without it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import { createScratchT5, loadTokenizer, type TokenizedExample } from '@kard/student';
import { curveEvery, trainStudent, writeLossCurve, type StudentTrainOptions } from './student-training';

const TOKENIZER = path.resolve(__dirname, '../../../../models/t5-tokenizer');

test('resumed from a checkpoint of the last step: no steps run, the same validation loss as the run that wrote it', async () => {
  await initBackend();
  const tok = await loadTokenizer(TOKENIZER);
  const examples: TokenizedExample[] = ['is water wet', 'do dogs hear well', 'was khan a title', 'is ice cold'].map(
    (q, i) => ({ id: `e${i}`, inputIds: tok.encode(q), targetIds: tok.encode(i % 2 ? 'yes' : 'no') }),
  );
  const opts: StudentTrainOptions = {
    steps: 2,
    batchSize: 2,
    lr: 0.01,
    warmupRatio: 0,
    weightDecay: 0,
    seed: 3,
    checkpointDir: fs.mkdtempSync(path.join(os.tmpdir(), 'kard-student-resume-')),
    checkpointEvery: 2, // the only checkpoint is the last step's
    validation: examples.slice(0, 2),
  };
  const model = () => createScratchT5(tok, { dModel: 16, dFf: 32, numLayers: 1, numHeads: 2 }, 7);
  const first = await trainStudent(model(), examples.slice(2), opts);
  expect(first.validationLoss).toBeGreaterThan(0);
  // "killed" here: the checkpoint of step 2 is on disk; a new process starts over with a fresh model
  const again = await trainStudent(model(), examples.slice(2), opts);
  expect(again.resumedFromStep).toBe(2);
  expect(again.losses).toEqual([]);
  expect(again.validationLoss).toBe(first.validationLoss);
}, 30000);

describe('loss curves', () => {
  test('curveEvery: about five points, the last step one of them; a prime step count gets only its last', () => {
    expect(curveEvery(300)).toBe(60);
    expect(curveEvery(400)).toBe(80);
    expect(curveEvery(7)).toBe(1); // 7 points: 7 / 5 rounds down to 1
    expect(curveEvery(2)).toBe(1);
    expect(curveEvery(997)).toBe(997); // only divisor below 199 is 1: 997 points would be too many
  });

  test("writeLossCurve keeps each step's last training loss (a resumed run logs steps again) beside the evaluations", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-curve-'));
    const log = [
      { step: 1, epoch: 0, loss: 3.0, lr: 1 },
      { step: 2, epoch: 0, loss: 2.8, lr: 1 },
      { step: 2, epoch: 0, evalLoss: 2.9 }, // the trainer's own evaluation record, same step
      { step: 2, epoch: 0, loss: 2.7, lr: 1 }, // resumed from the checkpoint of step 1: step 2 again
      { step: 3, epoch: 0, loss: 2.5, lr: 1 },
    ];
    fs.writeFileSync(path.join(dir, 'log.jsonl'), log.map((r) => JSON.stringify(r)).join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'validation-curve.jsonl'), '{"step":3,"validationLoss":2.6}\n');
    const student = path.join(dir, 'student');
    const curve = writeLossCurve(dir, student, 200);
    expect(curve).toEqual({
      train: [
        { step: 1, loss: 3.0 },
        { step: 2, loss: 2.7 },
        { step: 3, loss: 2.5 },
      ],
      validation: [{ step: 3, loss: 2.6 }],
      validationExamples: 64,
    });
    expect(JSON.parse(fs.readFileSync(path.join(student, 'loss-curve.json'), 'utf8'))).toEqual(curve);
  });
});
