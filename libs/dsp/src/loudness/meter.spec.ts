import { Biquad } from '../filters';
import { designKWeighting } from './k-weighting';
import { LoudnessMeter, type LoudnessMeterOptions, type LoudnessResult } from './meter';

const { sin, PI, log10, abs } = Math;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** Stereo noise whose level steps every second (gives a wide loudness range). */
function steppedNoise(fs: number, seconds: number, seed = 5): Float32Array[] {
  const n = Math.round(fs * seconds);
  const rnd = lcg(seed);
  const levels = [0.3, 0.05, 0.15, 0.01, 0.4, 0.002, 0.2];
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = levels[Math.floor(i / fs) % levels.length];
    const a = rnd();
    l[i] = g * a;
    r[i] = g * (0.6 * a + 0.4 * rnd());
  }
  return [l, r];
}

function measure(
  signal: Float32Array[],
  fs: number,
  block = 4096,
  options: Partial<LoudnessMeterOptions> = {},
): LoudnessResult {
  const m = new LoudnessMeter({ sampleRate: fs, channels: signal.length, ...options });
  const n = signal[0].length;
  for (let i = 0; i < n; i += block) m.process(signal.map((c) => c.subarray(i, Math.min(n, i + block))));
  return m.result();
}

/**
 * Straightforward BS.1770 / Tech 3342 reference: Biquad filtering, explicit blocks, sorting.
 * Blocks start every round(fs/10) samples (fs a multiple of 400 keeps both grids identical).
 */
function reference(
  signal: Float32Array[],
  fs: number,
): { integrated: number; lra: number; mMax: number; sMax: number } {
  const kw = designKWeighting(fs);
  const n = signal[0].length;
  const sq = signal.map((x) => {
    const y = Float64Array.from(x);
    new Biquad(kw.shelf).process(y);
    new Biquad(kw.highPass).process(y);
    for (let i = 0; i < n; i++) y[i] *= y[i];
    return y;
  });
  const energy = (start: number, len: number): number => {
    let z = 0;
    for (const c of sq) {
      let s = 0;
      for (let i = start; i < start + len; i++) s += c[i];
      z += s / len;
    }
    return z;
  };
  const hop = fs / 10;
  const loud = (z: number): number => -0.691 + 10 * log10(z);
  const blocks: number[] = [];
  for (let s = 0; s + 4 * hop <= n; s += hop) blocks.push(energy(s, 4 * hop));
  const abs70 = blocks.filter((z) => loud(z) > -70);
  const rel = loud(abs70.reduce((a, b) => a + b, 0) / abs70.length) - 10;
  const gated = abs70.filter((z) => loud(z) > rel);
  const integrated = loud(gated.reduce((a, b) => a + b, 0) / gated.length);
  const st: number[] = [];
  for (let s = 0; s + 30 * hop <= n; s += hop) st.push(energy(s, 30 * hop));
  const st70 = st.filter((z) => loud(z) > -70);
  const strel = loud(st70.reduce((a, b) => a + b, 0) / st70.length) - 20;
  const kept = st70
    .filter((z) => loud(z) > strel)
    .map(loud)
    .sort((a, b) => a - b);
  const lra = kept[Math.round((kept.length - 1) * 0.95)] - kept[Math.round((kept.length - 1) * 0.1)];
  const step = fs / 400;
  let mMax = 0;
  let sMax = 0;
  for (let s = 0; s + 4 * hop <= n; s += step) mMax = Math.max(mMax, energy(s, 4 * hop));
  for (let s = 0; s + 30 * hop <= n; s += 30 * step) sMax = Math.max(sMax, energy(s, 30 * hop));
  return { integrated, lra, mMax: loud(mMax), sMax: loud(sMax) };
}

describe('LoudnessMeter against a straightforward BS.1770 / Tech 3342 reference', () => {
  const fs = 8000; // keeps the O(n * blocks) reference quick
  const signal = steppedNoise(fs, 14);
  const r = measure(signal, fs, 777);
  const ref = reference(signal, fs);
  it('integrated loudness equals the reference within 1e-6 LU', () => {
    expect(abs(r.integratedLufs! - ref.integrated)).toBeLessThan(1e-6);
  });
  it('loudness range equals the reference within 1e-6 LU', () => {
    expect(abs(r.loudnessRangeLu! - ref.lra)).toBeLessThan(1e-6);
  });
  it('max momentary equals the reference (every 2.5 ms) within 1e-6 LU', () => {
    expect(abs(r.momentaryMaxLufs! - ref.mMax)).toBeLessThan(1e-6);
  });
  it('max short-term is at least the reference sampled every 75 ms', () => {
    expect(r.shortTermMaxLufs!).toBeGreaterThanOrEqual(ref.sMax - 1e-9);
  });
});

describe('LoudnessMeter: values that do not exist are null', () => {
  it('digital silence: every loudness and peak value is null, and JSON carries no -Infinity', () => {
    const z = new Float32Array(48000 * 5);
    const r = measure([z, z.slice()], 48000, 4096, { series: true });
    expect(r.integratedLufs).toBeNull();
    expect(r.loudnessRangeLu).toBeNull();
    expect(r.momentaryMaxLufs).toBeNull();
    expect(r.shortTermMaxLufs).toBeNull();
    expect(r.truePeakDbtp).toBeNull();
    expect(r.samplePeakDbfs).toBeNull();
    expect(r.momentarySeries!.every((v) => v === null)).toBe(true);
    expect(JSON.stringify(r)).not.toMatch(/Infinity|NaN/);
  });

  it('input shorter than 400 ms: integrated and max momentary are null, peaks exist', () => {
    const x = new Float32Array(0.3 * 48000).map((_, i) => 0.5 * sin((2 * PI * 1000 * i) / 48000));
    const r = measure([x, x.slice()], 48000);
    expect(r.integratedLufs).toBeNull();
    expect(r.momentaryMaxLufs).toBeNull();
    expect(r.truePeakDbtp).not.toBeNull();
  });

  it('input of 1 s: integrated exists, max short-term and LRA (need 3 s) are null', () => {
    const x = new Float32Array(48000).map((_, i) => 0.5 * sin((2 * PI * 1000 * i) / 48000));
    const r = measure([x, x.slice()], 48000);
    expect(r.integratedLufs).not.toBeNull();
    expect(r.shortTermMaxLufs).toBeNull();
    expect(r.loudnessRangeLu).toBeNull();
  });

  it('a programme entirely below -70 LUFS has no integrated loudness', () => {
    const x = new Float32Array(48000 * 2).map((_, i) => 1e-4 * sin((2 * PI * 1000 * i) / 48000));
    expect(measure([x, x.slice()], 48000).integratedLufs).toBeNull();
  });

  it('NaN input makes the loudness values null instead of NaN', () => {
    const x = new Float32Array(48000).map((_, i) => 0.5 * sin((2 * PI * 1000 * i) / 48000));
    x[100] = NaN;
    const r = measure([x, x.slice()], 48000);
    expect(r.integratedLufs).toBeNull();
    expect(JSON.stringify(r)).not.toMatch(/NaN/);
  });
});

describe('LoudnessMeter: streaming', () => {
  it('gives the same result for block sizes 1, 100, 4800 and whole (within 1e-9)', () => {
    const fs = 48000;
    const signal = steppedNoise(fs, 4);
    const whole = measure(signal, fs, signal[0].length);
    for (const block of [1, 100, 4800]) {
      const r = measure(signal, fs, block);
      expect(abs(r.integratedLufs! - whole.integratedLufs!)).toBeLessThan(1e-9);
      expect(abs(r.momentaryMaxLufs! - whole.momentaryMaxLufs!)).toBeLessThan(1e-9);
      expect(abs(r.shortTermMaxLufs! - whole.shortTermMaxLufs!)).toBeLessThan(1e-9);
      expect(abs(r.truePeakDbtp! - whole.truePeakDbtp!)).toBeLessThan(1e-9);
    }
  });

  it('series: one value per 100 ms, element i for the window ending at (i+1) x 100 ms, null until full', () => {
    const fs = 44100;
    const x = new Float32Array(fs * 5).map((_, i) => 0.1 * sin((2 * PI * 1000 * i) / fs));
    const r = measure([x, x.slice()], fs, 1000, { series: true });
    expect(r.momentarySeries).toHaveLength(50);
    expect(r.shortTermSeries).toHaveLength(50);
    expect(r.momentarySeries!.slice(0, 3)).toEqual([null, null, null]);
    expect(r.shortTermSeries!.slice(0, 29).every((v) => v === null)).toBe(true);
    expect(abs(r.momentarySeries![3]! - 20 * log10(0.1))).toBeLessThan(0.1);
    expect(abs(r.shortTermSeries![29]! - 20 * log10(0.1))).toBeLessThan(0.1);
  });

  it('reset() measures the next programme from scratch', () => {
    const fs = 48000;
    const loud = steppedNoise(fs, 3, 1);
    const m = new LoudnessMeter({ sampleRate: fs, channels: 2 });
    m.process(loud);
    m.reset();
    const x = new Float32Array(fs * 2).map((_, i) => 0.1 * sin((2 * PI * 1000 * i) / fs));
    m.process([x, x.slice()]);
    expect(abs(m.result().integratedLufs! + 20)).toBeLessThan(0.1);
    expect(m.result().durationSeconds).toBeCloseTo(2, 9);
  });

  it('result() does not disturb the measurement', () => {
    const fs = 48000;
    const signal = steppedNoise(fs, 4, 9);
    const m = new LoudnessMeter({ sampleRate: fs, channels: 2 });
    for (let i = 0; i < signal[0].length; i += 4800) {
      m.process(signal.map((c) => c.subarray(i, i + 4800)));
      m.result();
    }
    expect(abs(m.result().integratedLufs! - measure(signal, fs).integratedLufs!)).toBeLessThan(1e-12);
  });
});

describe('LoudnessMeter: mono fold-down for QC', () => {
  it('identical channels: the fold-down is as loud as the original', () => {
    const [l] = steppedNoise(48000, 2);
    const m = new LoudnessMeter({ sampleRate: 48000, channels: 2 });
    m.process([l, l.slice()]);
    expect(abs(m.monoFoldDownLufs()! - m.result().integratedLufs!)).toBeLessThan(1e-9);
  });

  it('uncorrelated channels: the fold-down is 3.0 +-0.2 LU quieter', () => {
    const fs = 48000;
    const a = lcg(1);
    const b = lcg(2);
    const l = new Float32Array(fs * 3).map(() => 0.2 * a());
    const r = new Float32Array(fs * 3).map(() => 0.2 * b());
    const m = new LoudnessMeter({ sampleRate: fs, channels: 2 });
    m.process([l, r]);
    expect(abs(m.result().integratedLufs! - m.monoFoldDownLufs()! - 3.01)).toBeLessThan(0.2);
  });

  it('is null for other channel counts', () => {
    const m = new LoudnessMeter({ sampleRate: 48000, channels: 1 });
    m.process([new Float32Array(48000).fill(0.1)]);
    expect(m.monoFoldDownLufs()).toBeNull();
  });
});

describe('LoudnessMeter: parameters', () => {
  it('refuses a sample rate outside 8..384 kHz', () => {
    expect(() => new LoudnessMeter({ sampleRate: 4000, channels: 2 })).toThrow(RangeError);
  });
  it('refuses a layout of the wrong length', () => {
    expect(() => new LoudnessMeter({ sampleRate: 48000, channels: 2, layout: ['L'] })).toThrow(RangeError);
  });
  it('refuses a block with the wrong channel count', () => {
    const m = new LoudnessMeter({ sampleRate: 48000, channels: 2 });
    expect(() => m.process([new Float32Array(10)])).toThrow(RangeError);
  });
  it('refuses channels of different lengths', () => {
    const m = new LoudnessMeter({ sampleRate: 48000, channels: 2 });
    expect(() => m.process([new Float32Array(10), new Float32Array(9)])).toThrow(RangeError);
  });
});
