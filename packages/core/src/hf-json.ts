/**
 * JSON for Hugging Face config files. JavaScript has one number type, so `JSON.stringify` writes the float 1.0
 * as `1`; transformers 5 validates config fields strictly and refuses an int where the field is a float
 * ("Field 'initializer_factor' expected float, got int"). The keys listed in `floatKeys` are written with a
 * decimal point when their value is integral; everything else is plain JSON.
 */
export function stringifyHfConfig(obj: Record<string, unknown>, floatKeys: readonly string[]): string {
  const floats = new Set(floatKeys);
  const marker = '\u0000float:';
  const text = JSON.stringify(
    obj,
    function replacer(this: unknown, key: string, value: unknown) {
      return floats.has(key) && typeof value === 'number' && Number.isInteger(value) ? `${marker}${value}` : value;
    },
    2,
  );
  return text.replace(/"\\u0000float:(-?\d+)"/g, '$1.0') + '\n';
}

/** Float-typed fields of the configs this project writes (transformers' T5Config, GPT2Config, BertConfig). */
export const HF_FLOAT_FIELDS = {
  t5: ['dropout_rate', 'layer_norm_epsilon', 'initializer_factor', 'classifier_dropout'],
  gpt2: ['resid_pdrop', 'embd_pdrop', 'attn_pdrop', 'layer_norm_epsilon', 'initializer_range', 'summary_first_dropout'],
  bert: ['hidden_dropout_prob', 'attention_probs_dropout_prob', 'layer_norm_eps', 'initializer_range'],
} as const;
