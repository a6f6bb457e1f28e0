import { compoundRegrouping, type MetreEstimate } from './metre';
import type { MetreFeatures } from './onset';

const FRAME_RATE = 100;
/** Six eighths per bar, 10 frames per eighth (an eighth of 0.1 s: 100 dotted quarters per minute). */
const EIGHTH = 10;

/** Onset features whose high band has a hit of `accents[e % 6]` on every eighth e. */
function features(accents: readonly number[], bars: number): MetreFeatures {
  const frames = bars * 6 * EIGHTH + 20;
  const high = new Float32Array(frames);
  for (let e = 0; e < bars * 6; e++) high[e * EIGHTH + 5] = accents[e % 6];
  const empty = new Float32Array(frames);
  return {
    frameRate: FRAME_RATE,
    all: high,
    low: empty,
    mid: empty,
    high,
    bands: new Float32Array(0),
    bandCount: 0,
    bandDecimation: 2,
    chroma: new Float32Array(0),
  };
}

/** Beats on every other eighth: the 3/4 reading of the six-eighth bar. */
function quarterBeats(bars: number): Float64Array {
  return Float64Array.from({ length: bars * 3 }, (_, i) => i * 2 * EIGHTH + 5);
}

const threeFour: MetreEstimate = {
  beatsPerBar: 3,
  subdivision: 2,
  timeSignature: '3/4',
  firstDownbeat: 0,
  confidence: 0.5,
};

describe('compoundRegrouping', () => {
  it('regroups a 3/4 reading of a 6/8 accent pattern (1 . . 1 . .) into dotted-quarter beats', () => {
    const r = compoundRegrouping(features([1, 0.3, 0.3, 0.8, 0.3, 0.3], 8), quarterBeats(8), threeFour);
    expect(r).not.toBeNull();
    expect(r!.accentRatio).toBeCloseTo(0.8 / 0.3, 5);
    // beats on eighths 0 and 3 of every bar, the downbeat first
    expect(Array.from(r!.beats.slice(0, 4))).toEqual([5, 35, 65, 95]);
    expect(r!.firstDownbeat).toBe(0);
  });

  it('keeps a waltz (1 . 1 . 1 .) as it is', () => {
    expect(
      compoundRegrouping(features([1, 0.2, 0.7, 0.2, 0.7, 0.2], 8), quarterBeats(8), threeFour),
    ).toBeNull();
  });

  it('keeps the downbeat when the bars start on the second beat found', () => {
    const beats = quarterBeats(9).slice(1); // the first beat found is the second of a bar
    const metre = { ...threeFour, firstDownbeat: 2 };
    const r = compoundRegrouping(features([1, 0.3, 0.3, 0.8, 0.3, 0.3], 9), beats, metre);
    expect(r).not.toBeNull();
    const downbeat = r!.beats[r!.firstDownbeat];
    expect((downbeat - 5) % (6 * EIGHTH)).toBe(0);
    expect((r!.beats[r!.firstDownbeat + 1] - downbeat) / EIGHTH).toBe(3);
  });

  it('leaves other metres and binary subdivisions alone', () => {
    const f = features([1, 0.3, 0.3, 0.8, 0.3, 0.3], 8);
    expect(
      compoundRegrouping(f, quarterBeats(8), { ...threeFour, beatsPerBar: 4, timeSignature: '4/4' }),
    ).toBeNull();
    expect(
      compoundRegrouping(f, quarterBeats(8), { ...threeFour, subdivision: 3, timeSignature: '9/8' }),
    ).toBeNull();
  });
});
