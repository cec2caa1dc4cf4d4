// Vocabulary trimming of a SentencePiece Unigram tokenizer (tokenizer.json): keep the pieces a corpus uses most, so a
// small model trained from scratch pays for a 4k-row output layer instead of 32k. The result is an ordinary Hugging
// Face tokenizer folder. Its segmentation is the same Viterbi search over the same piece scores, restricted to the
// kept pieces: a text whose original pieces were all kept is cut exactly as before (only the ids are renumbered);
// a word whose pieces were dropped is spelled with smaller kept pieces, down to single characters, which are always
// kept, so it never becomes <unk> unless the original had no piece for a character either.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, writeDirAtomic } from '@kard/core';
import { ModelLoadError } from './errors';

export interface TrimTokenizerOptions {
  /** Pieces kept from the base vocabulary (special tokens and every single-character piece included). */
  size: number;
  /** Uses of each original id in the corpus the trimmed tokenizer is for (e.g. counted by encoding it). */
  counts: ReadonlyMap<number, number>;
  /** Replace `outDir` whatever it holds; by default only an empty folder or a trimmed tokenizer written here is. */
  overwrite?: boolean;
}

export interface TrimmedTokenizer {
  /** Rows of the trimmed vocabulary, added tokens after the base pieces as in the original. */
  vocabSize: number;
  /** Original id of each new id. */
  originalIds: number[];
}

interface TokenizerJson {
  model: { type: string; unk_id?: number | null; vocab: [string, number][] };
  added_tokens?: { id: number; content: string }[];
  post_processor?: unknown;
  [k: string]: unknown;
}

/**
 * Writes `outDir`: `srcDir`'s tokenizer trimmed to the `size` most used pieces (atomically: a whole folder or none).
 */
export async function trimUnigramTokenizer(
  srcDir: string,
  outDir: string,
  opts: TrimTokenizerOptions,
): Promise<TrimmedTokenizer> {
  const file = path.join(srcDir, 'tokenizer.json');
  if (!fs.existsSync(file)) throw new ModelLoadError('no tokenizer.json to trim', file);
  const tok = readJsonFile<TokenizerJson>(file);
  if (tok.model?.type !== 'Unigram')
    throw new ModelLoadError(
      `vocabulary trimming needs a Unigram (SentencePiece) tokenizer, not ${tok.model?.type}`,
      file,
    );
  const base = tok.model.vocab;
  const keep = new Set<number>();
  for (const a of tok.added_tokens ?? []) if (a.id < base.length) keep.add(a.id);
  if (tok.model.unk_id != null) keep.add(tok.model.unk_id);
  base.forEach(([piece], id) => {
    if ([...piece.replace(/\u2581/g, '')].length <= 1) keep.add(id);
  });
  if (opts.size < keep.size) {
    throw new ModelLoadError(
      `a trimmed vocabulary needs at least ${keep.size} pieces (special tokens and single characters); asked for ` +
        `${opts.size}`,
      file,
    );
  }
  const byUse = [...opts.counts.entries()]
    .filter(([id, n]) => n > 0 && id >= 0 && id < base.length && !keep.has(id))
    .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [id] of byUse) {
    if (keep.size >= opts.size) break;
    keep.add(id);
  }
  const originalIds = [...keep].sort((a, b) => a - b);
  const newId = new Map(originalIds.map((old, i) => [old, i]));
  const remap = (old: number) => (old < base.length ? newId.get(old)! : originalIds.length + (old - base.length));
  tok.model.vocab = originalIds.map((id) => base[id]);
  if (tok.model.unk_id != null) tok.model.unk_id = remap(tok.model.unk_id);
  tok.added_tokens = (tok.added_tokens ?? []).map((a) => ({ ...a, id: remap(a.id) }));
  remapPostProcessor(tok.post_processor, remap);
  const addedAfter = (tok.added_tokens ?? []).filter((a) => a.id >= originalIds.length).length;
  const vocabSize = originalIds.length + addedAfter;

  await writeDirAtomic(
    outDir,
    (tmp) => {
      for (const name of fs.readdirSync(srcDir)) {
        const src = path.join(srcDir, name);
        if (name === 'tokenizer.json' || !fs.statSync(src).isFile()) continue;
        if (name === 'config.json') {
          const config = readJsonFile<Record<string, unknown>>(src);
          fs.writeFileSync(path.join(tmp, name), `${JSON.stringify({ ...config, vocab_size: vocabSize }, null, 2)}\n`);
        } else if (name === 'tokenizer_config.json') {
          const config = readJsonFile<{ added_tokens_decoder?: Record<string, unknown> }>(src);
          if (config.added_tokens_decoder) {
            config.added_tokens_decoder = Object.fromEntries(
              Object.entries(config.added_tokens_decoder).map(([id, v]) => [String(remap(Number(id))), v]),
            );
          }
          fs.writeFileSync(path.join(tmp, name), `${JSON.stringify(config, null, 2)}\n`);
        } else {
          fs.copyFileSync(src, path.join(tmp, name));
        }
      }
      fs.writeFileSync(path.join(tmp, 'tokenizer.json'), JSON.stringify(tok));
    },
    { kind: 'trimmed tokenizer', overwrite: opts.overwrite },
  );
  return { vocabSize, originalIds };
}

/** TemplateProcessing (and Sequence of processors) name special tokens by id: renumber them. */
function remapPostProcessor(pp: unknown, remap: (id: number) => number): void {
  if (!pp || typeof pp !== 'object') return;
  const p = pp as { processors?: unknown[]; special_tokens?: Record<string, { ids?: number[] }> };
  for (const sub of p.processors ?? []) remapPostProcessor(sub, remap);
  for (const spec of Object.values(p.special_tokens ?? {})) if (spec.ids) spec.ids = spec.ids.map(remap);
}
