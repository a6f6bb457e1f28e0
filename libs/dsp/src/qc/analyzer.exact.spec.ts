/**
 * The fused QC loops against a straightforward whole-signal reference, for every block size.
 * Counts, indices and flags (clipped runs, gaps, silence, bit depth, non-finite samples, window
 * count) must be equal; sums (DC, phase correlation, side/mid) within 1e-12 relative, since the
 * reference adds them in one pass rather than per block and per 100 ms hop.
 */
import { QcAnalyzer, type QcFigures } from './analyzer';

const { sin, PI, round, abs, sqrt, log10, max, min } = Math;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

const FS = 44100;
const CLIP = 10 ** (-0.01 / 20);
const SILENCE = 10 ** (-60 / 20);
const GAP = round(0.02 * FS);
const HOP = FS / 10;

interface Ref {
  clip: { runs: number; samples: number }[];
  dc: number[];
  nonFinite: number;
  leading: number;
  trailing: number;
  gaps: number[][];
  effectiveBits: number | null;
  windows: number;
  meanCorrelation: number | null;
  worstStart: number | null;
  sideToMidDb: number | null;
}

/** Each figure by its definition, over the whole signal at once. */
function reference(x: Float32Array[]): Ref {
  const n = x[0].length;
  const clip = x.map((c) => {
    let runs = 0;
    let samples = 0;
    for (let i = 0; i < n;) {
      let j = i;
      while (j < n && c[j] * c[j] >= CLIP * CLIP) j++;
      if (j - i >= 3) {
        runs++;
        samples += j - i;
      }
      i = j > i ? j : i + 1;
    }
    return { runs, samples };
  });
  const dc = x.map((c) => c.reduce((s, v) => (Number.isFinite(v) ? s + v : s), 0) / n);
  const nonFinite = x.reduce((s, c) => s + c.filter((v) => !Number.isFinite(v)).length, 0);
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (x.some((c) => c[i] * c[i] > SILENCE * SILENCE)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  const gaps: number[][] = [];
  let seen = false;
  for (let i = 0; i < n;) {
    if (x.some((c) => c[i] !== 0)) {
      seen = true;
      i++;
      continue;
    }
    let j = i;
    while (j < n && x.every((c) => c[j] === 0)) j++;
    if (seen && j < n && j - i >= GAP) gaps.push([i, j - i]);
    i = j;
  }
  // Lowest bit used on the 24-bit grid; anything finite off the grid (or beyond +-256) is 32.
  let lowest = 99;
  let fine = false;
  for (const c of x) {
    for (const v of c) {
      if (!Number.isFinite(v) || v === 0) continue;
      const t = v * 2 ** 23;
      if (!(Number.isInteger(t) && t >= -(2 ** 31) && t < 2 ** 31)) fine = true;
      else
        for (let b = 0; b < 31; b++)
          if (abs(t) % 2 ** (b + 1) !== 0) {
            lowest = min(lowest, b);
            break;
          }
    }
  }
  const effectiveBits = fine ? 32 : lowest < 99 ? max(1, 24 - lowest) : null;
  let windows = 0;
  let corrSum = 0;
  let worst = 2;
  let worstStart: number | null = null;
  let sideToMidDb: number | null = null;
  if (x.length === 2) {
    const [l, r] = x;
    for (let s = 0; s + 4 * HOP <= n; s += HOP) {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let i = s; i < s + 4 * HOP; i++) {
        a += l[i] * l[i];
        b += r[i] * r[i];
        c += l[i] * r[i];
      }
      if (!(a / (4 * HOP) > 1e-6) || !(b / (4 * HOP) > 1e-6)) continue;
      const rho = max(-1, min(1, c / sqrt(a * b)));
      windows++;
      corrSum += rho;
      if (rho < worst) {
        worst = rho;
        worstStart = s;
      }
    }
    let ll = 0;
    let rr = 0;
    let lr = 0;
    for (let i = 0; i < n; i++) {
      ll += l[i] * l[i];
      rr += r[i] * r[i];
      lr += l[i] * r[i];
    }
    const side = max(0, ll + rr - 2 * lr);
    const mid = max(0, ll + rr + 2 * lr);
    if (side > 0 && mid > 0) sideToMidDb = max(-200, min(200, 10 * log10(side / mid)));
    else if (mid > 0) sideToMidDb = -200;
    else if (side > 0) sideToMidDb = 200;
  }
  return {
    clip,
    dc,
    nonFinite,
    leading: first < 0 ? n : first,
    trailing: first < 0 ? n : n - 1 - last,
    gaps,
    effectiveBits,
    windows,
    meanCorrelation: windows > 0 ? corrSum / windows : null,
    worstStart,
    sideToMidDb,
  };
}

function analyse(x: Float32Array[], block: number): QcFigures {
  const qc = new QcAnalyzer({ sampleRate: FS, channels: x.length, declaredBitDepth: 24 });
  const n = x[0].length;
  for (let i = 0; i < n; i += block) qc.process(x.map((c) => c.subarray(i, min(n, i + block))));
  return qc.result();
}

function close(actual: number | null, expected: number | null): boolean {
  if (actual === null || expected === null) return actual === expected;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return abs(actual - expected) <= 1e-12 * max(abs(expected), 1e-300);
}

function quantise(v: number, bits: number): number {
  const s = 2 ** (bits - 1);
  return round(v * s) / s;
}

/** Stereo music-like material with the events QC looks for, at a given grid. */
function material(seconds: number, bits: number, seed: number): Float32Array[] {
  const r = lcg(seed);
  const n = round(seconds * FS);
  const l = new Float32Array(n);
  const rr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / FS;
    const env = 0.2 + 0.8 * abs(sin(2 * PI * 0.9 * t)) ** 2;
    const a = 0.3 * sin(2 * PI * 110 * t) + 0.1 * sin(2 * PI * 1320 * t + 1) + 0.05 * r();
    const b = 0.3 * sin(2 * PI * 110 * t + 0.4) + 0.05 * r();
    l[i] = quantise(env * a, bits);
    rr[i] = quantise(env * b, bits);
  }
  // Leading and trailing silence, digital gaps (one too short to count), clipped stretches,
  // an anti-phase passage, signed zeros.
  l.fill(0, 0, 3000);
  rr.fill(0, 0, 3500);
  l.fill(0, n - 5000);
  rr.fill(0, n - 4000);
  for (const [at, len] of [
    [20000, 2000],
    [40000, 300],
    [60000, 4410],
  ]) {
    l.fill(0, at, at + len);
    rr.fill(-0, at, at + len);
  }
  for (let i = 70000; i < 70400; i++) l[i] = i % 50 < 10 ? 1 : l[i];
  for (let i = 72000; i < 72010; i++) rr[i] = -1;
  for (let i = 90000; i < 110000; i++) rr[i] = -l[i];
  return [l, rr];
}

const BLOCKS = [1, 7, 4096, 4410, 65536, 1 << 30];

function check(x: Float32Array[]): void {
  const ref = reference(x);
  for (const block of BLOCKS) {
    const f = analyse(x, block);
    const at = { block };
    expect({ ...at, clip: f.clipping.perChannel }).toEqual({ ...at, clip: ref.clip });
    expect({ ...at, nonFinite: f.nonFiniteSamples }).toEqual({ ...at, nonFinite: ref.nonFinite });
    expect({ ...at, bits: f.bitDepth.effectiveBits }).toEqual({ ...at, bits: ref.effectiveBits });
    expect({ ...at, leading: f.silence.leadingSeconds, trailing: f.silence.trailingSeconds }).toEqual({
      ...at,
      leading: ref.leading / FS,
      trailing: ref.trailing / FS,
    });
    expect({ ...at, gaps: f.silence.gaps, count: f.silence.gapCount }).toEqual({
      ...at,
      gaps: ref.gaps.map(([s, len]) => ({ startSeconds: s / FS, durationSeconds: len / FS })),
      count: ref.gaps.length,
    });
    expect({ ...at, dc: f.dcOffset.perChannel.every((v, c) => close(v, ref.dc[c])) }).toEqual({
      ...at,
      dc: true,
    });
    if (x.length === 2) {
      const p = f.phase!;
      expect({ ...at, windows: p.windows, start: p.worstWindowStartSeconds }).toEqual({
        ...at,
        windows: ref.windows,
        start: ref.worstStart === null ? null : ref.worstStart / FS,
      });
      expect({ ...at, mean: close(p.meanCorrelation, ref.meanCorrelation) }).toEqual({ ...at, mean: true });
      expect({ ...at, sm: close(f.stereo!.sideToMidDb, ref.sideToMidDb) }).toEqual({ ...at, sm: true });
    }
  }
}

describe('QcAnalyzer: fused loops equal the figures computed by definition, for any block size', () => {
  it('stereo music-like material on the 16-bit grid (silence, gaps, clipping, anti-phase)', () => {
    check(material(3, 16, 1));
  });

  it('stereo material on the 24-bit grid', () => {
    check(material(3, 24, 2));
  });

  it('stereo float material (off the grid: 32 bits) with NaN and infinite samples', () => {
    const x = material(3, 40, 3);
    x[0][50000] = NaN;
    x[1][50001] = Infinity;
    x[0][80000] = -Infinity;
    check(x);
  });

  it('stereo white noise on a grid that gets finer mid-stream (16-bit, then one 20-bit sample)', () => {
    const r = lcg(4);
    const x = [0, 1].map(() => Float32Array.from({ length: FS * 2 }, () => quantise(0.5 * r(), 16)));
    x[1][70000] = quantise(0.1, 20) + 2 ** -19;
    check(x);
  });

  it('mono and three-channel material', () => {
    const [l, r] = material(2, 16, 5);
    check([l]);
    check([l, r, Float32Array.from(l, (v, i) => (i % 3 === 0 ? 0 : v))]);
  });
});
