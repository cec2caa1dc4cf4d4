import wtf from 'wtf_wikipedia';
import type { Passage } from '../passage';
import type { ProgressOption } from '@kard/core';
import { readMediaWikiPages } from './mediawiki-dump';

export interface WikipediaOptions extends ProgressOption {
  /** Paragraphs shorter than this many characters (after stripping) are dropped; default 1 (drop empty ones). */
  minChars?: number;
}

export interface WikipediaStats {
  /** Article pages turned into passages. */
  articles: number;
  redirects: number;
  /** Pages outside the main namespace (talk, user, templates, ...). */
  otherNamespaces: number;
  passages: number;
}

/** `Genghis Khan` paragraph 15 → `Genghis_Khan-15`: StrategyQA's evidence ids (paragraphs count from 1). */
export function paragraphId(title: string, n: number): string {
  return `${title.replace(/ /g, '_')}-${n}`;
}

/**
 * The prose paragraphs of a wikitext article, stripped by wtf_wikipedia: templates, infoboxes, references, tables,
 * files and categories removed, links reduced to their text. Lists are dropped (they are not prose, and
 * "External links" sections are nothing else); whitespace is collapsed.
 */
export function wikitextParagraphs(title: string, wikitext: string, minChars = 1): string[] {
  const doc = wtf(wikitext, { title });
  const out: string[] = [];
  for (const paragraph of doc.paragraphs()) {
    const text = paragraph
      .sentences()
      .map((s) => s.text())
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (text.length >= Math.max(1, minChars)) out.push(text);
  }
  return out;
}

/**
 * One passage per paragraph of every article in a MediaWiki XML dump (`.xml` or `.xml.bz2`), with the page title
 * and ids `Title-N` (N from 1). Redirects and pages outside namespace 0 are skipped and counted in `stats`.
 *
 * @example
 * const wiki = new WikipediaParagraphs('enwiki-latest-pages-articles.xml.bz2');
 * await PassageStore.build(wiki, 'enwiki.store');
 * console.log(wiki.stats);
 */
export class WikipediaParagraphs implements AsyncIterable<Passage> {
  readonly stats: WikipediaStats = { articles: 0, redirects: 0, otherNamespaces: 0, passages: 0 };

  constructor(
    readonly dump: string,
    private readonly options: WikipediaOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Passage> {
    for await (const page of readMediaWikiPages(this.dump, this.options)) {
      if (page.ns !== 0) {
        this.stats.otherNamespaces++;
        continue;
      }
      if (page.redirect !== undefined || /^\s*#redirect/i.test(page.text)) {
        this.stats.redirects++;
        continue;
      }
      this.stats.articles++;
      const paragraphs = wikitextParagraphs(page.title, page.text, this.options.minChars);
      for (let i = 0; i < paragraphs.length; i++) {
        this.stats.passages++;
        yield { id: paragraphId(page.title, i + 1), title: page.title, text: paragraphs[i] };
      }
    }
  }
}
