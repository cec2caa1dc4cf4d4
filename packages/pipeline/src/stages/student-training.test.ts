// A student stage killed after its last checkpoint but before its marker resumes at the final step and trains
// nothing: it must still report the validation loss (tools/chaos/kill-resume.mjs found the marker without it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import { createScratchT5, loadTokenizer, type TokenizedExample } from '@kard/student';
import { trainStudent, type StudentTrainOptions } from './student-training';

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
