import { sine } from '../spec-helpers';
import { adviseCompression } from './compression-advice';
import { Compressor, compressorGainDb } from './compressor';

const FS = 44100;

describe('compressorGainDb (soft-knee static curve, Giannoulis et al. 2012)', () => {
  it('is 0 dB below the knee', () => {
    expect(compressorGainDb(-40, -20, 4, 6)).toBe(0);
    expect(compressorGainDb(-23, -20, 4, 6)).toBe(0);
  });
  it('is (1/R - 1)(x - T) above the knee', () => {
    expect(compressorGainDb(-10, -20, 4, 6)).toBeCloseTo(-7.5, 12);
  });
  it('is (1/R - 1) W / 8 at the threshold', () => {
    expect(compressorGainDb(-20, -20, 4, 6)).toBeCloseTo((0.25 - 1) * (6 / 8), 12);
  });
  it('is continuous at both knee edges', () => {
    for (const edge of [-23, -17]) {
      expect(compressorGainDb(edge - 1e-9, -20, 4, 6)).toBeCloseTo(
        compressorGainDb(edge + 1e-9, -20, 4, 6),
        6,
      );
    }
  });
});

describe('Compressor', () => {
  function steadyLevelDb(y: Float32Array): number {
    let s = 0;
    for (let i = y.length / 2; i < y.length; i++) s += y[i] * y[i];
    return 10 * Math.log10(s / (y.length / 2));
  }

  it('settles on the static curve for a steady sine (RMS detector, +-0.2 dB)', () => {
    const x = sine(FS, 1000, 0.5, 2); // RMS level -9.03 dB
    const y = Float32Array.from(x);
    const c = new Compressor({ sampleRate: FS, channels: 1, threshold: -20, ratio: 3, knee: 6 });
    c.process([y]);
    const expected = compressorGainDb(20 * Math.log10(0.5 / Math.SQRT2), -20, 3, 6);
    expect(Math.abs(steadyLevelDb(y) - steadyLevelDb(x) - expected)).toBeLessThan(0.2);
  });

  it('leaves material under the knee bit-identical', () => {
    const x = sine(FS, 1000, 0.05, 0.5);
    const y = Float32Array.from(x);
    new Compressor({ sampleRate: FS, channels: 1, threshold: -20 }).process([y]);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  it('applies makeup gain', () => {
    const x = sine(FS, 1000, 0.05, 0.5);
    const y = Float32Array.from(x);
    new Compressor({ sampleRate: FS, channels: 1, threshold: -20, makeup: 6 }).process([y]);
    expect(steadyLevelDb(y) - steadyLevelDb(x)).toBeCloseTo(6, 3);
  });

  it('attacks within a few time constants and releases when the level drops', () => {
    const x = new Float32Array(2 * FS);
    for (let i = 0; i < x.length; i++) x[i] = (i < FS ? 0.8 : 0.02) * Math.sin((2 * Math.PI * 1000 * i) / FS);
    const c = new Compressor({
      sampleRate: FS,
      channels: 1,
      threshold: -20,
      ratio: 4,
      attack: 0.01,
      release: 0.1,
    });
    c.process([x]);
    expect(c.maxGainReductionDb).toBeGreaterThan(8);
    let a = 0;
    for (let i = 2 * FS - 4410; i < 2 * FS; i++) a = Math.max(a, Math.abs(x[i]));
    expect(20 * Math.log10(a / 0.02)).toBeGreaterThan(-0.1);
  });

  it('links the channels', () => {
    const l = sine(FS, 1000, 0.8, 0.5);
    const r = sine(FS, 1000, 0.1, 0.5);
    new Compressor({ sampleRate: FS, channels: 2, threshold: -20 }).process([l, r]);
    const i = FS / 2 - 10;
    expect(l[i] / (0.8 * Math.sin((2 * Math.PI * 1000 * i) / FS))).toBeCloseTo(
      r[i] / (0.1 * Math.sin((2 * Math.PI * 1000 * i) / FS)),
      4,
    );
  });

  it('refuses a ratio below 1', () => {
    expect(() => new Compressor({ sampleRate: FS, channels: 1, ratio: 0.5 })).toThrow(RangeError);
  });
});

describe('adviseCompression', () => {
  const target = { loudness: -14, ceiling: -1 };
  it('says linear gain when the peak-to-loudness ratio fits', () => {
    const a = adviseCompression({ integratedLoudness: -18, truePeak: -6 }, target);
    expect(a.compress).toBe(false);
    expect(a.limiterReduction).toBe(0);
  });
  it('leaves moderate excess to the limiter', () => {
    const a = adviseCompression({ integratedLoudness: -18, truePeak: -2 }, target);
    expect(a.compress).toBe(false);
    expect(a.limiterReduction).toBeCloseTo(3, 12);
  });
  it('advises gentle compression when the limiter would need more than 4 dB', () => {
    const a = adviseCompression({ integratedLoudness: -22, truePeak: -1, loudnessRange: 8 }, target);
    expect(a.compress).toBe(true);
    expect(a.limiterReduction).toBeCloseTo(8, 12);
    expect(a.settings?.ratio).toBeGreaterThanOrEqual(2);
  });
  it('respects deliberately wide dynamics (loudness range above 15 LU)', () => {
    const a = adviseCompression({ integratedLoudness: -22, truePeak: -1, loudnessRange: 18 }, target);
    expect(a.compress).toBe(false);
  });
  it('refuses silent input', () => {
    expect(() => adviseCompression({ integratedLoudness: -Infinity, truePeak: -Infinity }, target)).toThrow(
      RangeError,
    );
  });
});
