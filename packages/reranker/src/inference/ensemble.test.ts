import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '@kard/nn';
import type { Hit } from '@kard/retriever';
import { smallBertConfig } from '../bert/config';
import { BertEncoder } from '../bert/model';
import { ColbertModel } from '../colbert/model';
import { BertTokenizer } from '../tokenizer';
import { saveReranker } from '../io/save';
import {
  ENSEMBLE_FILE,
  RerankerEnsemble,
  loadRerankerFolder,
  loadRerankerFolders,
  writeEnsembleFile,
} from './ensemble';
import { NeuralReranker } from './neural-reranker';

const TOKENIZER = path.join(__dirname, '../../../../models/bert-uncased-tokenizer');
const texts = [
  'Genghis Khan had sixteen children.',
  'Julius Caesar had three children.',
  'The Police were a rock band.',
  'Dogs hear well.',
  'Khan is a title.',
];
const hits = (): Hit[] =>
  texts.map((t, i) => ({ id: `p${i}`, score: 10 - i, rank: i + 1, passage: { id: `p${i}`, text: t } }));

let members: NeuralReranker[];
beforeAll(async () => {
  await initBackend();
  const tokenizer = await BertTokenizer.fromPretrained(TOKENIZER);
  const model = (seed: number) =>
    ColbertModel.create(
      BertEncoder.random(smallBertConfig({ hidden_size: 16, intermediate_size: 32 }), { seed }),
      { compressionDim: 8, passageMaxLength: 32, queryMaxLength: 16 },
      seed,
    );
  members = [1, 2, 3].map((s) => new NeuralReranker(model(s), tokenizer));
});

describe('RerankerEnsemble', () => {
  const q = 'how many children did genghis khan have';

  it("scores each candidate with its members' mean score and reranks by it", async () => {
    const items = hits().map((h) => ({ id: h.id, text: h.passage!.text }));
    const each = members.map((m) => m.score(q, items));
    const mean = items.map((_, i) => each.reduce((s, e) => s + e[i], 0) / each.length);
    const ens = new RerankerEnsemble(members);
    ens.score(q, items).forEach((s, i) => expect(s).toBeCloseTo(mean[i], 4));
    // members disagree (else the test would not tell a mean from any one of them)
    const firsts = each.map((e) => e.indexOf(Math.max(...e)));
    expect(new Set(firsts).size > 1 || each.some((e) => e.join() !== each[0].join())).toBe(true);
    const out = await ens.rerank(q, hits(), 3);
    const expected = [...items.keys()]
      .sort((a, b) => mean[b] - mean[a])
      .slice(0, 3)
      .map((i) => `p${i}`);
    expect(out.map((h) => h.id)).toEqual(expected);
    expect(out.map((h) => h.rank)).toEqual([1, 2, 3]);
    expect(out[0].passage?.text).toBe(texts[Number(expected[0].slice(1))]);
  });

  it('is its member when alone, returns [] for no candidates, and needs a member', async () => {
    const alone = await new RerankerEnsemble([members[0]]).rerank(q, hits());
    expect(alone.map((h) => h.id)).toEqual((await members[0].rerank(q, hits())).map((h) => h.id));
    expect(await new RerankerEnsemble(members).rerank(q, [])).toEqual([]);
    expect(() => new RerankerEnsemble([])).toThrow(/at least one member/);
  });

  it(
    'saves as member folders plus ensemble.json and loads back with the same scores; a plain folder loads as one ' +
      'reranker',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rr-ens-'));
      try {
        for (const [i, m] of members.entries())
          await saveReranker(m.model, path.join(dir, `seed-${i + 1}`), { tokenizerDir: TOKENIZER });
        writeEnsembleFile(
          dir,
          members.map((_, i) => `seed-${i + 1}`),
        );
        const items = hits().map((h) => ({ id: h.id, text: h.passage!.text }));
        const loaded = await loadRerankerFolder(dir);
        expect(loaded).toBeInstanceOf(RerankerEnsemble);
        const want = new RerankerEnsemble(members).score(q, items);
        (loaded as RerankerEnsemble).score(q, items).forEach((s, i) => expect(s).toBeCloseTo(want[i], 5));
        const one = await loadRerankerFolder(path.join(dir, 'seed-2'));
        expect(one).toBeInstanceOf(NeuralReranker);
        // several folders: an ensemble of them, scoring as the saved ensemble; one folder: as loadRerankerFolder reads it
        const listed = await loadRerankerFolders(members.map((_, i) => path.join(dir, `seed-${i + 1}`)));
        expect(listed).toBeInstanceOf(RerankerEnsemble);
        (listed as RerankerEnsemble).score(q, items).forEach((s, i) => expect(s).toBeCloseTo(want[i], 5));
        expect(await loadRerankerFolders([dir])).toBeInstanceOf(RerankerEnsemble);
        expect(await loadRerankerFolders([path.join(dir, 'seed-2')])).toBeInstanceOf(NeuralReranker);
        fs.writeFileSync(
          path.join(dir, ENSEMBLE_FILE),
          JSON.stringify({ format: 'kard-reranker-ensemble', members: [] }),
        );
        await expect(loadRerankerFolder(dir)).rejects.toThrow(
          new RegExp(`${ENSEMBLE_FILE}: not a kard-reranker ensemble`),
        );
        fs.writeFileSync(path.join(dir, ENSEMBLE_FILE), '{"format": "kard-reranker-ensemble", "members": ["seed-1", ');
        await expect(loadRerankerFolder(dir)).rejects.toThrow(new RegExp(`${ENSEMBLE_FILE}: cannot read`));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
