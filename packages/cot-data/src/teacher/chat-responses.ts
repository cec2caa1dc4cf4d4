import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile } from '@kard/core';
import { DatasetFormatError } from '../errors';
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
