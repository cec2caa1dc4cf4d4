// Test helper: how far apart two models' parameters are.
type Params = Map<string, { dataSync(): ArrayLike<number> }>;

/** Euclidean distance between two models' parameters, matched by name. */
export function distance(a: Params, b: Params): number {
  let sum = 0;
  for (const [name, t] of a) {
    const x = t.dataSync(),
      y = b.get(name)!.dataSync();
    for (let i = 0; i < x.length; i++) sum += (x[i] - y[i]) ** 2;
  }
  return Math.sqrt(sum);
}
