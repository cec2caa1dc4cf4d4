import type { Passage } from '../passage';
import type { ProgressOption } from '@kard/core';
import { readXmlRecords } from './xml-records';

export interface PubmedStats {
  /** `<PubmedArticle>` records read. */
  articles: number;
  /** Articles skipped because they have no abstract. */
  withoutAbstract: number;
  passages: number;
}

const ARTICLE = 'PubmedArticleSet/PubmedArticle';
const CITATION = `${ARTICLE}/MedlineCitation`;
// PMID is matched by its full path: <CommentsCorrections> inside the citation hold other articles' PMIDs.
const PMID = `${CITATION}/PMID`;
const TITLE = `${CITATION}/Article/ArticleTitle`;
const ABSTRACT_TEXT = `${CITATION}/Article/Abstract/AbstractText`;

/**
 * Title + abstract passages from PubMed baseline/update files (`pubmed25n0001.xml.gz`, gzip detected by magic
 * bytes), id `PMID:<n>`. The sections of a structured abstract (BACKGROUND, METHODS, ...) are joined with a space
 * and without their labels, as PubMedQA's contexts are; inline markup (`<i>`, `<sup>`) keeps its text.
 * Articles without an abstract are skipped and counted; `<OtherAbstract>` translations are ignored.
 *
 * @example
 * const pubmed = new PubmedAbstracts(['pubmed25n0001.xml.gz', 'pubmed25n0002.xml.gz']);
 * await PassageStore.build(pubmed, 'pubmed.store');
 */
export class PubmedAbstracts implements AsyncIterable<Passage> {
  readonly stats: PubmedStats = { articles: 0, withoutAbstract: 0, passages: 0 };
  readonly files: string[];

  constructor(
    files: string | string[],
    private readonly options: ProgressOption = {},
  ) {
    this.files = Array.isArray(files) ? files : [files];
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Passage> {
    for (const file of this.files) {
      for await (const article of readPubmedArticles(file, this.options)) {
        this.stats.articles++;
        if (article.abstract === '') {
          this.stats.withoutAbstract++;
          continue;
        }
        this.stats.passages++;
        yield { id: `PMID:${article.pmid}`, title: article.title, text: article.abstract };
      }
    }
  }
}

export interface PubmedArticle {
  pmid: string;
  title: string;
  /** Abstract sections joined with a space; empty when the article has none. */
  abstract: string;
}

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Streams the `<PubmedArticle>` records of one PubMed XML file. */
export function readPubmedArticles(file: string, options: ProgressOption = {}): AsyncGenerator<PubmedArticle> {
  let pmid = '';
  let title = '';
  let sections: string[] = [];
  return readXmlRecords<PubmedArticle>(
    file,
    'pubmed',
    {
      open(path) {
        if (path === ARTICLE) {
          pmid = '';
          title = '';
          sections = [];
        } else if (path === ABSTRACT_TEXT) sections.push('');
      },
      text(path, text) {
        if (path === PMID) pmid += text;
        else if (path === TITLE || path.startsWith(`${TITLE}/`)) title += text;
        else if (path === ABSTRACT_TEXT || path.startsWith(`${ABSTRACT_TEXT}/`)) sections[sections.length - 1] += text;
      },
      close(path) {
        if (path !== ARTICLE) return undefined;
        if (!/^\d+$/.test(pmid.trim())) throw new Error(`a <PubmedArticle> without a numeric MedlineCitation/PMID`);
        return {
          pmid: pmid.trim(),
          title: clean(title),
          abstract: clean(sections.map(clean).filter(Boolean).join(' ')),
        };
      },
    },
    options,
  );
}
