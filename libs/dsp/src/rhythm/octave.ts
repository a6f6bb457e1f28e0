import { sampleAt } from './periodicity';
import type { BandTempograms } from './tempogram';

/**
 * The octave decision: which of the candidate periods (a comb peak and its x2, x1/2, x3, x1/3,
 * x3/2, x2/3 relatives) is the notated beat. Every candidate is described by the same features,
 * the tempogram of each onset group read at simple multiples of the candidate's period (does the
 * pattern repeat at the beat, is the beat divided in two or three, does it group in bars of 2, 3
 * or 4) and its log-tempo, and a small scorer ranks them. The scorer is trained, as the octave
 * steps of Percival & Tzanetakis 2014 and of madmom's and Essentia's learned estimators are: see
 * OctaveModel and bench/analysis/octave-train.ts.
 */

/** Multiples of the candidate's beat period at which each tempogram is read. */
export const OCTAVE_LAG_MULTIPLES: readonly number[] = [1 / 4, 1 / 3, 1 / 2, 2 / 3, 1, 3 / 2, 2, 3, 4];
const LAG_NAMES = ['1/4', '1/3', '1/2', '2/3', '1', '3/2', '2', '3', '4'];
/** Onset groups, as in BandTempograms. */
export const OCTAVE_BANDS = ['all', 'backbone', 'low', 'mid', 'high'] as const;

/** Feature names in vector order. */
export const OCTAVE_FEATURE_NAMES: readonly string[] = [
  'log2(bpm/120)',
  'log2(bpm/120)^2',
  'comb',
  ...OCTAVE_BANDS.flatMap((b) => LAG_NAMES.map((l) => `${b}@${l}`)),
];

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
  const lag = (60 / bpm) * fr;
  const z = Math.log2(bpm / 120);
  const x = new Float64Array(OCTAVE_FEATURE_NAMES.length);
  x[0] = z;
  x[1] = z * z;
  x[2] = logAcf(combSalience(t.all.mean, fr, bpm));
  let k = 3;
  for (const band of OCTAVE_BANDS)
    for (const m of OCTAVE_LAG_MULTIPLES) x[k++] = logAcf(peakNear(t[band].mean, lag * m));
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
