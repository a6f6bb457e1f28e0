import { octaveScore, type OctaveModel } from '@pressline/dsp';
import { fitOctaveModel, OCTAVE_FIT_DEFAULTS, type OctavePiece } from './octave-fit';

/**
 * A toy ranking problem no linear scorer solves: each piece has five candidates with two features,
 * and the right one is the candidate whose first feature is nearest to zero (the second is noise).
 */
function toyPieces(count: number, seed: number): OctavePiece[] {
  let s = seed;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out: OctavePiece[] = [];
  for (let p = 0; p < count; p++) {
    const features = Array.from({ length: 5 }, () => Float64Array.from([rnd() * 4 - 2, rnd()]));
    let best = 0;
    features.forEach((x, i) => {
      if (Math.abs(x[0]) < Math.abs(features[best][0])) best = i;
    });
    const correct = features.map((_, i) => i === best);
    out.push({ features, correct, related: correct });
  }
  return out;
}

function accuracy(model: OctaveModel, pieces: OctavePiece[]): number {
  let right = 0;
  for (const p of pieces) {
    const scores = p.features.map((x) => octaveScore(model, x));
    if (p.correct[scores.indexOf(Math.max(...scores))]) right++;
  }
  return right / pieces.length;
}

describe('fitOctaveModel', () => {
  const train = toyPieces(300, 1);
  const test = toyPieces(200, 2);

  it('learns a ranking that needs the hidden layer, and generalises to new pieces', () => {
    const model = fitOctaveModel(train, ['x', 'noise'], {
      ...OCTAVE_FIT_DEFAULTS,
      members: 1,
      hidden: 6,
      iterations: 300,
    });
    expect(accuracy(model, test)).toBeGreaterThan(0.85);
    const linear = fitOctaveModel(train, ['x', 'noise'], {
      ...OCTAVE_FIT_DEFAULTS,
      members: 1,
      hidden: 0,
      iterations: 300,
    });
    expect(accuracy(linear, test)).toBeLessThan(0.6);
  });

  it('is deterministic and records its feature names', () => {
    const options = { ...OCTAVE_FIT_DEFAULTS, members: 2, hidden: 3, iterations: 20 };
    const a = fitOctaveModel(train.slice(0, 50), ['x', 'noise'], options, 'toy');
    const b = fitOctaveModel(train.slice(0, 50), ['x', 'noise'], options, 'toy');
    expect(a).toEqual(b);
    expect(a.features).toEqual(['x', 'noise']);
    expect(a.trainedOn).toBe('toy');
    // two networks of three units side by side, each output weight halved
    expect(a.hidden).toHaveLength(6);
    const one = fitOctaveModel(train.slice(0, 50), ['x', 'noise'], { ...options, members: 1 }, 'toy');
    expect(a.hidden[0].out).toBeCloseTo(one.hidden[0].out / 2, 5);
  });

  it('refuses pieces without a right candidate', () => {
    const none = train.slice(0, 5).map((p) => ({ ...p, correct: p.correct.map(() => false) }));
    expect(() => fitOctaveModel(none, ['x', 'noise'])).toThrow(/no piece/);
  });
});
