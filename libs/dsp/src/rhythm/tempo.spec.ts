import { preferBarDividingBeat } from './tempo';

describe('preferBarDividingBeat', () => {
  const FR = 86;
  /** A tempogram mean (normalised ACF by lag) with peaks of `height` at the given lags. */
  const acf = (peaks: [number, number][]): Float64Array => {
    const a = new Float64Array(400);
    for (const [lag, height] of peaks)
      for (let i = -2; i <= 2; i++)
        a[Math.round(lag) + i] = Math.max(a[Math.round(lag) + i], height * (1 - Math.abs(i) / 3));
    return a;
  };
  const lag = (bpm: number): number => (60 / bpm) * FR;

  it('takes the beat whose four-beat bar repeats over a dotted-eighth pulse 4/3 as fast', () => {
    const scored = [
      { bpm: 132, score: 1 },
      { bpm: 99, score: 0.6 },
    ];
    preferBarDividingBeat(
      scored,
      acf([
        [lag(132), 0.8],
        [2 * lag(132), 0.6],
        [4 * lag(99), 0.7],
      ]),
      FR,
    );
    expect(scored[0].bpm).toBe(99);
  });

  it('keeps a waltz at its beat: the 4/3 candidate bars at the same lag (three beats = its four)', () => {
    const scored = [
      { bpm: 94.5, score: 1 },
      { bpm: 126, score: 0.6 },
    ];
    preferBarDividingBeat(
      scored,
      acf([
        [lag(94.5), 0.7],
        [3 * lag(94.5), 0.9],
      ]),
      FR,
    );
    expect(scored[0].bpm).toBe(94.5);
  });

  it('does not switch on a faint bar (below BAR_EVIDENCE_MIN), as in a short solo clip', () => {
    const scored = [
      { bpm: 92, score: 1 },
      { bpm: 121, score: 0.6 },
    ];
    preferBarDividingBeat(
      scored,
      acf([
        [lag(92), 0.12],
        [3 * lag(121), 0.25],
      ]),
      FR,
    );
    expect(scored[0].bpm).toBe(92);
  });

  it('leaves candidates in other relations alone', () => {
    const scored = [
      { bpm: 120, score: 1 },
      { bpm: 80, score: 0.6 },
    ];
    preferBarDividingBeat(scored, acf([[4 * lag(80), 0.9]]), FR);
    expect(scored[0].bpm).toBe(120);
  });
});
