import { sampleAt } from './periodicity';
import type { BandTempograms } from './tempogram';

/**
 * The octave decision: which of the candidate periods (a comb peak and its x2, x1/2, x3, x1/3,
 * x3/2, x2/3 relatives) is the notated beat. Every candidate is described by the same features,
 * the tempogram of each onset group (four flux bands and the tonal flux of the chroma) read at
 * simple multiples of the candidate's period (does the pattern repeat at the beat, is the beat
 * divided in two or three, does it group in bars of 2, 3 or 4), the periodicity spectrum of each
 * at the same periods (acfSpectrum: are accents every two or every three eighths) and its
 * log-tempo, and a small scorer ranks them. The scorer is trained, as the octave
 * steps of Percival & Tzanetakis 2014 and of madmom's and Essentia's learned estimators are: see
 * OctaveModel and bench/analysis/octave-train.ts.
 */

/** Multiples of the candidate's beat period at which each tempogram is read. */
export const OCTAVE_LAG_MULTIPLES: readonly number[] = [1 / 4, 1 / 3, 1 / 2, 2 / 3, 1, 3 / 2, 2, 3, 4];
const LAG_NAMES = ['1/4', '1/3', '1/2', '2/3', '1', '3/2', '2', '3', '4'];
/** Onset groups, as in BandTempograms. */
export const OCTAVE_BANDS = ['all', 'backbone', 'low', 'mid', 'high', 'tonal'] as const;

/** Feature names in vector order: `band@m` the ACF at m beat periods, `band~m` its spectrum at a period of m beats. */
export const OCTAVE_FEATURE_NAMES: readonly string[] = [
  'log2(bpm/120)',
  'log2(bpm/120)^2',
  'comb',
  ...OCTAVE_BANDS.flatMap((b) => LAG_NAMES.map((l) => `${b}@${l}`)),
  ...OCTAVE_BANDS.flatMap((b) => LAG_NAMES.map((l) => `${b}~${l}`)),
];

/**
 * Periodicity spectrum of a (mean, normalised) ACF at a period of `period` frames: the
 * Blackman-Tukey estimate with a Bartlett lag window, after removing the ACF's mean level (the
 * novelty's own mean). Unlike the ACF at that lag, which every faster pulse dividing it also
 * raises (uniform eighths peak at a quarter and at a dotted quarter alike), it answers only to
 * what repeats at that period: accents every two eighths (3/4) or every three (6/8). Divided by
 * the number of lags, so values are comparable across pieces.
 */
export function acfSpectrum(a: Float64Array, period: number, level = acfLevel(a)): number {
  const n = a.length;
  if (n < 3 || !(period > 1)) return 0;
  const w = (2 * Math.PI) / period;
  let s = a[0] - level;
  for (let l = 1; l < n; l++) s += 2 * (1 - l / n) * (a[l] - level) * Math.cos(w * l);
  return s / n;
}

/** Mean of an ACF over its lags after 0 (the level acfSpectrum removes). */
export function acfLevel(a: Float64Array): number {
  let level = 0;
  for (let l = 1; l < a.length; l++) level += a[l];
  return level / (a.length - 1);
}

/** Spectrum values on a log scale: Math.log of a floor plus the positive part. */
const logSpectrum = (x: number): number => Math.log(0.002 + Math.max(0, x));

/** Highest value of `a` within +-2 % of lag `lag` (tempo jitter tolerant lookup). */
export function peakNear(a: Float64Array, lag: number): number {
  const r = Math.max(1, lag * 0.02);
  let m = sampleAt(a, lag);
  for (let i = Math.ceil(lag - r); i <= Math.floor(lag + r); i++)
    if (i >= 0 && i < a.length && a[i] > m) m = a[i];
  return m;
}

/** Comb salience: mean tempogram value at the first four multiples of the beat period. */
export function combSalience(a: Float64Array, frameRate: number, bpm: number): number {
  const lag = (60 / bpm) * frameRate;
  let s = 0;
  let c = 0;
  for (let k = 1; k <= 4 && k * lag < a.length - 1; k++) {
    s += peakNear(a, k * lag);
    c++;
  }
  return c ? s / c : 0;
}

/** Normalised ACF values (-1..1) on a log scale that keeps weak peaks apart. */
const logAcf = (x: number): number => Math.log(0.05 + Math.max(0, x));

/** The feature vector of the candidate `bpm` (order of OCTAVE_FEATURE_NAMES). */
export function octaveFeatures(t: BandTempograms, bpm: number): Float64Array {
  const fr = t.all.frameRate;
  const z = Math.log2(bpm / 120);
  const x = new Float64Array(OCTAVE_FEATURE_NAMES.length);
  x[0] = z;
  x[1] = z * z;
  x[2] = logAcf(combSalience(t.all.mean, fr, bpm));
  let k = 3;
  // the beat period in each tempogram's frames (the tonal one runs at the chroma's rate)
  const lagIn = (band: (typeof OCTAVE_BANDS)[number]): number => (60 / bpm) * t[band].frameRate;
  for (const band of OCTAVE_BANDS)
    for (const m of OCTAVE_LAG_MULTIPLES) x[k++] = logAcf(peakNear(t[band].mean, lagIn(band) * m));
  for (const band of OCTAVE_BANDS) {
    const level = acfLevel(t[band].mean);
    for (const m of OCTAVE_LAG_MULTIPLES)
      x[k++] = logSpectrum(acfSpectrum(t[band].mean, lagIn(band) * m, level));
  }
  return x;
}

/**
 * A scorer of feature vectors: standardisation, then a linear term plus one hidden layer of tanh
 * units. Higher is more likely the notated beat; scores compare candidates of one piece only.
 */
export interface OctaveModel {
  /** OCTAVE_FEATURE_NAMES at training time (checked on load). */
  readonly features: readonly string[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly linear: readonly number[];
  readonly hidden: readonly {
    readonly weights: readonly number[];
    readonly bias: number;
    readonly out: number;
  }[];
  /** How the model was made (data, seeds, settings, accuracy): provenance for the reader. */
  readonly trainedOn: string;
}

export function octaveScore(model: OctaveModel, x: Float64Array): number {
  const n = model.mean.length;
  const z = new Float64Array(n);
  for (let j = 0; j < n; j++) z[j] = (x[j] - model.mean[j]) / model.scale[j];
  let s = 0;
  for (let j = 0; j < n; j++) s += model.linear[j] * z[j];
  for (const h of model.hidden) {
    let a = h.bias;
    for (let j = 0; j < n; j++) a += h.weights[j] * z[j];
    s += h.out * Math.tanh(a);
  }
  return s;
}

/** Throws when a model was trained on other features than this code computes. */
export function checkOctaveModel(model: OctaveModel): void {
  const names = OCTAVE_FEATURE_NAMES;
  const same =
    model.features.length === names.length &&
    model.features.every((f, i) => f === names[i]) &&
    model.mean.length === names.length &&
    model.scale.length === names.length &&
    model.linear.length === names.length &&
    model.hidden.every((h) => h.weights.length === names.length);
  if (!same)
    throw new Error(
      'octave model does not match OCTAVE_FEATURE_NAMES: retrain it (bench/analysis/octave-train.ts)',
    );
}
