// student.vocabFrom: a trimmed vocabulary counted from the knowledge base alone spells the questions' other words in
// fragments; counted from the training questions too, it cuts every training question as the whole tokenizer does.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { instructionFor, loadQuestions, promptTexts } from '@kard/cot-data';
import { loadTokenizer } from '@kard/student';
import { loadConfig, RunFolder, TrainingPipeline } from '../src';

const root = path.resolve(__dirname, '../../..');

test('vocabFrom knowledge+questions keeps every piece of the training prompts; knowledge alone does not', async () => {
  const cwd = process.cwd();
  process.chdir(root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-vocab-'));
  try {
    // 40 open-book facts as the knowledge base, 30 OpenBookQA questions to train on
    const facts = path.join(dir, 'openbook.txt');
    fs.writeFileSync(facts, fs.readFileSync('datasets/obqa/openbook.txt', 'utf8').split('\n').slice(0, 40).join('\n'));
    const base = {
      'dataset.train': 'datasets/obqa/dev.json',
      'dataset.eval': 'datasets/obqa/test.json',
      'dataset.trainLimit': 30,
      'knowledge.corpus': [facts],
      'student.vocabSize': 32100,
    };
    const trimmed = async (vocabFrom: string) => {
      const runDir = path.join(dir, vocabFrom);
      const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
        ...base,
        run: runDir,
        'student.vocabFrom': vocabFrom,
      });
      await new TrainingPipeline(cfg, new RunFolder(runDir)).tokenizer();
      return loadTokenizer(path.join(runDir, 'student', 'tokenizer'));
    };
    const full = await loadTokenizer(path.resolve('models/t5-tokenizer'));
    const instruction = instructionFor('obqa');
    const texts = loadQuestions('datasets/obqa/dev.json')
      .questions.slice(0, 30)
      .flatMap((q) => promptTexts(instruction, q));
    // the same cut as the whole tokenizer: the same pieces (a trimmed tokenizer renumbers them, so compare text)
    const pieces = (tok: Awaited<ReturnType<typeof loadTokenizer>>, text: string) =>
      tok.encode(text).map((id) => tok.decode([id]));
    const sameCut = (tok: Awaited<ReturnType<typeof loadTokenizer>>) =>
      texts.filter((t) => JSON.stringify(pieces(tok, t)) === JSON.stringify(pieces(full, t))).length;

    const withQuestions = await trimmed('knowledge+questions');
    expect(sameCut(withQuestions)).toBe(texts.length);
    const knowledgeOnly = await trimmed('knowledge');
    // most question texts have a word the 40 facts never use, spelled with more, smaller pieces
    expect(sameCut(knowledgeOnly)).toBeLessThan(texts.length / 2);
    expect(knowledgeOnly.vocabSize).toBeLessThan(withQuestions.vocabSize);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
