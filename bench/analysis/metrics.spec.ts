import { beatFMeasure, keyOutcome, tempoAcc1, tempoAcc2 } from './metrics';

describe('bench metrics', () => {
  it('counts Acc1 within 4 % only', () => {
    expect(tempoAcc1(124, 120)).toBe(true);
    expect(tempoAcc1(125, 120)).toBe(false);
  });

  it('counts Acc2 at double, triple, half and third', () => {
    expect(tempoAcc2(240, 120)).toBe(true);
    expect(tempoAcc2(40, 120)).toBe(true);
    expect(tempoAcc2(180, 120)).toBe(false);
  });

  it('weights keys as MIREX does', () => {
    expect(keyOutcome('A minor', 'A minor')?.weight).toBe(1);
    expect(keyOutcome('E minor', 'A minor')?.weight).toBe(0.5);
    expect(keyOutcome('C major', 'A minor')?.weight).toBe(0.3);
    expect(keyOutcome('A major', 'A minor')?.weight).toBe(0.2);
    expect(keyOutcome('Bb major', 'A minor')?.weight).toBe(0);
    expect(keyOutcome('A minor', '')).toBeNull();
  });

  it('scores beat F-measure with a 70 ms window', () => {
    const ref = Array.from({ length: 40 }, (_, i) => i * 0.5);
    expect(
      beatFMeasure(
        ref.map((t) => t + 0.05),
        ref,
      ),
    ).toBeCloseTo(1, 6);
    expect(
      beatFMeasure(
        ref.map((t) => t + 0.25),
        ref,
      ),
    ).toBe(0);
  });
});
