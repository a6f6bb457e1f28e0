import { RealFft, SlidingFrames } from '../fft';
import type { Hertz } from '../units';
import { fftScratch } from './periodicity';
import { FeatureBuffer } from './resample';

/**
 * Tempo estimation of G. Percival & G. Tzanetakis, "Streamlined tempo estimation based on
 * autocorrelation and cross-correlation with pulses", IEEE/ACM TASLP 22(12), 2014 (the algorithm
 * of Marsyas and of Essentia's PercivalBpmEstimator):
 *
 * 1. onset strength signal (OSS): log-magnitude spectral flux, log(1 + 1000 |X| / N), of 23 ms
 *    Hamming frames at an eighth-frame hop (344.5 Hz), low-passed by a 15-tap FIR at 7 Hz;
 * 2. per 5.9 s OSS window (hop 0.37 s): generalised autocorrelation IFFT(|FFT|^0.5) with zero
 *    padding, harmonic enhancement A[l] + A[2l] + A[4l], the ten highest peaks between 50 and
 *    210 BPM, and cross-correlation of the window with pulse trains (beats at 1, 2 and 1.5 periods,
 *    weights 1, 0.5, 0.5, four pulses each, every phase) whose best candidate (max over phases plus
 *    variance over phases, each normalised over the candidates) is the window's period;
 * 3. a Gaussian (10 OSS samples wide) per window period accumulated over the track; its highest
 *    peak is the tempo, and a linear SVM over three features of the accumulator (share below the
 *    peak, share at half the period, the BPM), with the authors' published weights, doubles or
 *    halves it.
 */
export const PERCIVAL_DEFAULTS = Object.freeze({
  /** Paper's OSS rate: 44.1 kHz / 128. Lag constants below are in samples at this rate. */
  ossRate: 44100 / 128,
  frameSeconds: 1024 / 44100,
  hopsPerFrame: 8,
  logGain: 1000,
  lowpassHz: 7,
  lowpassTaps: 15,
  windowSamples: 2048,
  hopSamples: 128,
  compression: 0.5,
  minBpm: 50,
  maxBpm: 210,
  candidates: 10,
  gaussianStdSamples: 10,
  accumulatorSamples: 414,
  octaveToleranceSamples: 10,
});

/** Linear-phase FIR low-pass (windowed sinc, Hamming window, unit DC gain; scipy.signal.firwin). */
export function firLowpass(taps: number, cutoffHz: Hertz, rate: Hertz): Float64Array {
  const h = new Float64Array(taps);
  const fc = cutoffHz / rate;
  const m = (taps - 1) / 2;
  let s = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - m;
    const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    const w = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1));
    h[i] = sinc * w;
    s += h[i];
  }
  for (let i = 0; i < taps; i++) h[i] /= s;
  return h;
}

/** Streaming OSS of Percival & Tzanetakis (step 1) over a mono signal. */
export class PercivalOnset {
  readonly sampleRate: Hertz;
  readonly frameSize: number;
  readonly hop: number;
  readonly ossRate: Hertz;
  private readonly fft: RealFft;
  private readonly framing: SlidingFrames;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private prev: Float64Array;
  private cur: Float64Array;
  private readonly fir: Float64Array;
  private readonly firState: Float64Array;
  private firPos = 0;
  private frames = 0;
  private readonly out = new FeatureBuffer(8192);

  constructor(sampleRate: Hertz) {
    if (!(sampleRate >= 4000 && sampleRate <= 200000))
      throw new RangeError(`sample rate out of range: ${sampleRate}`);
    const d = PERCIVAL_DEFAULTS;
    this.sampleRate = sampleRate;
    this.frameSize = 1 << Math.round(Math.log2(d.frameSeconds * sampleRate));
    this.hop = this.frameSize / d.hopsPerFrame;
    this.ossRate = sampleRate / this.hop;
    this.fft = new RealFft(this.frameSize);
    const window = new Float64Array(this.frameSize);
    const n = this.frameSize;
    // Hamming window, the 1/N magnitude scaling of the paper folded in.
    for (let i = 0; i < n; i++) window[i] = (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1))) / n;
    this.framing = new SlidingFrames(window, this.hop);
    const bins = n / 2 + 1;
    this.re = new Float64Array(bins);
    this.im = new Float64Array(bins);
    this.prev = new Float64Array(bins);
    this.cur = new Float64Array(bins);
    this.fir = firLowpass(d.lowpassTaps, d.lowpassHz, this.ossRate);
    this.firState = new Float64Array(d.lowpassTaps);
    this.reset();
  }

  reset(): void {
    this.framing.reset();
    this.prev.fill(0);
    this.firState.fill(0);
    this.firPos = 0;
    this.frames = 0;
    this.out.clear();
  }

  process(x: Float32Array): void {
    this.framing.push(x, (frame) => this.analyseFrame(frame));
  }

  /** One windowed frame. */
  private analyseFrame(frame: Float64Array): void {
    const re = this.re;
    const im = this.im;
    this.fft.forward(frame, re, im);
    const cur = this.cur;
    const prev = this.prev;
    const gain = PERCIVAL_DEFAULTS.logGain;
    let flux = 0;
    for (let k = 0; k < re.length; k++) {
      const v = Math.log(1 + gain * Math.sqrt(re[k] * re[k] + im[k] * im[k]));
      cur[k] = v;
      const d = v - prev[k];
      if (d > 0) flux += d;
    }
    if (this.frames === 0) flux = 0;
    this.frames++;
    this.cur = prev;
    this.prev = cur;
    // FIR low-pass (circular state, newest at firPos)
    const h = this.fir;
    const st = this.firState;
    const taps = h.length;
    this.firPos = this.firPos === 0 ? taps - 1 : this.firPos - 1;
    st[this.firPos] = flux;
    let y = 0;
    for (let k = 0, p = this.firPos; k < taps; k++, p = p + 1 === taps ? 0 : p + 1) y += h[k] * st[p];
    this.out.push(y);
  }

  /** The OSS produced since the last call (a copy), at `ossRate`; `oss()` then holds only later values. */
  drain(): Float32Array {
    const out = this.out.toArray();
    this.out.clear();
    return out;
  }

  /** The OSS not yet drained (a copy), at `ossRate`. */
  oss(): Float32Array {
    return this.out.toArray();
  }
}

/** Per-window analysis result (steps 2 of the paper). */
export interface PercivalWindow {
  /** Candidate periods in OSS samples (fractional, peak-interpolated), best first by ACF height. */
  readonly candidates: number[];
  /** Pulse-train scores of the candidates (same order), summing to 2 over the candidates. */
  readonly scores: number[];
  /** The chosen period in OSS samples (rounded), or -1 for a window without peaks. */
  readonly lag: number;
  /** The chosen period before rounding (peak-interpolated), or -1. */
  readonly period: number;
}

/**
 * Generalised autocorrelation (Tolonen & Karjalainen 2000): IFFT(|FFT(x)|^c), zero-padded to at
 * least twice the length; returns lags 0..n-1.
 */
export function generalizedAutocorrelation(x: ArrayLike<number>, compression: number): Float64Array {
  const n = x.length;
  let size = 2;
  while (size < 2 * n) size <<= 1;
  const { fft, re, im } = fftScratch(size);
  for (let i = 0; i < n; i++) re[i] = x[i];
  fft.forward(re, im);
  const half = compression / 2;
  for (let k = 0; k < size; k++) {
    const p = re[k] * re[k] + im[k] * im[k];
    re[k] = half === 0.25 ? Math.sqrt(Math.sqrt(p)) : Math.pow(p, half);
    im[k] = 0;
  }
  fft.forward(re, im);
  const out = new Float64Array(n);
  for (let l = 0; l < n; l++) out[l] = re[l] / size;
  return out;
}

/** Harmonic enhancement: A[l] + A[2l] + A[4l] for l < n/4 (and A[l] beyond). */
export function enhanceHarmonics(a: Float64Array): Float64Array {
  const out = Float64Array.from(a);
  const q = Math.floor(a.length / 4);
  for (let l = 0; l < q; l++) out[l] = a[l] + a[2 * l] + a[4 * l];
  return out;
}

/** Pulse-train cross-correlation: max over phases and variance over phases for period `lag`. */
export function pulseTrainScores(oss: ArrayLike<number>, lag: number): { mag: number; variance: number } {
  const n = oss.length;
  let best = -Infinity;
  let sum = 0;
  let sumSq = 0;
  for (let phase = 0; phase < lag; phase++) {
    let s = 0;
    for (let b = 0; b < 4; b++) {
      const i1 = phase + b * lag;
      if (i1 < n) s += oss[i1];
      const i2 = phase + b * lag * 2;
      if (i2 < n) s += 0.5 * oss[i2];
      const i3 = phase + Math.floor((b * lag * 3) / 2);
      if (i3 < n) s += 0.5 * oss[i3];
    }
    if (s > best) best = s;
    sum += s;
    sumSq += s * s;
  }
  const mean = sum / lag;
  return { mag: best, variance: Math.max(0, sumSq / lag - mean * mean) };
}

/** Step 2 of the paper over one OSS window. `rateScale` = OSS rate / 344.5 Hz. */
export function percivalWindow(
  window: ArrayLike<number>,
  minLag: number,
  maxLag: number,
  candidates: number = PERCIVAL_DEFAULTS.candidates,
): PercivalWindow {
  const acf = enhanceHarmonics(generalizedAutocorrelation(window, PERCIVAL_DEFAULTS.compression));
  const peaks: { pos: number; amp: number }[] = [];
  const hi = Math.min(maxLag, acf.length - 2);
  for (let l = Math.max(1, minLag); l <= hi; l++) {
    const c = acf[l];
    if (c > acf[l - 1] && c >= acf[l + 1]) {
      const d = acf[l - 1] - 2 * c + acf[l + 1];
      const off = d < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (acf[l - 1] - acf[l + 1])) / d)) : 0;
      peaks.push({ pos: l + off, amp: c - 0.25 * (acf[l - 1] - acf[l + 1]) * off });
    }
  }
  peaks.sort((a, b) => b.amp - a.amp);
  const top = peaks.slice(0, candidates);
  if (top.length === 0) return { candidates: [], scores: [], lag: -1, period: -1 };
  const mags: number[] = [];
  const vars: number[] = [];
  for (const p of top) {
    const s = pulseTrainScores(window, Math.round(p.pos));
    mags.push(s.mag);
    vars.push(s.variance);
  }
  const sm = mags.reduce((a, b) => a + b, 0);
  const sv = vars.reduce((a, b) => a + b, 0);
  const scores = top.map((_, i) => (sm > 0 ? mags[i] / sm : 0) + (sv > 0 ? vars[i] / sv : 0));
  let arg = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[arg]) arg = i;
  return { candidates: top.map((p) => p.pos), scores, lag: Math.round(top[arg].pos), period: top[arg].pos };
}

export interface PercivalEstimate {
  /** Final tempo after the octave decision, BPM (0 when nothing periodic was found). */
  readonly bpm: number;
  /** Accumulator peak before the octave decision, BPM. */
  readonly peakBpm: number;
  /** 0.5, 1 or 2: the SVM's octave decision. */
  readonly multiplier: number;
  /** Accumulated Gaussians by lag in OSS samples (lags 0..accumulatorSamples-1 at the OSS rate). */
  readonly accumulator: Float64Array;
  /** Per-window chosen periods in OSS samples (-1: none; fractional in fractional mode). */
  readonly lags: readonly number[];
  readonly ossRate: Hertz;
}

/** Window geometry and lag range of step 2 at an OSS rate (lag constants scale from 344.5 Hz). */
function geometry(ossRate: Hertz, minBpm: number, maxBpm: number) {
  const d = PERCIVAL_DEFAULTS;
  const scale = ossRate / d.ossRate;
  return {
    scale,
    win: Math.round(d.windowSamples * scale),
    hop: Math.max(1, Math.round(d.hopSamples * scale)),
    minLag: Math.floor((ossRate * 60) / maxBpm),
    maxLag: Math.floor((ossRate * 60) / minBpm),
  };
}

/**
 * Step 3: Gaussian accumulation of the window periods, peak picking and the octave decision.
 * `lags`: each window's chosen period in OSS samples (rounded, or fractional in fractional mode;
 * -1 for a window without peaks).
 */
export function percivalAccumulate(
  lags: readonly number[],
  ossRate: Hertz,
  fractional = false,
): PercivalEstimate {
  const d = PERCIVAL_DEFAULTS;
  const scale = ossRate / d.ossRate;
  const size = Math.round(d.accumulatorSamples * scale);
  const acc = new Float64Array(size);
  const std = d.gaussianStdSamples * scale;
  const norm = 1 / (std * Math.sqrt(2 * Math.PI));
  const reach = Math.ceil(6 * std);
  for (const lag of lags) {
    if (lag < 0) continue;
    for (let j = Math.max(0, Math.ceil(lag - reach)); j <= Math.min(size - 1, lag + reach); j++) {
      const z = (j - lag) / std;
      acc[j] += norm * Math.exp(-0.5 * z * z);
    }
  }
  let arg = -1;
  for (let j = 1; j < size; j++) if (acc[j] > 0 && (arg < 0 || acc[j] > acc[arg])) arg = j;
  if (arg < 0) return { bpm: 0, peakBpm: 0, multiplier: 1, accumulator: acc, lags, ossRate };
  // At the paper's OSS rate a lag step is 0.3-1.2 % of the period; slower OSS rates (fractional
  // mode) interpolate the peak instead.
  let peakLag = arg;
  if (fractional && arg > 0 && arg < size - 1) {
    const d2 = acc[arg - 1] - 2 * acc[arg] + acc[arg + 1];
    if (d2 < 0) peakLag += Math.max(-0.5, Math.min(0.5, (0.5 * (acc[arg - 1] - acc[arg + 1])) / d2));
  }
  const peakBpm = (ossRate * 60) / peakLag;
  const multiplier = percivalOctave(acc, arg, peakBpm, d.octaveToleranceSamples * scale);
  return { bpm: multiplier * peakBpm, peakBpm, multiplier, accumulator: acc, lags, ossRate };
}

/**
 * Steps 2 and 3 of Percival & Tzanetakis 2014 over an OSS pushed sample by sample: step 2 runs on
 * every complete window as it arrives (windows start every hop from 0; at the end the last ones
 * are zero-padded, as Essentia frames the OSS). Keeps one window of OSS and one period per window
 * (0.37 s): 80 KB per hour.
 */
export class PercivalWindows {
  private readonly g: ReturnType<typeof geometry>;
  /** The last `win` OSS samples (ring), and how many OSS samples were seen in total. */
  private readonly ring: Float64Array;
  private seen = 0;
  private nextStart = 0;
  private readonly frame: Float64Array;
  private lags: number[] = [];

  constructor(
    readonly ossRate: Hertz,
    readonly minBpm: number = PERCIVAL_DEFAULTS.minBpm,
    readonly maxBpm: number = PERCIVAL_DEFAULTS.maxBpm,
    /** Periods kept fractional (peak-interpolated): for OSS rates well below the paper's 344.5 Hz. */
    readonly fractional = ossRate < PERCIVAL_DEFAULTS.ossRate / 2,
  ) {
    if (!(minBpm > 0 && maxBpm > minBpm)) throw new RangeError(`bad BPM range [${minBpm}, ${maxBpm}]`);
    this.g = geometry(ossRate, minBpm, maxBpm);
    this.ring = new Float64Array(this.g.win);
    this.frame = new Float64Array(this.g.win);
  }

  reset(): void {
    this.ring.fill(0);
    this.seen = 0;
    this.nextStart = 0;
    this.lags = [];
  }

  push(value: number): void {
    const win = this.g.win;
    this.ring[this.seen % win] = value;
    this.seen++;
    if (this.seen === this.nextStart + win) {
      this.lags.push(this.analyse(this.nextStart, this.seen));
      this.nextStart += this.g.hop;
    }
  }

  /** Tempo so far: the trailing zero-padded windows are added to a copy of the periods. */
  result(): PercivalEstimate {
    const lags = this.lags.slice();
    for (let st = this.nextStart; st < this.seen; st += this.g.hop) lags.push(this.analyse(st, this.seen));
    return percivalAccumulate(lags, this.ossRate, this.fractional);
  }

  /** Period chosen in the window starting at OSS sample `st`, samples at or after `end` taken as zeros. */
  private analyse(st: number, end: number): number {
    const win = this.g.win;
    const f = this.frame;
    f.fill(0);
    for (let i = st; i < Math.min(end, st + win); i++) f[i - st] = this.ring[i % win];
    const w = percivalWindow(f, this.g.minLag, this.g.maxLag);
    return this.fractional ? w.period : w.lag;
  }
}

/** Steps 2 and 3 of Percival & Tzanetakis 2014 over a whole OSS (see PercivalWindows). */
export function percivalTempo(
  oss: ArrayLike<number>,
  ossRate: Hertz,
  minBpm: number = PERCIVAL_DEFAULTS.minBpm,
  maxBpm: number = PERCIVAL_DEFAULTS.maxBpm,
  fractional = ossRate < PERCIVAL_DEFAULTS.ossRate / 2,
): PercivalEstimate {
  const w = new PercivalWindows(ossRate, minBpm, maxBpm, fractional);
  for (let i = 0; i < oss.length; i++) w.push(oss[i]);
  return w.result();
}

/**
 * Streaming Percival & Tzanetakis 2014 estimator over a mono signal: its own OSS (PercivalOnset),
 * then PercivalWindows over it.
 */
export class PercivalAnalyzer {
  readonly ossRate: Hertz;
  private readonly onset: PercivalOnset;
  private readonly windows: PercivalWindows;

  constructor(
    sampleRate: Hertz,
    minBpm: number = PERCIVAL_DEFAULTS.minBpm,
    maxBpm: number = PERCIVAL_DEFAULTS.maxBpm,
  ) {
    if (!(minBpm > 0 && maxBpm > minBpm)) throw new RangeError(`bad BPM range [${minBpm}, ${maxBpm}]`);
    this.onset = new PercivalOnset(sampleRate);
    this.ossRate = this.onset.ossRate;
    this.windows = new PercivalWindows(this.ossRate, minBpm, maxBpm, false);
  }

  reset(): void {
    this.onset.reset();
    this.windows.reset();
  }

  process(x: Float32Array): void {
    this.onset.process(x);
    const fresh = this.onset.drain();
    for (let i = 0; i < fresh.length; i++) this.windows.push(fresh[i]);
  }

  result(): PercivalEstimate {
    return this.windows.result();
  }
}

function sumRange(a: Float64Array, lo: number, hi: number): number {
  const l = Math.max(0, Math.round(lo));
  const h = Math.min(a.length - 1, Math.round(hi));
  let s = 0;
  for (let i = l; i <= h; i++) s += a[i];
  return s;
}

/**
 * The paper's octave decision: three one-against-one linear SVMs (classes: half, same, double)
 * over the accumulator's share below the peak, its share around half the peak lag, and the BPM,
 * min-max normalised; weights and ranges as published with the authors' implementation.
 */
export const PERCIVAL_OCTAVE_SVM = Object.freeze({
  mins: [0.0321812, 1.68126e-83, 50.1745],
  maxs: [0.863237, 0.449184, 208.807],
  w51: [-1.9551, 0.4348, -4.6442, 3.2896],
  w52: [-3.0408, 2.7591, -6.5367, 3.081],
  w12: [-3.4624, 3.4397, -9.4897, 1.6297],
});

export function percivalOctave(acc: Float64Array, lag: number, bpm: number, tolerance: number): number {
  const total = sumRange(acc, 0, acc.length - 1);
  if (!(total > 0)) return 1;
  const f = [
    sumRange(acc, 0, lag - tolerance) / total,
    sumRange(acc, 0.5 * lag - tolerance, 0.5 * lag + tolerance) / total,
    bpm,
  ];
  const s = PERCIVAL_OCTAVE_SVM;
  const x = f.map((v, i) => (v - s.mins[i]) / (s.maxs[i] - s.mins[i]));
  const lin = (w: readonly number[]): number => w[3] + x[0] * w[0] + x[1] * w[1] + x[2] * w[2];
  const s51 = lin(s.w51);
  const s52 = lin(s.w52);
  const s12 = lin(s.w12);
  let mult = 1;
  if (s52 > 0 && s12 > 0) mult = 2;
  if (s51 <= 0 && s52 <= 0) mult = 0.5;
  return mult;
}
