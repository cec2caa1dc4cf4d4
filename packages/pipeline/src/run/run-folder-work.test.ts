// A kill after a stage's marker is written but before its work folder is removed leaves checkpoints behind
// (tools/chaos/kill-resume.mjs found them in a finished run): the next run, skipping the stage, removes them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunFolder } from './run-folder';

test("a skipped stage's left-over work folder is removed; a stage that is not done keeps its checkpoints", async () => {
  const run = new RunFolder(fs.mkdtempSync(path.join(os.tmpdir(), 'kard-work-')));
  await run.stage('student-ft', { steps: 4 }, async () => 'trained');
  expect(fs.existsSync(run.path('.work', 'student-ft'))).toBe(false);
  // the kill: the marker is in place, the cleanup never ran
  fs.mkdirSync(run.path('.work', 'student-ft', 'checkpoints', 'checkpoint-4'), { recursive: true });
  fs.writeFileSync(run.path('.work', 'student-ft', 'checkpoints', 'checkpoint-4', 'trainer_state.json'), '{}');
  const again = await run.stage('student-ft', { steps: 4 }, async () => 'trained again');
  expect(again.skipped).toBe(true);
  expect(fs.existsSync(run.path('.work', 'student-ft'))).toBe(false);

  // an unfinished stage's work is what a resume needs: skipping another stage leaves it alone
  fs.mkdirSync(run.path('.work', 'student-rd', 'checkpoints'), { recursive: true });
  await run.stage('student-ft', { steps: 4 }, async () => 'trained again');
  expect(fs.existsSync(run.path('.work', 'student-rd', 'checkpoints'))).toBe(true);
});
