import path from 'node:path';
import type { Passage } from '../passage';
import { PubmedAbstracts } from './pubmed';

const fixture = (name: string) => path.join(__dirname, '../../test/fixtures', name);

test('PubMed baseline XML (gzip): title + abstract passages with PMID ids', async () => {
  const pubmed = new PubmedAbstracts(fixture('pubmed-sample.xml.gz'));
  const passages: Passage[] = [];
  for await (const p of pubmed) passages.push(p);
  // Written from the fixture: structured sections joined by a space without labels, inline markup kept as text,
  // whitespace collapsed; the cited PMID in CommentsCorrections, the OtherAbstract and the copyright are ignored.
  expect(passages).toEqual([
    {
      id: 'PMID:21645374',
      title: 'Do mitochondria play a role in remodelling lace plant leaves during programmed cell death?',
      text:
        'Programmed cell death (PCD) is the regulated death of cells within an organism. The lace plant (Aponogeton ' +
        'madagascariensis) produces perforations in its leaves through PCD. ' +
        'Mitochondrial dynamics were delineated into four categories (M1-M4) based on membrane potential (ΔΨm). ' +
        'Mitochondria play a critical role during developmentally regulated PCD.',
    },
    {
      id: 'PMID:25429730',
      title: 'Effect of CO2 & temperature on E. coli growth.',
      text: 'Growth of Escherichia coli was measured at 37 °C < 40 °C in 5% CO2.',
    },
  ]);
  // PMID 1 has no abstract; the DeleteCitation is not an article.
  expect(pubmed.stats).toEqual({ articles: 3, withoutAbstract: 1, passages: 2 });
});

test('several files stream one after the other', async () => {
  const pubmed = new PubmedAbstracts([fixture('pubmed-sample.xml.gz'), fixture('pubmed-sample.xml.gz')]);
  const ids: string[] = [];
  for await (const p of pubmed) ids.push(p.id);
  expect(ids).toEqual(['PMID:21645374', 'PMID:25429730', 'PMID:21645374', 'PMID:25429730']);
});
