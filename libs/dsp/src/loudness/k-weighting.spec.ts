import { Biquad, biquadMagnitude } from '../filters';
import { designKWeighting } from './k-weighting';

// Module-level aliases: Math.* lookups in loops are slow inside jest's vm sandbox.
const { log10, sin, PI } = Math;

/** Magnitude of the K-weighting cascade in dB. */
function kDb(fs: number, f: number): number {
  const k = designKWeighting(fs);
  return 20 * log10(biquadMagnitude(k.shelf, fs, f) * biquadMagnitude(k.highPass, fs, f));
}

describe('designKWeighting (ITU-R BS.1770-5 Annex 1)', () => {
  const k = designKWeighting(48000);
  const published: [string, number, number][] = [
    ['shelf b0', k.shelf.b0, 1.53512485958697],
    ['shelf b1', k.shelf.b1, -2.69169618940638],
    ['shelf b2', k.shelf.b2, 1.19839281085285],
    ['shelf a1', k.shelf.a1, -1.69065929318241],
    ['shelf a2', k.shelf.a2, 0.73248077421585],
    ['high-pass b0', k.highPass.b0, 1],
    ['high-pass b1', k.highPass.b1, -2],
    ['high-pass b2', k.highPass.b2, 1],
    ['high-pass a1', k.highPass.a1, -1.99004745483398],
    ['high-pass a2', k.highPass.a2, 0.99007225036621],
  ];
  for (const [name, value, expected] of published) {
    it(`at 48 kHz ${name} equals the published ${expected} within 1e-6`, () => {
      expect(Math.abs(value - expected)).toBeLessThan(1e-6);
    });
  }

  // Bilinear designs from one analog prototype (as libebur128): the shelf cramps towards
  // Nyquist at low rates, and the 48 kHz filter itself is a warped version of the prototype.
  // Measured worst deviations, all near 2.5 kHz: 8 kHz 0.50 dB, 22.05 kHz 0.08 dB, 32 kHz 0.03 dB,
  // 44.1 kHz 0.005 dB, 96 kHz 0.028 dB, 384 kHz 0.046 dB.
  const bounds: [number, number][] = [
    [8000, 0.55],
    [22050, 0.09],
    [32000, 0.035],
    [44100, 0.01],
    [96000, 0.03],
    [192000, 0.045],
    [384000, 0.05],
  ];
  for (const [fs, bound] of bounds) {
    it(`at ${fs} Hz the response matches the 48 kHz one within ${bound} dB from 20 Hz to min(0.45 fs, 20 kHz)`, () => {
      const top = Math.min(0.45 * fs, 20000);
      for (let f = 20; f <= top; f *= 1.05) {
        expect(Math.abs(kDb(fs, f) - kDb(48000, f))).toBeLessThan(bound);
      }
    });
  }

  it('is designed for the rate, not copied: the 44.1 kHz shelf coefficients differ from the 48 kHz ones', () => {
    expect(Math.abs(designKWeighting(44100).shelf.a1 - k.shelf.a1)).toBeGreaterThan(1e-3);
  });

  it('has the K-curve shape: +0.69 dB at 1 kHz, about +4 dB at 10 kHz, below -10 dB at 20 Hz', () => {
    expect(kDb(48000, 1000)).toBeCloseTo(0.69, 1);
    expect(kDb(48000, 10000)).toBeGreaterThan(3.9);
    expect(kDb(48000, 10000)).toBeLessThan(4.6);
    expect(kDb(48000, 20)).toBeLessThan(-10);
  });

  it('filters like two cascaded Biquad sections (reference TDF-II implementation)', () => {
    const fs = 44100;
    const kw = designKWeighting(fs);
    const x = new Float32Array(fs);
    for (let i = 0; i < x.length; i++) x[i] = sin((2 * PI * 1000 * i) / fs);
    const y = Float64Array.from(x);
    new Biquad(kw.shelf).process(y);
    new Biquad(kw.highPass).process(y);
    let peak = 0;
    for (let i = fs / 2; i < fs; i++) peak = Math.max(peak, Math.abs(y[i]));
    expect(20 * log10(peak)).toBeCloseTo(kDb(fs, 1000), 2);
  });

  it('refuses sample rates outside 8..384 kHz', () => {
    expect(() => designKWeighting(7999)).toThrow(RangeError);
    expect(() => designKWeighting(384001)).toThrow(RangeError);
  });
});
