import { RealFft } from '../../fft';
import { noise, sine } from '../spec-helpers';
import { Dither, type DitherOptions } from './dither';

const FS = 44100;
const LSB16 = 1 / 32768;

function dithered(x: Float32Array, options: Partial<DitherOptions> = {}): Float32Array {
  const y = Float32Array.from(x);
  new Dither({ bitDepth: 16, channels: 1, sampleRate: FS, ...options }).process([y]);
  return y;
}

function error(x: Float32Array, y: Float32Array): Float64Array {
  const e = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) e[i] = y[i] - x[i];
  return e;
}

function rms(e: Float64Array): number {
  let s = 0;
  for (const v of e) s += v * v;
  return Math.sqrt(s / e.length);
}

/** Power spectrum (rectangular window; the test tones complete whole periods in the frame). */
function spectrum(x: ArrayLike<number>): Float64Array {
  const fft = new RealFft(x.length);
  const p = new Float64Array(x.length / 2 + 1);
  fft.powerSpectrum(x, p);
  return p;
}

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  return s[Math.floor(s.length / 2)];
}

describe('Dither (TPDF)', () => {
  const n = 1 << 16;

  it('adds an error of RMS LSB/2 at 16 bits (-96.3 dB re full scale 1.0, +-0.2 dB)', () => {
    const x = sine(FS, 1000, 0.25, n / FS);
    const db = 20 * Math.log10(rms(error(x, dithered(x))));
    expect(db).toBeCloseTo(20 * Math.log10(LSB16 / 2), 0);
    expect(Math.abs(db - 20 * Math.log10(LSB16 / 2))).toBeLessThan(0.2);
  });

  it('has no DC bias (mean error below 1 % of an LSB)', () => {
    const x = new Float32Array(n).fill(0.3 * LSB16);
    const e = error(x, dithered(x));
    let mean = 0;
    for (const v of e) mean += v;
    expect(Math.abs(mean / e.length)).toBeLessThan(0.01 * LSB16);
  });

  it('makes the error power independent of where the signal falls between two steps', () => {
    // a slow ramp visits every fractional position; per tenth of an LSB the error power is LSB^2/4
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = ((i / n) * 20 - 10) * LSB16;
    const e = error(x, dithered(x));
    const sum = new Float64Array(10);
    const count = new Float64Array(10);
    for (let i = 0; i < n; i++) {
      const frac = x[i] / LSB16 - Math.floor(x[i] / LSB16);
      const b = Math.min(9, Math.floor(frac * 10));
      sum[b] += (e[i] / LSB16) ** 2;
      count[b]++;
    }
    for (let b = 0; b < 10; b++) expect(Math.abs(sum[b] / count[b] - 0.25)).toBeLessThan(0.025);
  });

  it('lets a -100 dBFS sine through 16 bits at its level with no harmonics above the noise', () => {
    const f = (64 * FS) / n; // a whole number of periods in the frame
    const a = Math.pow(10, -100 / 20);
    const y = dithered(sine(FS, f, a, n / FS));
    const p = spectrum(y);
    const k = 64;
    const level = 10 * Math.log10((4 * p[k]) / (n * n));
    expect(Math.abs(level - 20 * Math.log10(a))).toBeLessThan(1);
    const floor = median(p.subarray(1));
    for (let h = 2; h <= 5; h++) expect(p[h * k]).toBeLessThan(10 * floor);
  });

  it('(control) plain rounding of a -90 dBFS sine shows harmonics far above the floor', () => {
    const f = (64 * FS) / n;
    const x = sine(FS, f, Math.pow(10, -90 / 20), n / FS);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = Math.round(x[i] / LSB16) * LSB16;
    const p = spectrum(y);
    expect(p[3 * 64]).toBeGreaterThan(100 * median(p.subarray(1)) + 1e-30);
  });

  it('is reproducible: the same seed gives the same samples, another seed others', () => {
    const x = noise(4096, 0.5, 3);
    const a = dithered(x, { seed: 42 });
    const b = dithered(x, { seed: 42 });
    const c = dithered(x, { seed: 43 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('does not depend on the block size', () => {
    const x = noise(5000, 0.5, 4);
    const whole = dithered(x);
    const d = new Dither({ bitDepth: 16, channels: 1, sampleRate: FS });
    const parts = Float32Array.from(x);
    for (let s = 0; s < parts.length; s += 311)
      d.process([parts.subarray(s, Math.min(parts.length, s + 311))]);
    expect(Array.from(parts)).toEqual(Array.from(whole));
  });

  it('writes integers on the 16-bit grid, clipped to [-32768, 32767]', () => {
    const x = Float32Array.from([0, 0.5, -0.5, 1.5, -1.5, 0.999999]);
    const out = new Int16Array(x.length);
    const d = new Dither({ bitDepth: 16, channels: 1, sampleRate: FS });
    d.processToInt([x], [out]);
    expect(out[3]).toBe(32767);
    expect(out[4]).toBe(-32768);
    expect(Math.abs(out[1] - 16384)).toBeLessThanOrEqual(1);
    expect(d.clippedSamples).toBeGreaterThanOrEqual(2);
  });

  it('quantises to 24 bits with an error of RMS 2^-24', () => {
    const x = sine(FS, 1000, 0.25, 0.5);
    const y = Float32Array.from(x);
    new Dither({ bitDepth: 24, channels: 1, sampleRate: FS }).process([y]);
    for (let i = 0; i < 100; i++) expect(Number.isInteger(y[i] * 8388608)).toBe(true);
    expect(Math.abs(20 * Math.log10(rms(error(x, y))) - 20 * Math.log10(Math.pow(2, -24)))).toBeLessThan(0.2);
  });

  it('refuses an unsupported bit depth', () => {
    expect(() => new Dither({ bitDepth: 20 as 16, channels: 1, sampleRate: FS })).toThrow(RangeError);
  });
});

describe('Dither with noise shaping', () => {
  const n = 1 << 15;

  function bandPower(e: Float64Array, lo: number, hi: number): number {
    const p = spectrum(e);
    let s = 0;
    for (let k = Math.round((lo * n) / FS); k <= Math.round((hi * n) / FS); k++) s += p[k];
    return s;
  }

  it('f-weighted: moves noise out of 2-5 kHz (>= 10 dB lower) into the top octave', () => {
    const x = sine(FS, 1000, 0.1, n / FS);
    const flat = error(x, dithered(x));
    const shaped = error(x, dithered(x, { noiseShaping: 'f-weighted' }));
    expect(10 * Math.log10(bandPower(shaped, 2000, 5000) / bandPower(flat, 2000, 5000))).toBeLessThan(-10);
    expect(bandPower(shaped, 16000, 22000)).toBeGreaterThan(bandPower(flat, 16000, 22000));
  });

  it('second-order: stays stable at full scale (error bounded by the shaper, clips counted)', () => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++)
      x[i] = (Math.sin((2 * Math.PI * 100 * i) / FS) >= 0 ? 32766.5 : -32767.5) * LSB16;
    const y = Float32Array.from(x);
    const d = new Dither({ bitDepth: 16, channels: 1, sampleRate: FS, noiseShaping: 'second-order' });
    d.process([y]);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - x[i]));
    // |(1 - z^-1)^2 e| <= 4 * 1.5 LSB when the loop is stable
    expect(worst).toBeLessThanOrEqual(6 * LSB16);
    expect(d.clippedSamples).toBeGreaterThan(0);
  });

  it('refuses the 44.1 kHz-designed curves at 96 kHz', () => {
    expect(
      () => new Dither({ bitDepth: 16, channels: 1, sampleRate: 96000, noiseShaping: 'f-weighted' }),
    ).toThrow(RangeError);
  });
});
