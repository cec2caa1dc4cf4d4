import * as path from 'node:path';
import {
  attachRationales,
  fewShotTemplate,
  FEW_SHOT_TEMPLATES,
  generateRationales,
  importRationales,
  loadQuestions,
  pickDemonstrations,
  type Demonstration,
  teacherEstimateLine,
  type GenerateSummary,
} from '@kard/cot-data';
import { UsageError, writeFileAtomic } from '@kard/core';
import { datasetName, type KardConfig } from '../config/schema';

/**
 * Teacher rationales from an OpenAI-compatible endpoint (`teacher.endpoint`), cached append-only under
 * `<run>/teacher/`, so an interrupted generation continues where it stopped. In `rationalise` mode (the default, as
 * KARD's teacher) the prompt shows the gold answer and the dataset's few-shot template; in `answer` mode the teacher
 * answers, with demonstrations drawn from `teacher.rationales` when given. Writes `<run>/teacher/summary.json`
 * (requests, tokens, cost at teacher.pricePrompt / priceCompletion) and returns the cache file (format
 * `generation-cache`) with that summary.
 */
export async function generateTeacherRationales(
  cfg: KardConfig,
  trainFile: string,
  dir: string,
  onProgress?: (done: number, total: number) => void,
  /** The cost estimate, before the first request (a log line). */
  onEstimate?: (line: string) => void,
): Promise<{ cacheFile: string; summary: GenerateSummary }> {
  const { questions } = loadQuestions(trainFile, { format: cfg.dataset.format as 'auto', onInvalid: 'skip' });
  const { teacher } = cfg;
  const name = datasetName(cfg);
  const template = teacher.mode === 'rationalise' ? fewShotTemplate(name) : undefined;
  if (teacher.mode === 'rationalise' && !template)
    throw new UsageError(
      `teacher.mode rationalise: no few-shot template for dataset ${name ?? '(unknown)'}; set dataset.name to one of ` +
        `${Object.keys(FEW_SHOT_TEMPLATES).join(', ')}, or teacher.mode to answer`,
    );
  let demonstrations: Demonstration[] = [];
  if (teacher.mode === 'answer' && teacher.rationales) {
    const attached = attachRationales(questions, importRationales(path.resolve(teacher.rationales), teacher.format));
    const byId = new Map(questions.map((q) => [q.id, q]));
    const pool = attached.rationales
      .map((r) => ({ question: byId.get(r.questionId)!, rationale: r.text }))
      .filter((d) => d.question);
    demonstrations = pickDemonstrations(pool, 4, cfg.seed);
  }
  const cacheFile = path.join(dir, 'generation-cache.jsonl');
  const { summary } = await generateRationales({
    questions,
    mode: teacher.mode,
    template,
    demonstrations,
    cacheFile,
    n: teacher.samples,
    temperature: teacher.temperature,
    maxTokens: teacher.maxTokens,
    concurrency: teacher.concurrency,
    pricePerMillion: { prompt: teacher.pricePrompt, completion: teacher.priceCompletion },
    endpoint: { baseUrl: teacher.endpoint, model: teacher.model },
    onProgress,
    onEstimate: (e) => onEstimate?.(teacherEstimateLine(e)),
  });
  writeFileAtomic(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { cacheFile, summary };
}

/** The log line of a teacher run: what it cost. */
export function teacherCostLine(s: GenerateSummary): string {
  return (
    `${s.generated} rationales in ${s.requests} requests (${s.skippedCached} questions cached), ` +
    `${s.promptTokens} prompt + ${s.completionTokens} completion tokens, cost $${s.costUsd.toFixed(4)}`
  );
}
