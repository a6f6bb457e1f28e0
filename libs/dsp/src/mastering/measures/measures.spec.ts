import { noise } from '../spec-helpers';
import { crestFactorDb, thdPlusN } from './measures';

const FS = 48000;

function tone(amplitude: number, f: number, n: number, extra?: (i: number) => number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++)
    x[i] = amplitude * Math.sin((2 * Math.PI * f * i) / FS + 0.2) + (extra ? extra(i) : 0);
  return x;
}

describe('thdPlusN', () => {
  it('reads a pure float64 sine below -150 dB', () => {
    expect(thdPlusN(tone(0.5, 997, 65536), FS, 997).thdPlusNDb).toBeLessThan(-150);
  });
  it('reads 1 % of third harmonic as -40 dB THD+N and THD (+-0.05 dB)', () => {
    const x = tone(0.5, 1000, 65536, (i) => 0.005 * Math.sin((2 * Math.PI * 3000 * i) / FS));
    const r = thdPlusN(x, FS, 1000);
    expect(r.thdPlusNDb).toBeCloseTo(-40, 1);
    expect(r.thdDb).toBeCloseTo(-40, 1);
    expect(r.thdPlusNPercent).toBeCloseTo(1, 2);
  });
  it('reads added noise at its power ratio over the band (+-0.3 dB)', () => {
    const n = noise(65536, 0.01, 9); // uniform: RMS 0.01 / sqrt 3 over the whole band 0..24 kHz
    const x = tone(0.5, 1000, 65536, (i) => n[i]);
    const expected = 10 * Math.log10((((0.01 * 0.01) / 3) * ((20000 - 20) / 24000)) / 0.125);
    expect(Math.abs(thdPlusN(x, FS, 1000).thdPlusNDb - expected)).toBeLessThan(0.3);
  });
  it('reports the level of the fundamental', () => {
    expect(thdPlusN(tone(0.25, 440, 32768), FS, 440).fundamentalDb).toBeCloseTo(20 * Math.log10(0.25), 2);
  });
  it('refuses a fundamental above Nyquist', () => {
    expect(() => thdPlusN(tone(0.5, 1000, 4096), FS, 30000)).toThrow(RangeError);
  });
});

describe('crestFactorDb', () => {
  it('is 3.01 dB for a sine sampled on its crests', () => {
    const x = new Float32Array(48000).map((_, i) => 0.5 * Math.sin((2 * Math.PI * i) / 48));
    expect(crestFactorDb([x])).toBeCloseTo(3.0103, 3);
  });
  it('is 0 dB for a square wave', () => {
    const x = new Float32Array(1000).map((_, i) => (i % 20 < 10 ? 0.5 : -0.5));
    expect(crestFactorDb([x, x])).toBeCloseTo(0, 9);
  });
  it('is NaN for silence', () => {
    expect(crestFactorDb([new Float32Array(10)])).toBeNaN();
  });
});
