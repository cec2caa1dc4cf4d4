import { PorterStemmer } from './porter-stemmer';
import { LUCENE_ENGLISH_STOP_WORDS } from './stopwords';

/** How text becomes index terms. Every part can be switched off. */
export interface AnalyzerOptions {
  /** `'porter'`: the original Porter stemmer (Lucene's PorterStemFilter). Default `'porter'`. */
  stemmer?: 'porter' | 'none';
  /** `'lucene'`: Lucene's 33 English stop words are dropped. Default `'lucene'`. */
  stopwords?: 'lucene' | 'none';
}

export type AnalyzerSettings = Required<AnalyzerOptions>;

/** Tokens are maximal runs of Unicode letters and digits. */
const TOKEN = /[\p{L}\p{N}]+/gu;

/** Lowercased tokens of `text`, before stop words and stemming. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/**
 * Pyserini's default English analysis, minus its tokenizer's special cases: lowercase, split into runs of
 * letters/digits, drop stop words, Porter-stem. Stop words are checked before stemming, as Lucene does.
 */
export class Analyzer {
  readonly settings: AnalyzerSettings;
  private readonly stemmer: PorterStemmer | null;
  private readonly stopwords: ReadonlySet<string> | null;

  constructor(options: AnalyzerOptions = {}) {
    const stemmer = options.stemmer ?? 'porter';
    const stopwords = options.stopwords ?? 'lucene';
    if (stemmer !== 'porter' && stemmer !== 'none') {
      throw new RangeError(`stemmer must be 'porter' or 'none', got ${JSON.stringify(stemmer)}`);
    }
    if (stopwords !== 'lucene' && stopwords !== 'none') {
      throw new RangeError(`stopwords must be 'lucene' or 'none', got ${JSON.stringify(stopwords)}`);
    }
    this.settings = { stemmer, stopwords };
    this.stemmer = stemmer === 'porter' ? new PorterStemmer() : null;
    this.stopwords = stopwords === 'lucene' ? LUCENE_ENGLISH_STOP_WORDS : null;
  }

  /** The index term for one lowercased token, or `null` for a stop word. */
  term(token: string): string | null {
    if (this.stopwords !== null && this.stopwords.has(token)) return null;
    return this.stemmer === null ? token : this.stemmer.stem(token);
  }

  /** The index terms of `text`, in order, repeats kept. */
  analyze(text: string): string[] {
    const terms: string[] = [];
    TOKEN.lastIndex = 0;
    const lower = text.toLowerCase();
    for (let m = TOKEN.exec(lower); m !== null; m = TOKEN.exec(lower)) {
      const term = this.term(m[0]);
      if (term !== null) terms.push(term);
    }
    return terms;
  }
}
