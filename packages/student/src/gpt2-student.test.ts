// A GPT-2 student as the pipeline uses one: prompt ++ EOS ++ rationale ++ EOS with the loss on the rationale only
// (checked against a log-softmax computed by hand), batched greedy equal to one prompt at a time, a scratch model
// saved as a Hugging Face folder and opened again by its config.json, and a GPT-2 folder with its own byte-level BPE
// tokenizer read the same way.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_INDEX, initBackend, readSafetensorsDir } from '@kard/nn';
import { encodePrompt, encodeTarget } from './encode';
import { generate } from './generation';
import type { Gpt2LMHeadModel } from './gpt2/model';
import { loadStudent, openStudent, saveStudent } from './open';
import { createModel } from './pretrained';
import { createScratchGpt2 } from './scratch-gpt2';
import { tinyGpt2Config, tinyT5Config } from './testing';
import { loadTokenizer } from './tokenizer';
import { collateCausal } from './training/collate';
import type { TokenizedExample } from './training/examples';
import { createTrainer, CausalLmTrainer } from './training/trainer';

const T5_TOKENIZER = path.resolve(__dirname, '../../../models/t5-tokenizer');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpt2-student-'));
beforeAll(() => initBackend());
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// prompt (ending in the EOS separator 1) and rationale (ending in EOS), of different lengths so the batch pads
const examples: TokenizedExample[] = [
  { id: 'a', inputIds: [5, 6, 7, 1], targetIds: [8, 9, 1] },
  { id: 'b', inputIds: [10, 1], targetIds: [11, 12, 4, 3, 1] },
];

describe('causal-LM loss masked to the rationale', () => {
  const model = createModel(tinyGpt2Config({ initializerRange: 0.5 }), 11) as Gpt2LMHeadModel;

  /**
   * Hand computation: each example alone (no padding), its full-sequence logits, log-softmax with plain tfjs ops, and
   * the log-probabilities of the rationale tokens picked by a one-hot mask (or, `withPrompt`, of every next token).
   */
  function handLoss(withPrompt = false): { loss: tf.Scalar; count: number } {
    let count = 0;
    const terms = examples.map((e) => {
      const seq = [...e.inputIds, ...e.targetIds];
      const ids = tf.tensor2d([seq], undefined, 'int32');
      const logits = model.forward({ inputIds: ids, attentionMask: tf.onesLike(ids), labels: ids });
      const logp = tf.logSoftmax(logits, -1);
      // the token at position p + 1 is predicted at p; the rationale's first token at the separator's position
      const pick = Array.from({ length: seq.length }, (_, p) =>
        Array.from({ length: model.config.vocabSize }, (_, k) => {
          const counted = p < seq.length - 1 && (withPrompt || p >= e.inputIds.length - 1);
          return counted && k === seq[p + 1] ? 1 : 0;
        }),
      );
      count += pick.flat().reduce((a: number, x) => a + x, 0);
      return tf.sum(tf.mul(logp, tf.tensor3d([pick])));
    });
    return { loss: tf.div(tf.neg(tf.addN(terms)), count) as tf.Scalar, count };
  }

  const params = () => [...model.namedParameters().entries()];

  test('the padded batch loss is the mean NLL of the rationale tokens alone', () => {
    const batch = collateCausal(examples, 0);
    const labels = batch.labels.arraySync() as number[][];
    expect(labels[0]).toEqual([-100, -100, -100, -100, 8, 9, 1]);
    expect(labels[1]).toEqual([-100, -100, 11, 12, 4, 3, 1]);
    const hand = tf.tidy(() => handLoss());
    expect(hand.count).toBe(8); // 3 + 5 rationale tokens (EOS included)
    expect(model.loss(batch).dataSync()[0]).toBeCloseTo(hand.loss.dataSync()[0], 5);
    // the per-token losses: zero on prompt and padding, summing to the same total
    const per = model.tokenLosses(batch).arraySync() as number[][];
    per.forEach((row, r) => row.forEach((x, t) => labels[r][t + 1] === IGNORE_INDEX && expect(x).toBe(0)));
    expect(per.flat().reduce((a, x) => a + x, 0) / 8).toBeCloseTo(hand.loss.dataSync()[0], 5);
  });

  test("every parameter gradient is the hand loss's: prompt tokens contribute nothing", () => {
    const batch = collateCausal(examples, 0);
    const vars = params().map(([, v]) => v as tf.Variable);
    const ours = tf.variableGrads(() => model.loss(batch), vars).grads;
    const hand = tf.variableGrads(() => handLoss().loss, vars).grads;
    const withPrompt = tf.variableGrads(() => handLoss(true).loss, vars).grads;
    let differs = 0;
    for (const v of vars) {
      const a = ours[v.name].dataSync();
      const h = hand[v.name].dataSync();
      const w = withPrompt[v.name].dataSync();
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(h[i], 5);
      for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - w[i]) > 1e-4) differs++;
    }
    // counting the prompt's next-token losses too would change the gradients: the test can tell
    expect(differs).toBeGreaterThan(100);
  });

  test('createTrainer picks the causal trainer for GPT-2', () => {
    expect(createTrainer(model, { outputDir: path.join(tmp, 'unused') })).toBeInstanceOf(CausalLmTrainer);
  });
});

describe('decoding', () => {
  const model = createModel(tinyGpt2Config({ initializerRange: 0.5, nPositions: 24 }), 3);
  const prompts = [
    [5, 6, 7, 8, 9, 1],
    [10, 1],
    [2, 3, 4, 1],
  ];

  test('batched greedy (left padding) equals one prompt at a time, cached and not', () => {
    const single = prompts.map((p) => generate(model, [p], { maxNewTokens: 10 })[0][0].tokens);
    expect(new Set(single.map((s) => s.join())).size).toBeGreaterThan(1); // the prompts lead somewhere different
    for (const useCache of [true, false])
      expect(generate(model, prompts, { maxNewTokens: 10, useCache }).map((r) => r[0].tokens)).toEqual(single);
  });

  test('generation stops at the last learned position; a prompt that fills them is an error', () => {
    const [[out]] = generate(model, [[5, 6, 7, 8, 9, 1]], { maxNewTokens: 100 });
    expect(out.tokens.length).toBeLessThanOrEqual(24 - 6);
    expect(() => generate(model, [new Array(24).fill(5)], { maxNewTokens: 1 })).toThrow(/no room .* 24 positions/);
  });
});

describe('with the T5 tokenizer', () => {
  let opened: Awaited<ReturnType<typeof openStudent>>;
  beforeAll(async () => {
    opened = await openStudent({
      model: 'scratch',
      arch: 'gpt2',
      tokenizer: T5_TOKENIZER,
      scratch: { dModel: 8, dFf: 16, numLayers: 1, numHeads: 2, nPositions: 64 },
      seed: 4,
    });
  });

  test('a GPT-2 student reads the same ids as a T5 student: prompt ++ </s>, target ++ </s>', () => {
    const { model: gpt, tokenizer: tok } = opened;
    const t5 = createModel(tinyT5Config('v1.1'));
    const prompt = 'Question: Is the sky blue?\nExplanation:';
    const target = 'Rayleigh scattering.\nAnswer: A';
    expect(encodePrompt(gpt, tok, prompt)).toEqual(tok.encode(prompt));
    expect(encodePrompt(gpt, tok, prompt).at(-1)).toBe(1);
    expect(encodeTarget(gpt, tok, target)).toEqual(encodeTarget(t5, tok, target));
    // truncation keeps the closing EOS, as T5's does
    expect(encodePrompt(gpt, tok, prompt, 4)).toEqual([...tok.encode(prompt).slice(0, 3), 1]);
    expect(encodePrompt(gpt, tok, prompt, 4)).toEqual(encodePrompt(t5, tok, prompt, 4));
    expect(gpt.config).toMatchObject({ vocabSize: 32100, eosTokenId: 1, bosTokenId: 1, padTokenId: 0, nInner: 16 });
  });

  test('scratch GPT-2 -> Hugging Face folder (HF key names, tokenizer) -> opened again as gpt2 by its config.json', async () => {
    expect(opened.origin).toMatch(/^scratch GPT-2 from /);
    const dir = path.join(tmp, 'scratch-gpt2');
    await saveStudent(opened, dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_positions: 64 });
    expect(fs.existsSync(path.join(dir, 'tokenizer.json'))).toBe(true);
    const keys = [...readSafetensorsDir(dir)!.keys()].sort();
    expect(keys).toContain('transformer.wte.weight');
    expect(keys).toContain('transformer.h.0.attn.c_attn.weight');
    expect(keys).toContain('transformer.ln_f.bias');
    const src = { tokenizer: 'unused', scratch: { dModel: 8, dFf: 8, numLayers: 1, numHeads: 1 }, seed: 0 };
    const again = await openStudent({ model: dir, ...src });
    expect(again.model.config.modelType).toBe('gpt2');
    const ids = [[5, 6, 7, 1]];
    expect(generate(again.model, ids, { maxNewTokens: 5 })).toEqual(generate(opened.model, ids, { maxNewTokens: 5 }));
    await expect(openStudent({ model: dir, arch: 't5', ...src })).rejects.toThrow(
      /set to t5 but the folder holds a gpt2 model/,
    );
  });
});

/** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest map to U+0100 onwards. */
function bytesToUnicode(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let n = 0;
  return Array.from({ length: 256 }, (_, b) =>
    printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++),
  );
}

test('a GPT-2 folder with its own byte-level BPE tokenizer.json loads the same way (EOS <|endoftext|>, pad = EOS)', async () => {
  const dir = path.join(tmp, 'hf-gpt2-bpe');
  fs.mkdirSync(dir);
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((c, b) => (vocab[c] = b));
  const merges = ['Ġ t', 'h e', 'Ġt he'];
  for (const m of merges) vocab[m.replace(' ', '')] = Object.keys(vocab).length;
  const eos = Object.keys(vocab).length; // 259
  vocab['<|endoftext|>'] = eos;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  fs.writeFileSync(
    path.join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [
        {
          id: eos,
          content: '<|endoftext|>',
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: true,
          special: true,
        },
      ],
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: byteLevel,
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        vocab,
        merges,
      },
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'GPT2Tokenizer',
      bos_token: '<|endoftext|>',
      eos_token: '<|endoftext|>',
      unk_token: '<|endoftext|>',
      model_max_length: 1024,
    }),
  );
  const tok = await loadTokenizer(dir);
  expect([tok.vocabSize, tok.eosTokenId, tok.padTokenId]).toEqual([260, 259, 259]);
  // the weights: a scratch GPT-2 sized to this tokenizer, written in the HF layout (as transformers would have)
  const model = createScratchGpt2(tok, { dModel: 8, dFf: 16, numLayers: 1, numHeads: 2, nPositions: 32 }, 1);
  const saved = path.join(tmp, 'hf-gpt2');
  await saveStudent({ model, tokenizer: tok }, saved);
  const student = await loadStudent(saved);
  expect(student.model.config).toMatchObject({ modelType: 'gpt2', eosTokenId: 259, bosTokenId: 259, padTokenId: 259 });
  // " the the": the merges apply, then the separator the tokenizer itself does not add
  const the = vocab['Ġthe'];
  expect(student.tokenizer.encode(' the the')).toEqual([the, the]);
  expect(encodePrompt(student.model, student.tokenizer, ' the the')).toEqual([the, the, 259]);
  expect(encodeTarget(student.model, student.tokenizer, ' the', 2)).toEqual([the, 259]);
  const [[out]] = generate(student.model, [encodePrompt(student.model, student.tokenizer, ' the the')], {
    maxNewTokens: 4,
  });
  expect(out.tokens.every((t) => t >= 0 && t < 260)).toBe(true);
  expect(student.tokenizer.decode([the, vocab['Ġ'], vocab['t']])).toBe(' the t');
  // a student that answers EOS at once generated the empty text (transformers.js itself throws on no ids)
  expect(student.tokenizer.decode([])).toBe('');
});
