import type { Hertz, Seconds } from '../units';
import { BeatTracker } from './beats';
import { estimateMetre, type TimeSignature } from './metre';
import { OnsetAnalyzer, type OnsetFeatures } from './onset';
import { MonoDownsampler } from './resample';
import {
  DEFAULT_TEMPO_PRIOR,
  TEMPO_AGREEMENT_CONFIDENCE,
  TEMPO_FALLBACK_CONFIDENCE,
  forEachBeatNovelty,
  estimateTempo,
  type TempoEstimate,
  type TempoPrior,
} from './tempo';

export interface RhythmAnalyzerOptions {
  readonly sampleRate: Hertz;
  /** Hard tempo limits [min, max] in BPM; default [40, 250] (the octave model chooses within them). */
  readonly bpmRange?: readonly [number, number];
  /** Expected duration of the input, when known: the feature buffers are sized for it up front. */
  readonly expectedSeconds?: Seconds;
}

export interface RhythmResult {
  readonly tempo: TempoEstimate;
  /** Beat times in seconds. */
  readonly beats: number[];
  readonly downbeats: number[];
  readonly beatsPerBar: number;
  readonly timeSignature: TimeSignature;
  readonly beatSubdivision: 2 | 3;
}

/** Internal analysis rate: 44.1/48 kHz input is decimated by 2 (hats and cymbals up to 10 kHz stay in). */
const ANALYSIS_RATE: Hertz = 22050;

/**
 * Streaming tempo, beat, downbeat and metre analysis. `process` computes onset flux (86 frames per
 * second) and accumulates the tempograms and Percival's window periods as it goes; it keeps the
 * full-band flux (4 bytes per frame, 1.2 MB per hour) for the beat tracker and the band envelopes
 * and spectra of the first METRE_FEATURE_SECONDS for the metre. `result` runs the global estimation
 * (octave decision, Ellis dynamic-programming beat tracking that settles beats as it goes,
 * beat-synchronous metre analysis). Memory beyond the first ten minutes grows by the flux and one
 * ACF per 2.5 s tempogram window (about 3.5 MB per hour).
 */
export class RhythmAnalyzer {
  readonly sampleRate: Hertz;
  private readonly prior: TempoPrior;
  private readonly downsampler: MonoDownsampler;
  private readonly onsets: OnsetAnalyzer;

  constructor(options: RhythmAnalyzerOptions) {
    if (!(options.sampleRate >= 8000 && options.sampleRate <= 768000)) {
      throw new RangeError(`sampleRate out of range: ${options.sampleRate}`);
    }
    this.sampleRate = options.sampleRate;
    if (options.bpmRange) {
      const [lo, hi] = options.bpmRange;
      if (!(lo >= 20 && hi <= 400 && hi > lo * 1.2))
        throw new RangeError(`bpmRange must be within [20, 400] and span > 20 %, got [${lo}, ${hi}]`);
      this.prior = { ...DEFAULT_TEMPO_PRIOR, minBpm: lo, maxBpm: hi };
    } else {
      this.prior = DEFAULT_TEMPO_PRIOR;
    }
    this.downsampler = new MonoDownsampler(options.sampleRate, ANALYSIS_RATE);
    this.onsets = new OnsetAnalyzer(this.downsampler.outputRate, this.downsampler.delaySeconds);
    if (options.expectedSeconds) this.onsets.reserve(options.expectedSeconds);
  }

  process(block: readonly Float32Array[]): void {
    this.onsets.process(this.downsampler.process(block));
  }

  reset(): void {
    this.downsampler.reset();
    this.onsets.reset();
  }

  features(): OnsetFeatures {
    return this.onsets.features();
  }

  result(): RhythmResult {
    const f = this.onsets.featureViews();
    // Percival & Tzanetakis 2014 steps 2-3 on the same onset envelope (86 frames/s, fractional
    // periods): the second opinion for clips where the tempogram is unsure.
    return analyseRhythm(f, this.prior, f.percival.bpm);
  }
}

/**
 * @param percivalBpm tempo of the Percival & Tzanetakis 2014 estimator over the same audio, used
 *   when the tempogram is unsure (see TempoFallback); 0 or omitted: tempogram only.
 */
export function analyseRhythm(
  f: OnsetFeatures,
  prior: TempoPrior = DEFAULT_TEMPO_PRIOR,
  percivalBpm = 0,
): RhythmResult {
  const tempo = estimateTempo(
    f,
    prior,
    undefined,
    percivalBpm > 0
      ? {
          bpm: percivalBpm,
          belowConfidence: TEMPO_FALLBACK_CONFIDENCE,
          agreeingBelowConfidence: TEMPO_AGREEMENT_CONFIDENCE,
        }
      : undefined,
  );
  const empty: RhythmResult = {
    tempo,
    beats: [],
    downbeats: [],
    beatsPerBar: 4,
    timeSignature: '4/4',
    beatSubdivision: 2,
  };
  if (!(tempo.bpm > 0)) return empty;
  const tracker = new BeatTracker({ ...periodTrack(f, tempo), frameRate: f.frameRate });
  forEachBeatNovelty(f.all, f.frameRate, (v) => tracker.push(v));
  const beatFrames = tracker.finish();
  // the metre is read where the band features were kept (see METRE_FEATURE_SECONDS)
  let inMetre = 0;
  while (inMetre < beatFrames.length && beatFrames[inMetre] < f.low.length) inMetre++;
  const metre = estimateMetre(f, beatFrames.subarray(0, inMetre));
  const toTime = (fr: number): number => f.startTime + fr / f.frameRate;
  const beats = Array.from(beatFrames, (b) => Math.round(toTime(b) * 1000) / 1000);
  let bpm = tempo.bpm;
  if (beats.length >= 8) bpm = tempo.steady ? refineBpm(beats, bpm) : medianBpm(beats, bpm);
  const downbeats: number[] = [];
  for (let i = metre.firstDownbeat; i < beats.length; i += metre.beatsPerBar) downbeats.push(beats[i]);
  return {
    tempo: { ...tempo, bpm },
    beats,
    downbeats,
    beatsPerBar: metre.beatsPerBar,
    timeSignature: metre.timeSignature,
    beatSubdivision: metre.subdivision,
  };
}

/**
 * Beat period in frames at every frame: constant, or interpolated along the tempo curve; its
 * largest value, and the period the tracker's smoothing kernel is sized for (the median of the
 * curve's points).
 */
function periodTrack(
  f: OnsetFeatures,
  tempo: TempoEstimate,
): { periodAt: (frame: number) => number; maxPeriod: number; kernelPeriod: number } {
  const constant = (60 / tempo.bpm) * f.frameRate;
  const curve = tempo.curve;
  if (!curve || curve.length < 2)
    return { periodAt: () => constant, maxPeriod: constant, kernelPeriod: constant };
  const periods = curve.map((p) => (60 / p.bpm) * f.frameRate).sort((a, b) => a - b);
  let j = 0;
  const periodAt = (frame: number): number => {
    const t = f.startTime + frame / f.frameRate;
    // frames come in increasing order; step back when asked for an earlier one
    while (j > 0 && curve[j].timeSeconds > t) j--;
    while (j + 1 < curve.length && curve[j + 1].timeSeconds <= t) j++;
    let bpm: number;
    if (t <= curve[0].timeSeconds) bpm = curve[0].bpm;
    else if (j + 1 >= curve.length) bpm = curve[curve.length - 1].bpm;
    else {
      const a = curve[j];
      const b = curve[j + 1];
      bpm = a.bpm + ((t - a.timeSeconds) / (b.timeSeconds - a.timeSeconds)) * (b.bpm - a.bpm);
    }
    return (60 / bpm) * f.frameRate;
  };
  return { periodAt, maxPeriod: periods[periods.length - 1], kernelPeriod: periods[periods.length >> 1] };
}

/** Tempo of a non-steady performance: 60 / median inter-beat interval. */
function medianBpm(beats: number[], bpm: number): number {
  const ibi = beats
    .slice(1)
    .map((b, i) => b - beats[i])
    .sort((a, b) => a - b);
  const m = ibi[ibi.length >> 1];
  const v = 60 / m;
  return Math.abs(Math.log(v / bpm)) < 0.08 ? Math.round(v * 10) / 10 : bpm;
}

/** Least-squares slope of beat time against beat index, within 4 % of the periodicity estimate. */
function refineBpm(beats: number[], bpm: number): number {
  const n = beats.length;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += i;
    sy += beats[i];
    sxx += i * i;
    sxy += i * beats[i];
  }
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const refined = 60 / slope;
  if (!(Math.abs(Math.log(refined / bpm)) < 0.04)) return bpm;
  return Math.round(refined * 10) / 10;
}
