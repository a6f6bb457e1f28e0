import { thdPlusN } from '../measures/measures';
import { measureTruePeak } from '../true-peak/oversampled-peak-detector';
import { noise, referenceTruePeakDb, runAligned, sine } from '../spec-helpers';
import { TruePeakLimiter } from './true-peak-limiter';

const FS = 44100;
const CEILING = -1;

function limit(
  input: Float32Array[],
  options: Partial<ConstructorParameters<typeof TruePeakLimiter>[0]> = {},
) {
  const limiter = new TruePeakLimiter({
    sampleRate: FS,
    channels: input.length,
    ceiling: CEILING,
    ...options,
  });
  const output = runAligned(input, limiter);
  return { output, stats: limiter.stats(), limiter };
}

describe('TruePeakLimiter', () => {
  describe.each([0, 3, 6])('a 1 kHz sine %d dB over the ceiling', (over) => {
    const x = sine(FS, 1000, Math.pow(10, (CEILING + over) / 20), 0.5, { phase: 0.3, fade: 0.01 });
    const { output, stats } = limit([x, x]);

    it('reads at or under the ceiling on the reference interpolator (16x, 128-tap sinc)', () => {
      expect(referenceTruePeakDb(output)).toBeLessThanOrEqual(CEILING);
    });
    it('reads at or under the ceiling on a BS.1770 Annex 2 (example filter) meter', () => {
      expect(measureTruePeak(output)).toBeLessThanOrEqual(CEILING);
    });
    it('reports the gain reduction it applied (over + margin, +-0.15 dB)', () => {
      expect(stats.maxGainReductionDb).toBeGreaterThan(over + 0.2 - 0.15);
      expect(stats.maxGainReductionDb).toBeLessThan(over + 0.2 + 0.15);
    });
  });

  it('holds the ceiling on a 5 kHz sine 6 dB over', () => {
    const x = sine(FS, 5000, Math.pow(10, (CEILING + 6) / 20), 0.3, { phase: 1, fade: 0.01 });
    expect(referenceTruePeakDb(limit([x]).output)).toBeLessThanOrEqual(CEILING);
  });

  it('holds the ceiling at 96 kHz (4x detection) on a 10 kHz sine 6 dB over', () => {
    const x = sine(96000, 10000, Math.pow(10, (CEILING + 6) / 20), 0.2, { phase: 0.5, fade: 0.01 });
    const limiter = new TruePeakLimiter({ sampleRate: 96000, channels: 1, ceiling: CEILING });
    expect(limiter.oversampling).toBe(4);
    expect(referenceTruePeakDb(runAligned([x], limiter))).toBeLessThanOrEqual(CEILING);
  });

  it('holds the ceiling on the fs/4, 45 degree inter-sample torture signal (samples at -3 dB of the true peak)', () => {
    const x = sine(FS, FS / 4, Math.pow(10, (CEILING + 3) / 20), 0.3, { phase: Math.PI / 4, fade: 0.01 });
    const { output } = limit([x]);
    let samplePeak = 0;
    for (const v of output[0]) samplePeak = Math.max(samplePeak, Math.abs(v));
    expect(referenceTruePeakDb(output)).toBeLessThanOrEqual(CEILING);
    expect(measureTruePeak(output)).toBeLessThanOrEqual(CEILING);
    // the limiter had to see between the samples: the sample peak alone sits 3 dB lower
    expect(20 * Math.log10(samplePeak)).toBeLessThan(CEILING - 2.5);
  });

  it('holds the ceiling on a hard-clipped square wave (broadband, already-clipped material)', () => {
    const x = new Float32Array(FS / 2);
    for (let i = 0; i < x.length; i++)
      x[i] = Math.min(1, i / 441) * (Math.sin((2 * Math.PI * 1000 * i) / FS) >= 0 ? 1.4 : -1.4);
    expect(referenceTruePeakDb(limit([x]).output)).toBeLessThanOrEqual(CEILING);
  });

  it('is transparent under the ceiling: output equals the delayed input bit for bit', () => {
    const a = sine(FS, 440, 0.6, 0.5);
    const b = noise(a.length, 0.3, 7);
    const { output, stats } = limit([a, b]);
    let diff = 0;
    for (let i = 0; i < a.length; i++)
      diff = Math.max(diff, Math.abs(output[0][i] - a[i]), Math.abs(output[1][i] - b[i]));
    expect(diff).toBeLessThanOrEqual(1e-7);
    expect(stats.maxGainReductionDb).toBe(0);
    expect(stats.activeFraction).toBe(0);
  });

  it('returns to bit-exact transparency after a peak has been limited', () => {
    const x = sine(FS, 440, 0.5, 5);
    for (let i = 2000; i < 2400; i++) x[i] *= 4;
    const { output } = limit([x]);
    let diff = 0;
    for (let i = 4 * FS; i < x.length; i++) diff = Math.max(diff, Math.abs(output[0][i] - x[i]));
    expect(diff).toBe(0);
  });

  it('keeps the stream length and alignment (latency removed, tail flushed)', () => {
    const x = new Float32Array(10000);
    x[5000] = 0.5;
    x[9990] = 0.25;
    const { output, limiter } = limit([x]);
    expect(output[0].length).toBe(x.length);
    expect(output[0][5000]).toBe(0.5);
    expect(output[0][9990]).toBe(0.25);
    expect(limiter.latencyFrames).toBeGreaterThan(0.0015 * FS);
    expect(limiter.latencyFrames).toBeLessThan(0.005 * FS);
  });

  it('gives the same output whatever the block size', () => {
    const x = noise(20000, 1.5, 3);
    const one = limit([x]).output[0];
    const limiter = new TruePeakLimiter({ sampleRate: FS, channels: 1, ceiling: CEILING });
    const many = runAligned([x], limiter, 777)[0];
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs(one[i] - many[i]));
    expect(diff).toBe(0);
  });

  it('ramps the gain smoothly into a peak (no step: at most 1/40 of the reduction per sample)', () => {
    // DC steps read the gain directly: every interpolator phase passes DC unchanged
    const x = new Float32Array(8000).fill(0.25);
    x.fill(2, 4000);
    const { output } = limit([x]);
    let maxStep = 0;
    for (let i = 1; i < x.length; i++)
      maxStep = Math.max(maxStep, Math.abs(output[0][i] / x[i] - output[0][i - 1] / x[i - 1]));
    const totalChange = 1 - Math.pow(10, (CEILING - 0.2) / 20) / 2;
    expect(maxStep).toBeLessThan(totalChange / 40);
    expect(output[0][3999] / x[3999]).toBeLessThan(1); // the gain is already down before the step arrives
  });

  it('recovers quickly after an isolated transient (under 1 dB of reduction 100 ms later)', () => {
    const x = sine(FS, 1000, 0.25, 1);
    for (let i = FS / 4; i < FS / 4 + 220; i++) x[i] *= 7;
    const { output } = limit([x]);
    const from = FS / 4 + 220 + Math.round(0.1 * FS);
    let a = 0;
    let b = 0;
    for (let i = from; i < from + 441; i++) {
      a += output[0][i] * output[0][i];
      b += x[i] * x[i];
    }
    expect(-10 * Math.log10(a / b)).toBeLessThan(1);
  });

  it('holds a steady gain on a sustained 100 Hz sine 6 dB over (no pumping: ripple < 0.1 dB after 2 s)', () => {
    const x = sine(FS, 100, Math.pow(10, 5 / 20), 3);
    const { output } = limit([x]);
    let lo = Infinity;
    let hi = 0;
    for (let i = 2 * FS; i < 3 * FS - 200; i++) {
      if (Math.abs(x[i]) < 0.5) continue;
      const g = output[0][i] / x[i];
      lo = Math.min(lo, g);
      hi = Math.max(hi, g);
    }
    expect(20 * Math.log10(hi / lo)).toBeLessThan(0.1);
  });

  it('distorts a steady 1 kHz sine 6 dB over the ceiling by less than -80 dB THD+N', () => {
    const x = sine(FS, 1000, Math.pow(10, 5 / 20), 3, { phase: 0.3 });
    const { output } = limit([x]);
    expect(thdPlusN(output[0].subarray(FS, 3 * FS - 2000), FS, 1000).thdPlusNDb).toBeLessThan(-80);
  });

  it('reports as time above 1 dB the time its gain was below -1 dB', () => {
    const x = sine(FS, 1000, 0.5, 3);
    for (let i = FS / 2; i < FS; i++) x[i] *= 4;
    const { output, stats } = limit([x]);
    let below = 0;
    let counted = 0;
    for (let i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) < 0.05) continue;
      counted++;
      if (output[0][i] / x[i] < Math.pow(10, -1 / 20)) below++;
    }
    expect(stats.secondsAbove1Db).toBeCloseTo((below / counted) * 3, 1);
    expect(stats.secondsAbove1Db).toBeGreaterThan(0.5);
    expect(stats.meanGainReductionDb).toBeGreaterThan(0);
    expect(stats.meanGainReductionDb).toBeLessThan(stats.maxGainReductionDb);
  });

  it('links the channels: one gain for both', () => {
    const l = sine(FS, 1000, 2, 0.2);
    const r = sine(FS, 1000, 0.25, 0.2);
    const { output } = limit([l, r]);
    const i = Math.round(0.1 * FS) + 11;
    expect(output[1][i] / r[i]).toBeCloseTo(output[0][i] / l[i], 9);
  });

  it('refuses a ceiling above 0 dBTP', () => {
    expect(() => new TruePeakLimiter({ sampleRate: FS, channels: 2, ceiling: 0.5 })).toThrow(RangeError);
  });
});
