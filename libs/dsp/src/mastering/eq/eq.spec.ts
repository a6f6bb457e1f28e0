import { noise, sine } from '../spec-helpers';
import { LongTermSpectrum, THIRD_OCTAVE_CENTRES } from './long-term-spectrum';
import { StereoWidth, widthMatchSideGain } from './stereo-width';
import { SubsonicFilter } from './subsonic-filter';
import { TonalBalanceEq, designTonalBalance } from './tonal-balance-eq';

const FS = 44100;
const NB = THIRD_OCTAVE_CENTRES.length;

function band(f: number): number {
  let best = 0;
  for (let b = 1; b < NB; b++)
    if (Math.abs(Math.log(THIRD_OCTAVE_CENTRES[b] / f)) < Math.abs(Math.log(THIRD_OCTAVE_CENTRES[best] / f)))
      best = b;
  return best;
}

function steadyGainDb(x: Float32Array, y: Float32Array): number {
  let a = 0;
  let b = 0;
  for (let i = x.length / 2; i < x.length; i++) {
    a += y[i] * y[i];
    b += x[i] * x[i];
  }
  return 10 * Math.log10(a / b);
}

describe('SubsonicFilter (4th-order Butterworth high-pass)', () => {
  const f = new SubsonicFilter({ sampleRate: FS, channels: 1, frequency: 20 });
  it('is -3.01 dB at its corner', () => {
    expect(f.responseDb(20)).toBeCloseTo(-3.01, 2);
  });
  it('falls 24 dB per octave below the corner', () => {
    expect(f.responseDb(5) - f.responseDb(10)).toBeCloseTo(-24, 0);
  });
  it('leaves 100 Hz untouched within 0.01 dB', () => {
    expect(Math.abs(f.responseDb(100))).toBeLessThan(0.01);
  });
  it('removes a DC offset', () => {
    const x = sine(FS, 1000, 0.1, 2).map((v) => v + 0.2);
    const g = new SubsonicFilter({ sampleRate: FS, channels: 1 });
    g.process([x]);
    let mean = 0;
    for (let i = FS; i < 2 * FS; i++) mean += x[i];
    expect(Math.abs(mean / FS)).toBeLessThan(1e-5);
  });
});

describe('LongTermSpectrum', () => {
  it('reads a 1 kHz sine of amplitude A at 20 log10(A / sqrt 2) in the 1 kHz band (+-0.2 dB)', () => {
    const x = sine(FS, 1000, 0.5, 3);
    const s = new LongTermSpectrum({ sampleRate: FS, channels: 2 });
    s.process([x, x]);
    const r = s.result();
    expect(r.midBandsDb[band(1000)]).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 0);
    expect(Math.abs(r.midBandsDb[band(1000)] - 20 * Math.log10(0.5 / Math.SQRT2))).toBeLessThan(0.2);
    expect(r.midBandsDb[band(250)]).toBeLessThan(-80);
  });
  it('reads width: -Infinity for dual mono, 0 dB for one-sided, about 0 dB for uncorrelated channels', () => {
    const n = 3 * FS;
    const run = (l: Float32Array, r: Float32Array) => {
      const s = new LongTermSpectrum({ sampleRate: FS, channels: 2 });
      s.process([l, r]);
      return s.result().widthDb;
    };
    const a = noise(n, 0.3, 1);
    expect(run(a, a)).toBe(-Infinity);
    expect(run(a, new Float32Array(n))).toBeCloseTo(0, 6);
    expect(Math.abs(run(a, noise(n, 0.3, 2)))).toBeLessThan(0.1);
  });
  it('gates out silence', () => {
    const s = new LongTermSpectrum({ sampleRate: FS, channels: 1 });
    s.process([new Float32Array(3 * FS)]);
    s.process([sine(FS, 1000, 0.5, 1)]);
    expect(s.result().gatedFrames).toBeGreaterThan(0);
    expect(s.result().midBandsDb[band(1000)]).toBeGreaterThan(-10);
  });
});

describe('designTonalBalance', () => {
  const flat = new Array<number>(NB).fill(-30);

  it('designs nothing when the input already matches the target', () => {
    const d = designTonalBalance(flat, flat, FS);
    expect(d.sections).toHaveLength(0);
    expect(d.maxAbsDb).toBe(0);
  });

  it('follows a smooth, in-bounds target within 0.5 dB (a +3 dB tilt toward the top)', () => {
    const target = THIRD_OCTAVE_CENTRES.map((f) => -30 + 1.5 * Math.tanh(Math.log2(f / 1000) / 2));
    const d = designTonalBalance(target, flat, FS);
    for (let b = 0; b < NB; b++) {
      if (THIRD_OCTAVE_CENTRES[b] < 40 || THIRD_OCTAVE_CENTRES[b] > 16000) continue;
      expect(Math.abs(d.curveDb[b] - d.desiredDb[b])).toBeLessThan(0.5);
    }
    expect(d.curveDb[band(8000)]).toBeGreaterThan(d.curveDb[band(250)] + 1.5);
  });

  it('stays within +-maxGain and smooth (<= 1.5 dB between adjacent bands) on a jagged target', () => {
    const target = THIRD_OCTAVE_CENTRES.map((_, b) => -30 + (b % 2 === 0 ? 12 : -12) + (b % 5) * 3);
    const d = designTonalBalance(target, flat, FS, { maxGain: 4 });
    const usable = d.curveDb.filter((v) => !isNaN(v));
    for (const v of usable) expect(Math.abs(v)).toBeLessThanOrEqual(4 + 1e-9);
    for (let i = 1; i < usable.length; i++)
      expect(Math.abs(usable[i] - usable[i - 1])).toBeLessThanOrEqual(1.5);
  });

  it('bounds a large demand (+15 dB of bass) to maxGain', () => {
    const target = THIRD_OCTAVE_CENTRES.map((f) => (f < 200 ? -15 : -30));
    const d = designTonalBalance(target, flat, FS, { maxGain: 3 });
    expect(d.maxAbsDb).toBeLessThanOrEqual(3);
    expect(d.curveDb[band(63)]).toBeGreaterThan(2);
  });

  it('realises its curve: a sine through TonalBalanceEq changes by curveDb at its band (+-0.3 dB)', () => {
    const target = THIRD_OCTAVE_CENTRES.map((f) => -30 + 2 * Math.tanh(Math.log2(f / 1000)));
    const d = designTonalBalance(target, flat, FS);
    const eq = new TonalBalanceEq(d, 1);
    for (const f of [100, 1000, 8000]) {
      eq.reset();
      const x = sine(FS, THIRD_OCTAVE_CENTRES[band(f)], 0.25, 0.5);
      const y = Float32Array.from(x);
      eq.process([y]);
      expect(Math.abs(steadyGainDb(x, y) - d.curveDb[band(f)])).toBeLessThan(0.3);
    }
  });

  it('refuses a spectrum with the wrong number of bands', () => {
    expect(() => designTonalBalance([0, 1], [0, 1], FS)).toThrow(RangeError);
  });
});

describe('StereoWidth', () => {
  it('side gain 0 folds to mono (L = R = (L+R)/2)', () => {
    const l = Float32Array.from([1, 0.5, -0.25]);
    const r = Float32Array.from([0, 0.5, 0.25]);
    new StereoWidth({ sideGain: 0 }).process([l, r]);
    expect(Array.from(l)).toEqual([0.5, 0.5, 0]);
    expect(Array.from(r)).toEqual([0.5, 0.5, 0]);
  });
  it('side gain g changes the width by 20 log10 g', () => {
    const n = 2 * FS;
    const a = noise(n, 0.3, 5);
    const b = noise(n, 0.3, 6);
    const measure = (l: Float32Array, r: Float32Array) => {
      const s = new LongTermSpectrum({ sampleRate: FS, channels: 2 });
      s.process([l, r]);
      return s.result().widthDb;
    };
    const before = measure(a, b);
    new StereoWidth({ sideGain: 0.5 }).process([a, b]);
    expect(measure(a, b) - before).toBeCloseTo(20 * Math.log10(0.5), 6);
  });
  it('widthMatchSideGain bounds the change to +-maxChange dB and ignores mono', () => {
    expect(widthMatchSideGain(-10, -4, 3)).toBeCloseTo(Math.pow(10, 3 / 20), 12);
    expect(widthMatchSideGain(-10, -9, 3)).toBeCloseTo(Math.pow(10, 1 / 20), 12);
    expect(widthMatchSideGain(-Infinity, -9)).toBe(1);
  });
});
