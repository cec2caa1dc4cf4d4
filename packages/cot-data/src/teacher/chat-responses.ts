import { readdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { readJsonFile, writeDirAtomic } from '@kard/core';
import { DatasetFormatError } from '../errors';
import type { McQuestion } from '../question';
import type { CacheRecord } from './cache';
import type { ImportedRationale } from './rationale';

/**
 * The reference's teacher output (KARD's generate_explanations.py): a folder of `00000.json`, `00001.json`, ...,
 * the N-th holding the chat-completion response (`choices[].message.content`, one choice per sample) for the N-th
 * question of the training file. Each choice's content is one rationale, tied to its question by that position.
 * A choice without text content (`null` after a content filter) is imported as an empty rationale, so that
 * verification counts it (`noExplanation`) instead of losing it silently. A file that is not a chat-completion
 * response, or a folder without any numbered file, is a format error. Other files (a README) are ignored.
 */
export function importChatResponses(dir: string): ImportedRationale[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /^\d+\.json$/.test(f));
  } catch (e) {
    throw new DatasetFormatError(`cannot read the response folder: ${(e as Error).message}`, dir);
  }
  if (names.length === 0) throw new DatasetFormatError('no numbered response files (00000.json, ...) in folder', dir);
  names.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const out: ImportedRationale[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const response = readJsonFile<{ model?: unknown; choices?: unknown }>(file);
    if (!Array.isArray(response.choices))
      throw new DatasetFormatError('not a chat-completion response: no "choices" array', file);
    response.choices.forEach((c: { message?: { content?: unknown } }, i) => {
      const content = c?.message?.content;
      if (content !== undefined && content !== null && typeof content !== 'string')
        throw new DatasetFormatError(`choices[${i}].message.content is not a string`, file);
      out.push({
        questionIndex: parseInt(name, 10),
        text: content ?? '',
        source: `teacher:${typeof response.model === 'string' ? response.model : 'unknown'}`,
      });
    });
  }
  return out;
}

/** What marks a folder {@link writeChatResponses} wrote, so a rerun may replace it. */
export const CHAT_RESPONSES_OWNER = { kind: 'teacher response folder' } as const;

/**
 * Writes the reference's layout from our generation cache: `<dir>/00000.json`, ... one chat-completion response per
 * question of `questions`, in their order (the position ties a file to its question, as the reference's reader
 * does), holding the question's first `n` cached rationales as `choices[].message.content`, the model, and the usage
 * of the requests that produced them. A question without rationales gets a response with no choices. The folder is
 * written whole or not at all; an existing one is replaced only if it was written here (or `overwrite`).
 */
export async function writeChatResponses(
  dir: string,
  questions: McQuestion[],
  records: CacheRecord[],
  opts: { n?: number; overwrite?: boolean } = {},
): Promise<{ files: number; rationales: number }> {
  const byId = new Map<string, CacheRecord[]>();
  for (const r of records) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  let rationales = 0;
  await writeDirAtomic(
    dir,
    (tmp) => {
      questions.forEach((q, i) => {
        const own = byId.get(q.id) ?? [];
        const texts = own.flatMap((r) => r.rationales).slice(0, opts.n ?? Infinity);
        const prompt = own.reduce((sum, r) => sum + r.usage.prompt_tokens, 0);
        const completion = own.reduce((sum, r) => sum + r.usage.completion_tokens, 0);
        const response = {
          object: 'chat.completion',
          model: own[0]?.model ?? 'unknown',
          // the cache keeps no finish_reason: left out rather than made up
          choices: texts.map((content, index) => ({ index, message: { role: 'assistant', content } })),
          usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        };
        writeFileSync(path.join(tmp, `${String(i).padStart(5, '0')}.json`), `${JSON.stringify(response, null, 2)}\n`);
        rationales += texts.length;
      });
    },
    { ...CHAT_RESPONSES_OWNER, overwrite: opts.overwrite },
  );
  return { files: questions.length, rationales };
}
