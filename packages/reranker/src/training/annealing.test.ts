import { kardAlpha, temperaturesAt } from './annealing';

describe("KARD's temperature annealing", () => {
  const start = { tau: 1, tauModel: 100 };
  // 2/(1+e^(−x)) − 1 = tanh(x/2): an independent form of α(p) = 2/(1+e^(−10p)) − 1.
  const alpha = (p: number) => Math.tanh(5 * p);

  it('starts at (τ₀, τ_model₀) and lags one step, as the official loop does', () => {
    expect(temperaturesAt(0, 100, start)).toEqual(start);
    expect(temperaturesAt(1, 100, start)).toEqual(start); // α(0) = 0
    const t = temperaturesAt(11, 100, start);
    expect(t.tau).toBeCloseTo(1 - 4 * alpha(0.1), 12);
    expect(t.tauModel).toBeCloseTo(100 - 400 * alpha(0.1), 10);
  });

  it('follows α(p) = tanh(5p) over the run and ends near (−3, −300)', () => {
    for (const p of [0, 0.05, 0.25, 0.5, 0.9, 1]) expect(kardAlpha(p)).toBeCloseTo(alpha(p), 12);
    const end = temperaturesAt(1001, 1000, start);
    expect(end.tau).toBeCloseTo(1 - 4 * Math.tanh(5), 10);
    expect(end.tauModel).toBeCloseTo(100 - 400 * Math.tanh(5), 8);
  });

  it('crosses zero for both temperatures at p = ln(5/3)/10 and keeps their ratio at 100', () => {
    const pZero = Math.log(5 / 3) / 10;
    expect(kardAlpha(pZero)).toBeCloseTo(0.25, 12);
    for (let step = 2; step < 1000; step += 97) {
      const t = temperaturesAt(step, 1000, start);
      expect(t.tauModel / t.tau).toBeCloseTo(100, 6);
      expect(Math.sign(t.tau)).toBe((step - 1) / 1000 < pZero ? 1 : -1);
    }
  });

  it("'none' keeps the initial temperatures", () => {
    expect(temperaturesAt(500, 1000, start, 'none')).toEqual(start);
  });
});
