import { Analyzer, tokenize } from './analyzer';
import { LUCENE_ENGLISH_STOP_WORDS } from './stopwords';

describe('tokenize', () => {
  it('lowercases and keeps maximal runs of Unicode letters and digits', () => {
    expect(tokenize("Caesar's 2nd wife—Pompeia (67 BC); Ångström, naïve 東京 x-ray")).toEqual([
      'caesar',
      's',
      '2nd',
      'wife',
      'pompeia',
      '67',
      'bc',
      'ångström',
      'naïve',
      '東京',
      'x',
      'ray',
    ]);
  });
  it('returns nothing for text without letters or digits', () => {
    expect(tokenize(' -- ,.; ')).toEqual([]);
  });
});

describe('Analyzer', () => {
  it("has Lucene's 33 English stop words", () => {
    expect(LUCENE_ENGLISH_STOP_WORDS.size).toBe(33);
  });

  it('drops stop words before stemming and stems the rest', () => {
    const a = new Analyzer();
    // "is" and "the" are stop words; "this" too; "running" -> "run", "ponies" -> "poni".
    expect(a.analyze('This IS the Running of the Ponies, and ponies run')).toEqual(['run', 'poni', 'poni', 'run']);
  });

  it('switches stemming and stop words off independently', () => {
    const text = 'The ponies are running';
    expect(new Analyzer({ stemmer: 'none' }).analyze(text)).toEqual(['ponies', 'running']);
    expect(new Analyzer({ stopwords: 'none' }).analyze(text)).toEqual(['the', 'poni', 'ar', 'run']);
    expect(new Analyzer({ stemmer: 'none', stopwords: 'none' }).analyze(text)).toEqual([
      'the',
      'ponies',
      'are',
      'running',
    ]);
  });

  it('rejects unknown settings', () => {
    expect(() => new Analyzer({ stemmer: 'snowball' as 'porter' })).toThrow(/stemmer/);
    expect(() => new Analyzer({ stopwords: 'nltk' as 'lucene' })).toThrow(/stopwords/);
  });
});
