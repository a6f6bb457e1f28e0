import type { Hertz, Seconds } from '../units';
import type { OnsetFeatures } from './onset';
import { checkOctaveModel, combSalience, octaveFeatures, octaveScore, type OctaveModel } from './octave';
import { TEMPO_OCTAVE_MODEL } from './octave-model';
import { parabolicOffset } from './periodicity';
import { FluxNovelty } from './sliding-values';
import { TEMPOGRAM_DEFAULTS, type BandTempograms, type Tempogram } from './tempogram';

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
 * Tempo prior: hard limits `[minBpm, maxBpm]` on the reported tempo. Within them, the preference
 * for one metrical level over another is the octave model's (its log-tempo features, learned with
 * the rest: see octave.ts), not a fixed curve.
 */
export interface TempoPrior {
  readonly minBpm: number;
  readonly maxBpm: number;
}

export const DEFAULT_TEMPO_PRIOR: TempoPrior = Object.freeze({ minBpm: 40, maxBpm: 250 });

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

/**
 * Onset novelty for beat tracking, frame by frame to `sink` without a copy of the curve: the
 * full-band flux above its centred moving average (0.25 s each side), half-wave rectified, scaled
 * to unit RMS (a first pass finds the RMS). Values are those of the Float32 curve it used to be.
 */
export function forEachBeatNovelty(
  flux: Float32Array,
  frameRate: Hertz,
  sink: (value: number, frame: number) => void,
): void {
  const half = Math.round(TEMPOGRAM_DEFAULTS.noveltyMeanSeconds * frameRate);
  const pass = (each: (v: number, i: number) => void): void => {
    const novelty = new FluxNovelty(half);
    for (let i = 0; i < flux.length; i++) novelty.push(flux[i], each);
    novelty.drain(each);
  };
  let s = 0;
  pass((v) => (s += v * v));
  const rms = Math.sqrt(s / Math.max(1, flux.length)) || 1;
  pass((v, i) => sink(Math.fround(v / rms), i));
}

/**
 * A second opinion for clips where the tempogram is unsure: when the tempogram's confidence
 * (softmax share times duration / 10 s) is below `belowConfidence`, the tempo of the other estimator
 * (Percival & Tzanetakis 2014, see percival.ts) becomes the primary candidate. Its periodicity
 * finding and octave decision come from the paper, not from the synthetic set.
 */
export interface TempoFallback {
  readonly bpm: number;
  readonly belowConfidence: number;
  /**
   * Up to this confidence (above `belowConfidence`), the other estimator's tempo is taken only when
   * the two agree on an alternative: it lies within 4 % of the tempogram's runner-up candidate,
   * whose share is at least 0.1 (and not within 4 % of its first choice). Omitted: no agreement
   * band.
   */
  readonly agreeingBelowConfidence?: number;
}

/**
 * Fallback threshold, chosen on the tuning half of the synthetic set with the earlier linear
 * octave score (0.3 to 0.35 tied; the upper end was kept). Measured again with the model of seeds
 * 101-136 on unseen seeds 137-140 (904 whole pieces, 1154 excerpts of 4-12 s): the model is right
 * more often than Percival at every confidence, so on synthetic material the fallback barely
 * matters (Acc1 0.973 without it, 0.971 at 0.35, 0.974 at 0.25); with the model of seeds 101-136
 * and 141-164 the same holds (below 0.35: model 76 right, Percival 66, of 163 analyses). It stays,
 * unchanged, as the second opinion for clips unlike anything the model was trained on (madmom's
 * 2.8 s sample, model 171 BPM at 0.26, Percival 88.7, annotated 87.5).
 */
export const TEMPO_FALLBACK_CONFIDENCE = 0.35;

/**
 * Upper end of the agreement band (see TempoFallback.agreeingBelowConfidence). On synthetic
 * material the band is close to a tie: on unseen seeds 137-140 (904 whole pieces, 1154 excerpts of
 * 4-12 s, 994 solo stems of 4-12 s) and the bench's three sets it changes 31 of 3,892 analyses, 12
 * from wrong to right and 19 from right to wrong (net -0.2 %), and no bench piece (840 pieces of
 * 30 s). On real recordings it decides: a 5 s solo trumpet loop read 4/3 too fast (121 BPM),
 * where Percival (92) and the model's runner-up (95) both sit near the annotated 90. Set with that
 * one clip in view, and moved with it: 0.4 with the model of seeds 101-136 (trumpet at 0.37),
 * 0.45 with the model of seeds 101-136 and 141-164 (trumpet at 0.41). Thin evidence for a real-world
 * judgement: where a short real clip and the synthetic training disagree, two estimators that agree
 * are trusted over one (the real set's two short clips were both misread by the model alone).
 */
export const TEMPO_AGREEMENT_CONFIDENCE = 0.45;
/** Smallest share of a runner-up candidate that counts as the model agreeing with the fallback. */
const AGREEING_SHARE = 0.1;
const AGREEING_TOLERANCE = 0.04;
function applyFallback(
  scored: { bpm: number; score: number }[],
  fallback: TempoFallback,
  durationShare: number,
  prior: TempoPrior,
  scoreOf: (bpm: number) => number,
): void {
  const p = fallback.bpm;
  if (!(p >= prior.minBpm && p <= prior.maxBpm) || scored.length === 0) return;
  let z = 0;
  for (const c of scored) z += Math.exp(c.score - scored[0].score);
  const confidence = durationShare / z;
  if (confidence >= fallback.belowConfidence && !agreesOnAlternative(scored, z, fallback, confidence)) return;
  let i = scored.findIndex((c) => Math.abs(Math.log(c.bpm / p)) < 0.01);
  if (i < 0) {
    scored.push({ bpm: p, score: scoreOf(p) });
    i = scored.length - 1;
  } else {
    scored[i] = { bpm: p, score: scored[i].score };
  }
  const [chosen] = scored.splice(i, 1);
  scored.unshift(chosen);
}

function agreesOnAlternative(
  scored: { bpm: number; score: number }[],
  z: number,
  fallback: TempoFallback,
  confidence: number,
): boolean {
  if (!(confidence < (fallback.agreeingBelowConfidence ?? 0))) return false;
  const near = (bpm: number): boolean => Math.abs(fallback.bpm / bpm - 1) <= AGREEING_TOLERANCE;
  if (scored.length < 2 || near(scored[0].bpm)) return false;
  return Math.exp(scored[1].score - scored[0].score) / z >= AGREEING_SHARE && near(scored[1].bpm);
}

const RATIOS = [1, 2, 0.5, 3, 1 / 3, 1.5, 2 / 3];

/**
 * Candidate beat periods in BPM: the six strongest local maxima of the comb salience over the
 * prior's range (0.5 % grid), each with its metrical relatives (x2, x1/2, x3, x1/3, x3/2, x2/3),
 * within the range and 2 % apart.
 */
export function tempoCandidates(t: BandTempograms, prior: TempoPrior = DEFAULT_TEMPO_PRIOR): number[] {
  const fr = t.all.frameRate;
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
  return seen;
}

/**
 * Below this much audio no tempo is reported (bpm 0, confidence 0): fewer than about four beats
 * at 120 BPM cannot show a period.
 */
export const MIN_TEMPO_SECONDS: Seconds = 2;
/** Up to this duration the confidence is scaled by duration / FULL_CONFIDENCE_SECONDS. */
export const FULL_CONFIDENCE_SECONDS: Seconds = 10;

/** Global tempo, candidates and steadiness from onset features (beats refine the value later). */
export function estimateTempo(
  f: OnsetFeatures,
  prior: TempoPrior = DEFAULT_TEMPO_PRIOR,
  model: OctaveModel = TEMPO_OCTAVE_MODEL,
  fallback?: TempoFallback,
): TempoEstimate {
  const seconds = f.all.length / f.frameRate;
  if (f.all.length < 8 || seconds < MIN_TEMPO_SECONDS)
    return { bpm: 0, confidence: 0, candidates: [], steady: true };
  const t = f.tempograms;
  const fr = f.frameRate;
  // 1. candidate periods
  const seen = tempoCandidates(t, prior);
  if (seen.length === 0) return { bpm: 0, confidence: 0, candidates: [], steady: true };
  // 2. octave decision
  checkOctaveModel(model);
  const scoreOf = (bpm: number): number => octaveScore(model, octaveFeatures(t, bpm));
  const scored = seen
    .map((bpm) => ({
      bpm: refinePeriod(t.all.mean, fr, bpm),
      score: scoreOf(bpm),
    }))
    .sort((a, b) => b.score - a.score);
  // candidates that refine to the same tempo count once (the best-scoring one)
  for (let i = scored.length - 1; i > 0; i--) {
    if (scored.slice(0, i).some((c) => Math.abs(Math.log(c.bpm / scored[i].bpm)) < 0.01)) scored.splice(i, 1);
  }
  const durationShare = Math.min(1, seconds / FULL_CONFIDENCE_SECONDS);
  if (fallback) applyFallback(scored, fallback, durationShare, prior, scoreOf);
  const best = scored[0];
  // softmax over candidates as a probability-like confidence (of the chosen one, which after a
  // fallback need not be the highest-scoring)
  const top = Math.max(...scored.map((c) => c.score));
  let z = 0;
  for (const c of scored) z += Math.exp(c.score - top);
  const candidates: TempoCandidate[] = scored.slice(0, 5).map((c) => ({
    bpm: Math.round(c.bpm * 10) / 10,
    score: Math.round((Math.exp(c.score - top) / z) * 1000) / 1000,
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
    // A clip shorter than one tempogram window shows only a few periods: say so in the confidence.
    confidence: Math.round(((durationShare * Math.exp(best.score - top)) / z) * 1000) / 1000,
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
