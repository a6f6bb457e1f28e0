import { noise, sine } from '../spec-helpers';
import {
  BS1770_INTERPOLATOR_PHASES,
  OversampledPeakDetector,
  measureTruePeak,
} from './oversampled-peak-detector';
import { PEAK_INTERPOLATOR_TAPS, designPeakInterpolator, peakOversamplingFactor } from './peak-interpolator';

const FS = 48000;

describe('BS.1770 Annex 2 interpolator table', () => {
  it('is the symmetric prototype: phase 3 is phase 0 reversed, phase 2 is phase 1 reversed', () => {
    const [p0, p1, p2, p3] = BS1770_INTERPOLATOR_PHASES;
    for (let j = 0; j < 12; j++) {
      expect(p3[j]).toBe(p0[11 - j]);
      expect(p2[j]).toBe(p1[11 - j]);
    }
  });
  it('passes DC within the example filter ripple (+-0.25 dB) in every phase', () => {
    for (const p of BS1770_INTERPOLATOR_PHASES) {
      const dc = 20 * Math.log10(p.reduce((s, c) => s + c, 0));
      expect(Math.abs(dc)).toBeLessThan(0.25);
    }
  });
});

describe('OversampledPeakDetector (BS.1770-5 Annex 2, 4x)', () => {
  it('reads a 1 kHz sine of amplitude 0.5 at -6.02 dBTP (+-0.05 dB)', () => {
    expect(measureTruePeak([sine(FS, 1000, 0.5, 0.2, { fade: 0.01 })])).toBeCloseTo(-6.02, 1);
  });
  it('reads the fs/4, 45 degree sine (samples at 0.707) near its true peak of 0 dBTP (Tech 3341: +0.2/-0.4 dB)', () => {
    const x = sine(FS, FS / 4, 1, 0.2, { phase: Math.PI / 4, fade: 0.01 });
    const d = new OversampledPeakDetector(1);
    d.process([x]);
    expect(d.truePeakDb).toBeGreaterThan(-0.4);
    expect(d.truePeakDb).toBeLessThan(0.2);
    expect(20 * Math.log10(d.samplePeak)).toBeCloseTo(-3.01, 1);
  });
  it('skips exactly: block-wise reading equals a brute-force evaluation of every phase', () => {
    const x = noise(5000, 0.8, 11);
    for (let i = 1000; i < 1100; i++) x[i] *= 0.1;
    let brute = 0;
    for (let n = 0; n < x.length; n++) {
      for (const p of BS1770_INTERPOLATOR_PHASES) {
        let y = 0;
        for (let j = 0; j < 12 && j <= n; j++) y += p[j] * x[n - j];
        brute = Math.max(brute, Math.abs(y), Math.abs(x[n]));
      }
    }
    const d = new OversampledPeakDetector(1);
    for (let s = 0; s < x.length; s += 333) d.process([x.subarray(s, Math.min(x.length, s + 333))]);
    expect(d.truePeak).toBeCloseTo(brute, 6);
  });
  it('refuses a block with the wrong channel count', () => {
    expect(() => new OversampledPeakDetector(2).process([new Float32Array(4)])).toThrow(RangeError);
  });
});

describe('designPeakInterpolator', () => {
  const ip = designPeakInterpolator(8);
  it('passes DC with unit gain in every phase', () => {
    for (let p = 0; p < 7; p++) {
      let s = 0;
      for (let j = 0; j < PEAK_INTERPOLATOR_TAPS; j++) s += ip.coefficients[p * PEAK_INTERPOLATOR_TAPS + j];
      expect(s).toBeCloseTo(1, 12);
    }
  });
  it('is flat within 0.01 dB up to 0.4 fs (half-sample phase)', () => {
    const c = ip.coefficients.subarray(3 * PEAK_INTERPOLATOR_TAPS, 4 * PEAK_INTERPOLATOR_TAPS);
    for (const f of [0.05, 0.1, 0.2, 0.3, 0.4]) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < PEAK_INTERPOLATOR_TAPS; j++) {
        const t = j - (PEAK_INTERPOLATOR_TAPS / 2 - 1) - 0.5;
        re += c[j] * Math.cos(2 * Math.PI * f * t);
        im += c[j] * Math.sin(2 * Math.PI * f * t);
      }
      expect(Math.abs(20 * Math.log10(Math.hypot(re, im)))).toBeLessThan(0.01);
    }
  });
  it('oversamples 8x at 44.1/48 kHz, 4x at 96 kHz, 2x at 192 kHz', () => {
    expect([44100, 48000, 96000, 192000].map(peakOversamplingFactor)).toEqual([8, 8, 4, 2]);
  });
  it('refuses a factor of 1', () => {
    expect(() => designPeakInterpolator(1)).toThrow(RangeError);
  });
});
