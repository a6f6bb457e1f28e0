import { MonoDownsampler } from '../rhythm/resample';
import type { Hertz } from '../units';
import { CHROMA_DEFAULTS, ChromaAnalyzer, FINE_BINS, type TuningSum } from './chroma';
import { camelotOf, keyLabelOf, openKeyOf, tonicName, type KeyMode, type Tonic } from './notation';
import { KEY_PROFILES, correlateKeys, pearson, type KeyProfileName } from './profiles';

export interface KeyRunnerUp {
  readonly tonic: Tonic;
  readonly mode: KeyMode;
  readonly label: string;
  readonly score: number;
}

export interface KeyEstimate {
  readonly tonic: Tonic;
  readonly mode: KeyMode;
  /** e.g. "F# minor" */
  readonly label: string;
  /** e.g. "11A" */
  readonly camelot: string;
  /** e.g. "4m" */
  readonly openKey: string;
  /** 0..1 */
  readonly confidence: number;
  readonly runnerUp: KeyRunnerUp;
}

export interface KeyResult {
  readonly key: KeyEstimate;
  /** Estimated reference frequency of A4. */
  readonly tuningHz: Hertz;
}

export interface KeyMethod {
  /** Profiles whose correlations are averaged (an ensemble is more robust than any one). */
  readonly profiles: readonly KeyProfileName[];
  /** Weight of each frequency region's chroma (see CHROMA_DEFAULTS.regionEdges). */
  readonly regionWeights: readonly number[];
  /** Per-frame normalisation before averaging. */
  readonly frameNorm: 'none' | 'max' | 'sum';
  /** Exponent applied to every chroma bin before averaging (1 = magnitude, 0.5 = compressed). */
  readonly exponent: number;
  /** Seconds of sound at the start whose chroma is matched against each key's tonic triad. */
  readonly openingSeconds: number;
  /** Weight of that opening-tonic cue added to the profile correlation (0 disables it). */
  readonly openingWeight: number;
  /**
   * Sound starts at the first frame whose chroma energy exceeds this fraction of the median frame
   * (0.1: 20 dB below it, so a fade-in or a quiet intro opens where it starts, not seconds later).
   */
  readonly openingGate: number;
}

/**
 * Chosen by measurement on the tuning part of the synthetic set (bench/analysis, see README):
 * ensemble of Bellman-Budge, Sha'ath and Faraldo's bgate profiles over max-normalised frames, with
 * the region below 130 Hz (kick and bass fundamentals, poorly resolved) weighted 0.25. The opening
 * cue (tonic triad in the first 2 s of sound, weight 0.25) decides between keys that share their
 * pitch content (an aeolian loop and its relative major); its weight was chosen on the tuning split
 * (0.15-0.3 all scored 0.96-0.97 there and on the held-out split) and the smallest weight that
 * passes the Am-F-C-G / C-G-Am-F known-answer pair in the unit spec. The opening gate was 0.25
 * (6 dB below the median) until fade-in copies were seen opening on their second chord; 0.1 and
 * 0.03 both fixed those (and a piece with a quiet intro) on the default set and on a set rendered
 * with seed 7, 0.03 let noise-only lead-ins open one noisy copy; 0.1 was kept, and checked on a
 * third set (seed 11) chosen afterwards.
 */
export const DEFAULT_KEY_METHOD: KeyMethod = Object.freeze({
  profiles: Object.freeze<KeyProfileName[]>(['bellman', 'shaath', 'bgate']),
  regionWeights: Object.freeze<number[]>([0.25, 1]),
  frameNorm: 'max',
  exponent: 1,
  openingSeconds: 2,
  openingWeight: 0.25,
  openingGate: 0.1,
});

export interface KeyAnalyzerOptions {
  readonly sampleRate: Hertz;
  readonly method?: Partial<KeyMethod>;
}

/** Internal analysis rate: 44.1 kHz input is decimated by 8. */
const KEY_ANALYSIS_RATE: Hertz = 5512.5;

/**
 * Streaming key and tuning analysis: downmix, decimate to about 5.5 kHz, spectral-peak pitch-class
 * histograms per frame (see ChromaAnalyzer) folded into 12-bin chroma as they come (see KeyChroma);
 * `result` estimates the tuning (circular mean of peak deviations from the equal-tempered grid)
 * and correlates the chroma at that tuning with major/minor key profiles (Krumhansl-Schmuckler
 * method with the profile set chosen by measurement, see DEFAULT_KEY_METHOD). Memory does not grow
 * with the input.
 */
export class KeyAnalyzer {
  readonly sampleRate: Hertz;
  private readonly method: KeyMethod;
  private readonly downsampler: MonoDownsampler;
  private readonly chroma: ChromaAnalyzer;
  private readonly summary: KeyChroma;

  constructor(options: KeyAnalyzerOptions) {
    if (!(options.sampleRate >= 8000 && options.sampleRate <= 768000)) {
      throw new RangeError(`sampleRate out of range: ${options.sampleRate}`);
    }
    this.sampleRate = options.sampleRate;
    this.method = { ...DEFAULT_KEY_METHOD, ...options.method };
    for (const p of this.method.profiles)
      if (!KEY_PROFILES[p]) throw new RangeError(`unknown key profile ${p}`);
    if (this.method.profiles.length === 0) throw new RangeError('at least one key profile is needed');
    // the chroma reads peaks up to its top region edge: keep the Nyquist frequency 5 % above it
    // (8, 16, 32 and 64 kHz inputs are analysed at 8 kHz instead of 4 kHz)
    const topEdge = CHROMA_DEFAULTS.regionEdges[CHROMA_DEFAULTS.regionEdges.length - 1];
    this.downsampler = new MonoDownsampler(options.sampleRate, KEY_ANALYSIS_RATE, 2 * 1.05 * topEdge);
    const rate = this.downsampler.outputRate;
    const summary = new KeyChroma(
      this.method,
      rate / CHROMA_DEFAULTS.hop,
      CHROMA_DEFAULTS.regionEdges.length - 1,
    );
    this.chroma = new ChromaAnalyzer(rate, (fine) => summary.add(fine));
    this.summary = summary;
  }

  process(block: readonly Float32Array[]): void {
    this.chroma.process(this.downsampler.process(block));
  }

  reset(): void {
    this.downsampler.reset();
    this.chroma.reset();
    this.summary.reset();
  }

  result(): KeyResult {
    const cents = estimateTuningCents(this.chroma.tuning());
    const tuningHz = Math.round(440 * Math.pow(2, cents / 1200) * 10) / 10;
    const { chroma, opening } = this.summary.result(cents);
    return {
      key: keyFromChroma(chroma, this.method.profiles, opening, this.method.openingWeight),
      tuningHz,
    };
  }
}

/** Tuning offset in cents from the A440 grid (-50..50) from the circular mean of peak deviations. */
export function estimateTuningCents(t: TuningSum): number {
  if (t.re === 0 && t.im === 0) return 0;
  return (100 * Math.atan2(t.im, t.re)) / (2 * Math.PI);
}

/**
 * Fine bin -> semitone of the grid tuned by `tuningCents`, with its cos^2 weight (window one
 * semitone wide: every fine bin falls in one semitone's window, or none on the exact edge).
 */
export interface Folding {
  readonly semitone: Int8Array;
  readonly weight: Float64Array;
}

export function folding(tuningCents: number): Folding {
  const bps = CHROMA_DEFAULTS.binsPerSemitone;
  const semitone = new Int8Array(FINE_BINS).fill(-1);
  const weight = new Float64Array(FINE_BINS);
  for (let b = 0; b < FINE_BINS; b++) {
    const semis = b / bps - tuningCents / 100;
    for (let s = 0; s < 12; s++) {
      let x = semis - s;
      x -= 12 * Math.round(x / 12);
      if (Math.abs(x) < 0.5) {
        const c = Math.cos(Math.PI * x);
        semitone[b] = s;
        weight[b] = c * c;
      }
    }
  }
  return { semitone, weight };
}

/** Folds one frame's fine histograms (`regions * FINE_BINS`) into `out` (12 bins), regions weighted. */
export function foldFrame(
  fine: ArrayLike<number>,
  offset: number,
  regions: number,
  fold: Folding,
  regionWeights: readonly number[],
  out: Float64Array,
): void {
  out.fill(0);
  for (let r = 0; r < regions; r++) {
    const w = regionWeights[r] ?? 1;
    if (w === 0) continue;
    const base = offset + r * FINE_BINS;
    for (let b = 0; b < FINE_BINS; b++) {
      const s = fold.semitone[b];
      const v = fine[base + b];
      if (s >= 0 && v !== 0) out[s] += v * w * fold.weight[b];
    }
  }
}

/** Tunings (cents) at which KeyChroma folds every frame: -50..50 in 5-cent steps. */
const TUNING_GRID_STEP = 5;
const TUNING_GRID = Array.from({ length: 100 / TUNING_GRID_STEP + 1 }, (_, i) => -50 + i * TUNING_GRID_STEP);
/** Frame energies are counted in log bins of 1 % for the median the opening gate needs. */
const ENERGY_BIN = Math.log(1.01);
const ENERGY_LOG_MIN = Math.log(1e-9);
const ENERGY_BINS = Math.ceil((Math.log(1e9) - ENERGY_LOG_MIN) / ENERGY_BIN);
/** Frames of the start kept whole for the opening cue (its gate is only known at the end). */
export const OPENING_SEARCH_SECONDS = 120;

/**
 * The chroma the key is read from, accumulated frame by frame in bounded memory. The tuning is
 * only known at the end (a circular mean over the whole input), so every frame is folded at 21
 * tunings 5 cents apart and the average of each kept; the result interpolates between the two
 * nearest (the cos^2 folding changes smoothly with the tuning). The opening cue needs the frames
 * from the first one above a gate (openingGate times the median frame energy, counted in a 1 % log
 * histogram per tuning) for `openingSeconds`: the first OPENING_SEARCH_SECONDS of frames are kept
 * for it; music that starts later gets no opening cue.
 */
export class KeyChroma {
  private readonly folds: Folding[];
  private readonly averages: Float64Array[];
  private readonly energyCounts: Uint32Array[];
  private readonly zeroEnergy: Uint32Array;
  private readonly frame12 = new Float64Array(12);
  private readonly start: Float32Array;
  private readonly frameSize: number;
  private frames = 0;

  constructor(
    private readonly method: KeyMethod,
    private readonly frameRate: Hertz,
    private readonly regions: number,
  ) {
    this.folds = TUNING_GRID.map(folding);
    this.averages = TUNING_GRID.map(() => new Float64Array(12));
    this.energyCounts = TUNING_GRID.map(() => new Uint32Array(ENERGY_BINS));
    this.zeroEnergy = new Uint32Array(TUNING_GRID.length);
    this.frameSize = regions * FINE_BINS;
    this.start = new Float32Array(Math.ceil(OPENING_SEARCH_SECONDS * frameRate) * this.frameSize);
  }

  reset(): void {
    for (const a of this.averages) a.fill(0);
    for (const c of this.energyCounts) c.fill(0);
    this.zeroEnergy.fill(0);
    this.frames = 0;
  }

  add(fine: Float64Array): void {
    const m = this.method;
    const c = this.frame12;
    for (let g = 0; g < TUNING_GRID.length; g++) {
      foldFrame(fine, 0, this.regions, this.folds[g], m.regionWeights, c);
      let energy = 0;
      let peak = 0;
      for (let s = 0; s < 12; s++) {
        energy += c[s];
        if (c[s] > peak) peak = c[s];
      }
      if (energy > 0) {
        const bin = Math.floor((Math.log(energy) - ENERGY_LOG_MIN) / ENERGY_BIN);
        this.energyCounts[g][Math.max(0, Math.min(ENERGY_BINS - 1, bin))]++;
      } else {
        this.zeroEnergy[g]++;
      }
      const norm = m.frameNorm === 'max' ? peak : m.frameNorm === 'sum' ? energy : 1;
      if (!(norm > 0)) continue;
      const avg = this.averages[g];
      const scale = 1 / norm;
      if (m.exponent === 1) for (let s = 0; s < 12; s++) avg[s] += c[s] * scale;
      else for (let s = 0; s < 12; s++) avg[s] += Math.pow(c[s] * scale, m.exponent);
    }
    if ((this.frames + 1) * this.frameSize <= this.start.length)
      this.start.set(fine, this.frames * this.frameSize);
    this.frames++;
  }

  /** The average chroma at `tuningCents` and the opening chroma (null without one). */
  result(tuningCents: number): { chroma: Float64Array; opening: Float64Array | null } {
    const pos = (Math.max(-50, Math.min(50, tuningCents)) + 50) / TUNING_GRID_STEP;
    const g0 = Math.min(TUNING_GRID.length - 2, Math.floor(pos));
    const frac = pos - g0;
    const chroma = new Float64Array(12);
    for (let s = 0; s < 12; s++)
      chroma[s] = (1 - frac) * this.averages[g0][s] + frac * this.averages[g0 + 1][s];
    const opening = this.method.openingWeight > 0 ? this.opening(tuningCents, Math.round(pos)) : null;
    return { chroma, opening };
  }

  /** Median frame energy at grid tuning `g` (upper median, to the histogram's 1 %). */
  private medianEnergy(g: number): number {
    const half = this.frames >> 1;
    let seen = this.zeroEnergy[g];
    if (seen > half) return 0;
    const counts = this.energyCounts[g];
    for (let b = 0; b < ENERGY_BINS; b++) {
      seen += counts[b];
      if (seen > half) return Math.exp(ENERGY_LOG_MIN + (b + 0.5) * ENERGY_BIN);
    }
    return 0;
  }

  /**
   * Chroma of the first `openingSeconds` of sound (frames before the music starts are skipped):
   * pieces open on their tonic chord far more often than on any other (the opening and the final
   * cadence are the classic tonic cues of symbolic key finding, e.g. Longuet-Higgins & Steedman
   * 1971), which is what tells a minor loop i-VI-III-VII from its relative major when the pitch
   * content is the same.
   */
  private opening(tuningCents: number, grid: number): Float64Array | null {
    const kept = Math.min(this.frames, this.start.length / this.frameSize);
    if (kept === 0) return null;
    const fold = folding(tuningCents);
    const gate = this.method.openingGate * this.medianEnergy(grid);
    const count = Math.max(1, Math.round(this.method.openingSeconds * this.frameRate));
    const c = new Float64Array(12);
    const out = new Float64Array(12);
    let first = -1;
    let used = 0;
    for (let t = 0; t < kept && used < count; t++) {
      foldFrame(this.start, t * this.frameSize, this.regions, fold, this.method.regionWeights, c);
      let e = 0;
      for (let s = 0; s < 12; s++) e += c[s];
      if (first < 0) {
        if (!(e > gate)) continue;
        first = t;
      }
      used++;
      if (!(e > 0)) continue;
      for (let s = 0; s < 12; s++) out[s] += c[s] / e;
    }
    return first >= 0 && used === count ? out : null;
  }
}

const TRIAD_MAJOR = [1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0];
const TRIAD_MINOR = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0];

export function keyFromChroma(
  chroma: ArrayLike<number>,
  profiles: readonly KeyProfileName[],
  opening: ArrayLike<number> | null = null,
  openingWeight = 0,
): KeyEstimate {
  const sum = new Float64Array(24);
  for (const p of profiles) {
    for (const s of correlateKeys(chroma, KEY_PROFILES[p]))
      sum[(s.mode === 'major' ? 0 : 12) + s.pitchClass] += s.score / profiles.length;
  }
  if (opening && openingWeight > 0) {
    const rotated = new Array<number>(12);
    for (let i = 0; i < 24; i++) {
      const triad = i < 12 ? TRIAD_MAJOR : TRIAD_MINOR;
      for (let k = 0; k < 12; k++) rotated[(k + i) % 12] = triad[k];
      sum[i] += openingWeight * pearson(opening, rotated);
    }
  }
  const scores = Array.from(sum, (score, i) => {
    const mode: KeyMode = i < 12 ? 'major' : 'minor';
    return { pitchClass: i % 12, mode, score };
  }).sort((a, b) => b.score - a.score);
  const best = scores[0];
  const second = scores[1];
  // Margin between the two best correlations, mapped to 0..1 (0.1 of correlation is a clear win).
  const confidence =
    Math.max(0, Math.min(1, (best.score - second.score) / 0.1)) * Math.max(0, Math.min(1, best.score));
  return {
    tonic: tonicName(best.pitchClass),
    mode: best.mode,
    label: keyLabelOf(best.pitchClass, best.mode),
    camelot: camelotOf(best.pitchClass, best.mode),
    openKey: openKeyOf(best.pitchClass, best.mode),
    confidence: Math.round(confidence * 1000) / 1000,
    runnerUp: {
      tonic: tonicName(second.pitchClass),
      mode: second.mode,
      label: keyLabelOf(second.pitchClass, second.mode),
      score: Math.round(second.score * 1000) / 1000,
    },
  };
}
