// One training step of a tiny transformer block (embedding gather, RMS norm, multi-head attention with a
// causal mask, ReLU feed-forward, tied LM head, fused cross-entropy), built from plain tfjs ops: loss and every
// parameter gradient agree between the cpu backend and native-cpu.
import '../autodiff';
import { nativeOrSkip, runOn, worstError } from './testing/parity';
import { transformerBlockStep as block } from './testing/transformer-block';

const haveNative = nativeOrSkip();
(haveNative ? it : it.skip)(
  'a transformer block step: loss and all gradients agree on cpu and native-cpu',
  async () => {
    const [cpu, native] = await runOn(['cpu', 'native-cpu'], block);
    expect(cpu).toHaveLength(10);
    expect(Number.isFinite(cpu[0].values[0])).toBe(true);
    cpu.forEach((c, i) => {
      expect(native[i].shape).toEqual(c.shape);
      expect(worstError(native[i].values, c.values, 2e-4, 1e-5)).toBeLessThanOrEqual(1);
    });
    // The embedding gradient mixes the gather's UnsortedSegmentSum with the tied LM head's matmul: non-trivial.
    expect(cpu[1].values.some((x) => x !== 0)).toBe(true);
  },
);
