/**
 * Test support: a "BERT" small enough to write by hand, so the transformers.js embedder runs a real ONNX
 * model through onnxruntime without downloading weights. Its graph is one Gather:
 * last_hidden_state[b, t, :] = E[input_ids[b, t], :], so the expected sentence embedding is plain
 * arithmetic over E (mean or first row), computed independently in the test.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Minimal protobuf encoding (https://protobuf.dev/programming-guides/encoding/): enough for ONNX's ModelProto.
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const intField = (no: number, v: number) => Buffer.from([...varint(no * 8), ...varint(v)]);
const bytesField = (no: number, b: Buffer | string) => {
  const body = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return Buffer.concat([Buffer.from([...varint(no * 8 + 2), ...varint(body.length)]), body]);
};
const msg = (...parts: Buffer[]) => Buffer.concat(parts);

const ELEM_FLOAT = 1;
const ELEM_INT64 = 7;

// ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1: {dim_value=1|dim_param=2}}}}}
function valueInfo(name: string, elemType: number, dims: (number | string)[]): Buffer {
  const shape = msg(...dims.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : bytesField(2, d))));
  const tensorType = msg(intField(1, elemType), bytesField(2, shape));
  return msg(bytesField(1, name), bytesField(2, bytesField(1, tensorType)));
}

/** Serialises the one-Gather model for an embedding table `table` [vocab, hidden]. */
export function tinyBertOnnx(table: Float32Array, vocab: number, hidden: number): Buffer {
  const raw = Buffer.from(table.buffer, table.byteOffset, table.byteLength);
  // TensorProto{dims=1, data_type=2, name=8, raw_data=9}
  const initializer = msg(
    intField(1, vocab),
    intField(1, hidden),
    intField(2, ELEM_FLOAT),
    bytesField(8, 'E'),
    bytesField(9, raw),
  );
  // NodeProto{input=1, output=2, name=3, op_type=4}
  const node = msg(
    bytesField(1, 'E'),
    bytesField(1, 'input_ids'),
    bytesField(2, 'last_hidden_state'),
    bytesField(3, 'embed'),
    bytesField(4, 'Gather'),
  );
  // GraphProto{node=1, name=2, initializer=5, input=11, output=12}
  const graph = msg(
    bytesField(1, node),
    bytesField(2, 'tiny-bert'),
    bytesField(5, initializer),
    bytesField(11, valueInfo('input_ids', ELEM_INT64, ['batch', 'sequence'])),
    bytesField(11, valueInfo('attention_mask', ELEM_INT64, ['batch', 'sequence'])),
    bytesField(12, valueInfo('last_hidden_state', ELEM_FLOAT, ['batch', 'sequence', hidden])),
  );
  // ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8: {domain=1, version=2}}
  return msg(intField(1, 8), bytesField(2, 'kard-tests'), bytesField(7, graph), bytesField(8, intField(2, 13)));
}

/**
 * Writes a transformers.js-loadable model folder (config, tokenizer, onnx/model.onnx) with a seeded random
 * embedding table, using the shipped bert-base-uncased tokenizer. Returns the table for reference maths.
 */
export function writeTinyBertFolder(dir: string, tokenizerDir: string, hidden: number, seed = 1): Float32Array {
  const vocab = 30522;
  const table = new Float32Array(vocab * hidden);
  let s = seed >>> 0;
  for (let i = 0; i < table.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    table[i] = s / 2 ** 32 - 0.5;
  }
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
    copyFileSync(join(tokenizerDir, f), join(dir, f));
  }
  const config = { model_type: 'bert', architectures: ['BertModel'], hidden_size: hidden, vocab_size: vocab };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), tinyBertOnnx(table, vocab, hidden));
  return table;
}
