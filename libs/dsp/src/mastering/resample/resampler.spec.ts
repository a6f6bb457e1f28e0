import { thdPlusN } from '../measures/measures';
import { sine } from '../spec-helpers';
import { Resampler, resample } from './resampler';

const RATIOS: readonly [number, number][] = [
  [48000, 44100],
  [96000, 44100],
  [88200, 44100],
  [96000, 48000],
  [44100, 48000],
  [192000, 44100],
];

function rmsDb(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / (to - from));
}

/** Amplitude of the sinusoid at `f` in x[from, to), least-squares fit of a sin + b cos. */
function fittedAmplitude(x: Float32Array, f: number, rate: number, from: number, to: number): number {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * f * i) / rate);
    const c = Math.cos((2 * Math.PI * f * i) / rate);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += x[i] * s;
    yc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  return Math.hypot(a, b);
}

function streamed(r: Resampler, x: Float32Array, sizes: readonly number[]): Float32Array {
  const parts: Float32Array[] = [];
  let s = 0;
  for (let k = 0; s < x.length; k++) {
    const n = sizes[k % sizes.length];
    parts.push(r.process([x.subarray(s, Math.min(x.length, s + n))])[0]);
    s += n;
  }
  parts.push(r.flush()[0]);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('Resampler', () => {
  it.each(RATIOS)(
    '%d -> %d: N in gives ceil(N L / M) out after flush, streamed in odd blocks',
    (fin, fout) => {
      const n = 12345;
      const r = new Resampler({ inputRate: fin, outputRate: fout, channels: 1 });
      const y = streamed(r, new Float32Array(n), [1000, 7, 4096, 1]);
      expect(y.length).toBe(Math.ceil((n * fout) / fin));
    },
  );

  it.each(RATIOS)(
    '%d -> %d: output is time-aligned with the input (1 kHz sine within -100 dB of the ideal)',
    (fin, fout) => {
      const x = sine(fin, 1000, 0.5, 0.25);
      const y = resample([x], fin, fout)[0];
      const margin = Math.round(0.02 * fout);
      let err = 0;
      for (let i = margin; i < y.length - margin; i++) {
        const e = y[i] - 0.5 * Math.sin((2 * Math.PI * 1000 * i) / fout);
        err += e * e;
      }
      expect(10 * Math.log10(err / (y.length - 2 * margin))).toBeLessThan(-100);
    },
  );

  it('gives the same samples whatever the block sizes', () => {
    const x = sine(48000, 997, 0.7, 0.2);
    const whole = resample([x], 48000, 44100)[0];
    const parts = streamed(
      new Resampler({ inputRate: 48000, outputRate: 44100, channels: 1 }),
      x,
      [333, 1, 8192],
    );
    let diff = 0;
    for (let i = 0; i < whole.length; i++) diff = Math.max(diff, Math.abs(whole[i] - parts[i]));
    expect(diff).toBe(0);
  });

  it.each([100, 1000, 10000, 15000, 19845])('48 -> 44.1 kHz passes %d Hz within +-0.01 dB', (f) => {
    const y = resample([sine(48000, f, 0.5, 0.3)], 48000, 44100)[0];
    const level = 20 * Math.log10(fittedAmplitude(y, f, 44100, 2000, y.length - 2000) / 0.5);
    expect(Math.abs(level)).toBeLessThan(0.01);
  });

  it.each([22100, 23000])('48 -> 44.1 kHz rejects %d Hz (would alias) by more than 120 dB', (f) => {
    const y = resample([sine(48000, f, 0.5, 0.3)], 48000, 44100)[0];
    expect(rmsDb(y, 2000, y.length - 2000) - 20 * Math.log10(0.5 / Math.SQRT2)).toBeLessThan(-120);
  });

  it.each([
    [96000, 25000],
    [96000, 26000],
    [96000, 30000],
    [192000, 25000],
    [192000, 60000],
    [192000, 90000],
  ])(
    '%d -> 44.1 kHz rejects %d Hz (would alias) by more than 120 dB, through its half-band stages',
    (fin, f) => {
      const y = resample([sine(fin, f, 0.5, 0.3)], fin, 44100)[0];
      expect(rmsDb(y, 2000, y.length - 2000) - 20 * Math.log10(0.5 / Math.SQRT2)).toBeLessThan(-120);
    },
  );

  it('runs half-band stages only while the rate stays above twice the output', () => {
    const stages = (fin: number, fout: number) =>
      new Resampler({ inputRate: fin, outputRate: fout, channels: 1 }).halfBandStages;
    expect([stages(96000, 44100), stages(192000, 44100), stages(96000, 48000), stages(88200, 44100)]).toEqual(
      [1, 2, 0, 0],
    );
  });

  it('44.1 -> 48 kHz suppresses the image of a 21 kHz tone (at 23.1 kHz) below -110 dB', () => {
    const y = resample([sine(44100, 21000, 0.5, 0.5)], 44100, 48000)[0];
    const r = thdPlusN(y, 48000, 21000, { bandLow: 20, bandHigh: 24000 });
    expect(r.thdPlusNDb).toBeLessThan(-110);
  });

  it('48 -> 44.1 kHz keeps a 1 kHz sine clean: THD+N below -120 dB', () => {
    const x = new Float32Array(48000);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000);
    const y = resample([x], 48000, 44100)[0];
    expect(thdPlusN(y, 44100, 1000).thdPlusNDb).toBeLessThan(-120);
  });

  it('processes channels independently and identically', () => {
    const a = sine(96000, 440, 0.5, 0.05);
    const b = sine(96000, 3000, 0.25, 0.05);
    const [ya, yb] = resample([a, b], 96000, 44100);
    const ya1 = resample([a], 96000, 44100)[0];
    const yb1 = resample([b], 96000, 44100)[0];
    let diff = 0;
    for (let i = 0; i < ya.length; i++)
      diff = Math.max(diff, Math.abs(ya[i] - ya1[i]), Math.abs(yb[i] - yb1[i]));
    expect(diff).toBeLessThan(1e-7);
  });

  it('refuses a ratio needing more than 4096 polyphase branches', () => {
    expect(() => new Resampler({ inputRate: 44100, outputRate: 47999, channels: 1 })).toThrow(RangeError);
  });

  it('refuses to continue a flushed stream', () => {
    const r = new Resampler({ inputRate: 48000, outputRate: 44100, channels: 1 });
    r.flush();
    expect(() => r.process([new Float32Array(10)])).toThrow(RangeError);
  });
});
