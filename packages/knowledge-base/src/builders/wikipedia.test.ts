import path from 'node:path';
import { CorpusFormatError } from '../errors';
import type { Passage } from '../passage';
import { readMediaWikiPages } from './mediawiki-dump';
import { paragraphId, WikipediaParagraphs, wikitextParagraphs } from './wikipedia';

const fixture = (name: string) => path.join(__dirname, '../../test/fixtures', name);

async function collect(file: string) {
  const wiki = new WikipediaParagraphs(file);
  const passages: Passage[] = [];
  for await (const p of wiki) passages.push(p);
  return { passages, stats: wiki.stats };
}

// Written by reading the fixture's wikitext: prose only, markup, references, templates, tables, lists and files gone.
const EXPECTED: Passage[] = [
  {
    id: 'Genghis_Khan-1',
    title: 'Genghis Khan',
    text:
      'Genghis Khan (born Temüjin; c. 1162 – August 25, 1227) was the founder of the Mongol Empire. He was ' +
      'born near the Onon.',
  },
  { id: 'Genghis_Khan-2', title: 'Genghis Khan', text: 'After founding the empire, he started the Mongol invasions.' },
  { id: 'Genghis_Khan-3', title: 'Genghis Khan', text: 'Little is known about his early life.' },
  {
    id: 'Genghis_Khan-4',
    title: 'Genghis Khan',
    text: "Temüjin was related on his father's side to Khabul Khan. His mother was Hoelun.",
  },
  {
    id: 'Onon_River-1',
    title: 'Onon River',
    text: 'The Onon (Онон мөрөн) is a river of Mongolia and Russia, about 818 km long.',
  },
  {
    id: 'Onon_River-2',
    title: 'Onon River',
    text: 'It is a tributary of the Shilka & flows through Zabaykalsky Krai.',
  },
];

describe('Wikipedia paragraphs from a MediaWiki dump', () => {
  test('the bzip2 dump gives one passage per prose paragraph, redirects and other namespaces skipped', async () => {
    const { passages, stats } = await collect(fixture('enwiki-sample.xml.bz2'));
    expect(passages).toEqual(EXPECTED);
    expect(stats).toEqual({ articles: 2, redirects: 1, otherNamespaces: 2, passages: 6 });
  });

  test('the plain XML dump reads the same', async () => {
    expect((await collect(fixture('enwiki-sample.xml'))).passages).toEqual(EXPECTED);
  });

  test('pages carry title, namespace, id and redirect target', async () => {
    const pages = [];
    for await (const p of readMediaWikiPages(fixture('enwiki-sample.xml'))) pages.push(p);
    expect(pages.map((p) => [p.title, p.ns, p.id, p.redirect])).toEqual([
      ['Genghis Khan', 0, '12462', undefined],
      ['Temujin', 0, '31420', 'Genghis Khan'],
      ['Talk:Genghis Khan', 1, '12463', undefined],
      ['Template:Circa', 10, '5550001', undefined],
      ['Onon River', 0, '1043957', undefined],
    ]);
    // XML entities in the dump are undone before the wikitext parser sees it.
    expect(pages[0].text).toContain('<ref name="bio">');
  });

  test('ids follow StrategyQA evidence ids', () => {
    expect(paragraphId('Genghis Khan', 15)).toBe('Genghis_Khan-15');
    expect(wikitextParagraphs('X', "'''Bold''' [[Onon River|the Onon]] c.\n\n\n\n{{Reflist}}\n\nSecond.")).toEqual([
      'Bold the Onon c.',
      'Second.',
    ]);
  });

  test('malformed XML is a CorpusFormatError with the line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kb-wiki-')), 'bad.xml');
    writeFileSync(file, '<mediawiki>\n<page>\n<title>A</title>\n<ns>0</ns>\n</revision>\n</page>\n</mediawiki>\n');
    const err = await collect(file).catch((e) => e);
    expect(err).toBeInstanceOf(CorpusFormatError);
    expect(err.message).toMatch(new RegExp(`^${file}:5: malformed XML`));
  });
});
