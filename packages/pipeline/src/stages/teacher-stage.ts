import * as path from 'node:path';
import {
  attachRationales,
  generateRationales,
  importRationales,
  loadQuestions,
  pickDemonstrations,
  type Demonstration,
} from '@kard/cot-data';
import type { KardConfig } from '../config/schema';

/**
 * Teacher rationales from an OpenAI-compatible endpoint (`teacher.endpoint`), cached append-only under
 * `<run>/teacher/`, so an interrupted generation continues where it stopped. When `teacher.rationales` is also
 * given, its rationales supply the few-shot demonstrations. Returns the cache file (format `generation-cache`).
 */
export async function generateTeacherRationales(
  cfg: KardConfig,
  trainFile: string,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<string> {
  const { questions } = loadQuestions(trainFile, { format: cfg.dataset.format as 'auto', onInvalid: 'skip' });
  let demonstrations: Demonstration[] = [];
  if (cfg.teacher.rationales) {
    const attached = attachRationales(
      questions,
      importRationales(path.resolve(cfg.teacher.rationales), cfg.teacher.format),
    );
    const byId = new Map(questions.map((q) => [q.id, q]));
    const pool = attached.rationales
      .map((r) => ({ question: byId.get(r.questionId)!, rationale: r.text }))
      .filter((d) => d.question);
    demonstrations = pickDemonstrations(pool, 4, cfg.seed);
  }
  const cacheFile = path.join(dir, 'generation-cache.jsonl');
  await generateRationales({
    questions,
    demonstrations,
    cacheFile,
    n: cfg.teacher.samples,
    endpoint: { baseUrl: cfg.teacher.endpoint, model: cfg.teacher.model },
    onProgress,
  });
  return cacheFile;
}
