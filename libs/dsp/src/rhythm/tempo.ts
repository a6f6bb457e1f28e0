import type { Hertz, Seconds } from '../units';
import type { OnsetFeatures } from './onset';
import { autocorrelation, movingAverage, parabolicOffset, sampleAt } from './periodicity';

export type TempoRelation =
  'primary' | 'half' | 'double' | 'three-halves' | 'two-thirds' | 'third' | 'triple' | 'other';

export interface TempoCandidate {
  readonly bpm: number;
  readonly score: number;
  readonly relation: TempoRelation;
}

export interface TempoPoint {
  readonly timeSeconds: Seconds;
  readonly bpm: number;
}

export interface TempoEstimate {
  /** Beats per minute, rounded to 0.1. */
  readonly bpm: number;
  /** 0..1 */
  readonly confidence: number;
  /** The primary tempo first, then the next best metrical levels. */
  readonly candidates: TempoCandidate[];
  readonly steady: boolean;
  /** Local tempo over time, present when the tempo is not steady. */
  readonly curve?: TempoPoint[];
}

/**
 * Tempo prior: a log-normal preference around `centreBpm` (the resonance of human tapping,
 * van Noorden & Moelants 1999; librosa's `start_bpm` prior), `octaves` wide (one standard
 * deviation), and hard limits `[minBpm, maxBpm]`.
 */
export interface TempoPrior {
  readonly centreBpm: number;
  readonly octaves: number;
  readonly minBpm: number;
  readonly maxBpm: number;
}

export const DEFAULT_TEMPO_PRIOR: TempoPrior = Object.freeze({
  centreBpm: 120,
  octaves: 1,
  minBpm: 40,
  maxBpm: 250,
});

export function relationOf(ratio: number): TempoRelation {
  const table: [number, TempoRelation][] = [
    [1, 'primary'],
    [0.5, 'half'],
    [2, 'double'],
    [1.5, 'three-halves'],
    [2 / 3, 'two-thirds'],
    [1 / 3, 'third'],
    [3, 'triple'],
  ];
  for (const [r, name] of table) if (Math.abs(Math.log(ratio / r)) < 0.04) return name;
  return 'other';
}

export function priorWeight(bpm: number, prior: TempoPrior): number {
  if (bpm < prior.minBpm || bpm > prior.maxBpm) return 0;
  const z = Math.log2(bpm / prior.centreBpm) / prior.octaves;
  return Math.exp(-0.5 * z * z);
}

/** Onset novelty for periodicity analysis and beat tracking: full-band flux minus its local mean, half-wave rectified, unit RMS. */
export function beatNovelty(f: OnsetFeatures): Float32Array {
  return noveltyOf(f.all, f.frameRate);
}

/**
 * Tempogram summary: the mean of normalised autocorrelations of the novelty over overlapping
 * windows (a windowed-ACF tempogram as in Grosche & Müller 2011 / librosa.feature.tempogram),
 * robust to slow tempo drift; `local` keeps each window's ACF for the tempo curve.
 */
export interface Tempogram {
  readonly frameRate: Hertz;
  /** Mean normalised ACF by lag in frames. */
  readonly mean: Float64Array;
  /** Per-window ACFs and their centre times in frames. */
  readonly local: Float64Array[];
  readonly centres: number[];
}

export const TEMPOGRAM_DEFAULTS = Object.freeze({ windowSeconds: 10, hopSeconds: 2.5, maxLagSeconds: 4.5 });

export function tempogram(novelty: Float32Array, frameRate: Hertz, keepLocal = false): Tempogram {
  const d = TEMPOGRAM_DEFAULTS;
  const maxLag = Math.ceil(d.maxLagSeconds * frameRate);
  const win = Math.round(d.windowSeconds * frameRate);
  const hop = Math.round(d.hopSeconds * frameRate);
  const mean = new Float64Array(maxLag + 1);
  const local: Float64Array[] = [];
  const centres: number[] = [];
  const starts: number[] = [];
  if (novelty.length <= win) starts.push(0);
  else for (let st = 0; st + win <= novelty.length; st += hop) starts.push(st);
  let count = 0;
  for (const st of starts) {
    const seg = novelty.subarray(st, Math.min(novelty.length, st + win));
    const a = autocorrelation(seg, maxLag);
    const r0 = a[0];
    if (!(r0 > 0)) continue;
    const norm = new Float64Array(maxLag + 1);
    for (let l = 0; l < a.length; l++) norm[l] = a[l] / r0 / Math.max(0.2, 1 - l / seg.length);
    for (let l = 0; l <= maxLag; l++) mean[l] += norm[l];
    count++;
    if (keepLocal) {
      local.push(norm);
      centres.push(st + seg.length / 2);
    }
  }
  if (count > 0) for (let l = 0; l <= maxLag; l++) mean[l] /= count;
  return { frameRate, mean, local, centres };
}

/** Highest value of `a` within +-2 % of lag `lag` (tempo jitter tolerant lookup). */
function peakNear(a: Float64Array, lag: number): number {
  const r = Math.max(1, lag * 0.02);
  let m = sampleAt(a, lag);
  for (let i = Math.ceil(lag - r); i <= Math.floor(lag + r); i++)
    if (i >= 0 && i < a.length && a[i] > m) m = a[i];
  return m;
}

/** Comb salience: mean tempogram value at the first four multiples of the beat period. */
function combSalience(a: Float64Array, frameRate: Hertz, bpm: number): number {
  const lag = (60 / bpm) * frameRate;
  let s = 0;
  let c = 0;
  for (let k = 1; k <= 4 && k * lag < a.length - 1; k++) {
    s += peakNear(a, k * lag);
    c++;
  }
  return c ? s / c : 0;
}

/**
 * Metrical-level model for the octave decision, after Klapuri, Eronen & Astola 2006 ("Analysis of
 * the meter of acoustic musical signals", IEEE TASLP 14(1)): the beat (tactus) is chosen jointly
 * with the tatum below it and the measure above it. Every level has a log-normal prior on its
 * period (the tactus prior is the tempo prior) and the ratios between levels have priors of their
 * own; the evidence for a level is the strength of the onset periodicity at its period
 * (Percival & Tzanetakis 2014 score candidates the same way with pulse trains at the beat and
 * its multiples). The score of a beat period T is
 *   log p_beat(T) + a log S(T) + max_k [log p_tatum(T/k) + log q_k + b log S(T/k)]
 *                             + max_m [log p_bar(mT) + log r_m + b log S(mT)]
 * with S the normalised autocorrelation of the onset novelty (averaged over 10 s windows).
 */
export interface MetreModel {
  /** Tatum (fastest regular pulse) period prior: median in seconds and spread in octaves. */
  readonly tatumSeconds: number;
  readonly tatumOctaves: number;
  /** Measure period prior. */
  readonly barSeconds: number;
  readonly barOctaves: number;
  /** Prior of the beat/tatum ratio k = 1, 2, 3, 4. */
  readonly tatumRatio: readonly [number, number, number, number];
  /** Prior of the bar/beat ratio m = 2, 3, 4, 6. */
  readonly barRatio: readonly [number, number, number, number];
  /** Weight of the beat-level evidence (a) and of the other levels' evidence (b). */
  readonly beatEvidence: number;
  readonly levelEvidence: number;
  /** Weight of the backbone (kick, snare, bass, chords: below 2 kHz) evidence at the beat level. */
  readonly backboneEvidence: number;
  /** Use the hats band (above 2 kHz) for the tatum evidence. */
  readonly tatumFromHigh: number;
}

export const DEFAULT_METRE_MODEL: MetreModel = Object.freeze({
  tatumSeconds: 0.18,
  tatumOctaves: 0.9,
  barSeconds: 2.1,
  barOctaves: 0.6,
  tatumRatio: Object.freeze([0.15, 0.45, 0.15, 0.25]) as unknown as readonly [number, number, number, number],
  barRatio: Object.freeze([0.2, 0.2, 0.5, 0.1]) as unknown as readonly [number, number, number, number],
  beatEvidence: 2,
  levelEvidence: 1,
  backboneEvidence: 0,
  tatumFromHigh: 0,
});

/** Normalised ACFs of the full-band, backbone (below 2 kHz) and hats (above 2 kHz) novelties. */
export interface BandAcfs {
  readonly all: Float64Array;
  readonly backbone: Float64Array;
  readonly high: Float64Array;
}

function noveltyOf(x: Float32Array, frameRate: Hertz): Float32Array {
  const mean = movingAverage(x, Math.round(0.25 * frameRate));
  const out = new Float32Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - mean[i];
    out[i] = v > 0 ? v : 0;
    s += out[i] * out[i];
  }
  const rms = Math.sqrt(s / Math.max(1, x.length)) || 1;
  for (let i = 0; i < x.length; i++) out[i] /= rms;
  return out;
}

const LN2 = Math.LN2;

function logNormal(seconds: number, median: number, octaves: number): number {
  const z = Math.log(seconds / median) / LN2 / octaves;
  return -0.5 * z * z;
}

/** Evidence of a periodicity at `lag` frames: the ACF peak near it, floored (log domain). */
function levelStrength(acf: Float64Array, lag: number): number {
  if (lag < 2 || lag > acf.length - 2) return Math.log(0.02);
  return Math.log(0.02 + Math.max(0, peakNear(acf, lag)));
}

export function octaveScore(
  bands: BandAcfs,
  frameRate: Hertz,
  bpm: number,
  prior: TempoPrior,
  model: MetreModel = DEFAULT_METRE_MODEL,
): number {
  const beatSeconds = 60 / bpm;
  const lag = beatSeconds * frameRate;
  const acf = bands.all;
  let s =
    Math.log(Math.max(1e-9, priorWeight(bpm, prior))) +
    model.beatEvidence * levelStrength(acf, lag) +
    model.backboneEvidence * levelStrength(bands.backbone, lag);
  let tatum = -Infinity;
  for (let k = 1; k <= 4; k++) {
    const v =
      logNormal(beatSeconds / k, model.tatumSeconds, model.tatumOctaves) +
      Math.log(model.tatumRatio[k - 1]) +
      model.levelEvidence * levelStrength(acf, lag / k) +
      model.tatumFromHigh * levelStrength(bands.high, lag / k);
    if (v > tatum) tatum = v;
  }
  const ms = [2, 3, 4, 6];
  let bar = -Infinity;
  for (let j = 0; j < ms.length; j++) {
    const m = ms[j];
    const v =
      logNormal(beatSeconds * m, model.barSeconds, model.barOctaves) +
      Math.log(model.barRatio[j]) +
      model.levelEvidence * levelStrength(acf, lag * m);
    if (v > bar) bar = v;
  }
  s += tatum + bar;
  return s;
}

const RATIOS = [1, 2, 0.5, 3, 1 / 3, 1.5, 2 / 3];

/** Global tempo, candidates and steadiness from onset features (beats refine the value later). */
export function estimateTempo(
  f: OnsetFeatures,
  prior: TempoPrior = DEFAULT_TEMPO_PRIOR,
  model: MetreModel = DEFAULT_METRE_MODEL,
): TempoEstimate {
  if (f.all.length < 8) return { bpm: 0, confidence: 0, candidates: [], steady: true };
  const fr = f.frameRate;
  const bb = new Float32Array(f.low.length);
  for (let i = 0; i < bb.length; i++) bb[i] = f.low[i] + f.mid[i];
  const t = { all: tempogram(noveltyOf(f.all, fr), fr, true) };
  const bands: BandAcfs = {
    all: t.all.mean,
    backbone: tempogram(noveltyOf(bb, fr), fr).mean,
    high: tempogram(noveltyOf(f.high, fr), fr).mean,
  };
  // 1. candidate periods: local maxima of the comb salience, with their metrical relatives
  const grid: number[] = [];
  for (let b = prior.minBpm; b <= prior.maxBpm; b *= 1.005) grid.push(b);
  const sal = grid.map((b) => combSalience(t.all.mean, fr, b));
  const peaks: { bpm: number; s: number }[] = [];
  for (let i = 1; i < grid.length - 1; i++)
    if (sal[i] > sal[i - 1] && sal[i] >= sal[i + 1]) peaks.push({ bpm: grid[i], s: sal[i] });
  peaks.sort((a, b) => b.s - a.s);
  const seen: number[] = [];
  for (const p of peaks.slice(0, 6)) {
    for (const r of RATIOS) {
      const bpm = p.bpm * r;
      if (bpm < prior.minBpm || bpm > prior.maxBpm) continue;
      if (seen.some((x) => Math.abs(Math.log(x / bpm)) < 0.02)) continue;
      seen.push(bpm);
    }
  }
  if (seen.length === 0) return { bpm: 0, confidence: 0, candidates: [], steady: true };
  // 2. octave decision
  const scored = seen
    .map((bpm) => ({ bpm: refinePeriod(t.all.mean, fr, bpm), score: octaveScore(bands, fr, bpm, prior, model) }))
    .sort((a, b) => b.score - a.score);
  // candidates that refine to the same tempo count once (the best-scoring one)
  for (let i = scored.length - 1; i > 0; i--) {
    if (scored.slice(0, i).some((c) => Math.abs(Math.log(c.bpm / scored[i].bpm)) < 0.01)) scored.splice(i, 1);
  }
  const best = scored[0];
  // softmax over candidates as a probability-like confidence
  let z = 0;
  for (const c of scored) z += Math.exp(c.score - best.score);
  const candidates: TempoCandidate[] = scored.slice(0, 5).map((c) => ({
    bpm: Math.round(c.bpm * 10) / 10,
    score: Math.round((Math.exp(c.score - best.score) / z) * 1000) / 1000,
    relation: relationOf(c.bpm / best.bpm),
  }));
  // 3. steadiness: local tempo per window near the global period
  const curve = localTempo(t.all, best.bpm, f.startTime);
  const values = curve.map((p) => p.bpm).sort((a, b) => a - b);
  const q = (x: number): number =>
    values[Math.min(values.length - 1, Math.max(0, Math.round(x * (values.length - 1))))];
  const steady = values.length < 4 || (q(0.9) - q(0.1)) / q(0.5) < 0.05;
  return {
    bpm: Math.round(best.bpm * 10) / 10,
    confidence: Math.round((1 / z) * 1000) / 1000,
    candidates,
    steady,
    ...(steady ? {} : { curve }),
  };
}

/** Parabolic refinement of the tempogram peak nearest to `bpm`. */
function refinePeriod(a: Float64Array, frameRate: Hertz, bpm: number): number {
  const lag = (60 / bpm) * frameRate;
  const lo = Math.max(1, Math.floor(lag * 0.97));
  const hi = Math.min(a.length - 2, Math.ceil(lag * 1.03));
  let arg = Math.round(lag);
  for (let i = lo; i <= hi; i++) if (a[i] > a[arg]) arg = i;
  if (arg <= lo || arg >= hi) return bpm;
  return (60 * frameRate) / (arg + parabolicOffset(a, arg));
}

/** Local tempo per tempogram window: the ACF peak within +-12 % of the global period. */
export function localTempo(t: Tempogram, bpm: number, startTime: Seconds): TempoPoint[] {
  const out: TempoPoint[] = [];
  const lag = (60 / bpm) * t.frameRate;
  for (let w = 0; w < t.local.length; w++) {
    const a = t.local[w];
    const lo = Math.max(1, Math.floor(lag * 0.88));
    const hi = Math.min(a.length - 2, Math.ceil(lag * 1.12));
    let arg = -1;
    for (let i = lo; i <= hi; i++) if (arg < 0 || a[i] > a[arg]) arg = i;
    if (arg < 0) continue;
    const l = arg + parabolicOffset(a, arg);
    out.push({
      timeSeconds: Math.round((startTime + t.centres[w] / t.frameRate) * 100) / 100,
      bpm: Math.round(((60 * t.frameRate) / l) * 10) / 10,
    });
  }
  return out;
}
