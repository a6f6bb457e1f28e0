import { dbToGain, type Decibels, type Hertz, type Seconds } from '../../units';

export type CompressorDetector = 'rms' | 'peak';

export interface CompressorOptions {
  readonly sampleRate: Hertz;
  readonly channels: number;
  /** Level where compression starts (centre of the knee), dB re full-scale amplitude. */
  readonly threshold?: Decibels;
  readonly ratio?: number;
  /** Width of the soft knee, dB (0 = hard knee). */
  readonly knee?: Decibels;
  readonly attack?: Seconds;
  readonly release?: Seconds;
  readonly makeup?: Decibels;
  /** 'rms': mean square over `rmsWindow` (a full-scale sine reads -3 dB); 'peak': |x|. */
  readonly detector?: CompressorDetector;
  readonly rmsWindow?: Seconds;
}

export const COMPRESSOR_DEFAULTS: Readonly<Required<Omit<CompressorOptions, 'sampleRate' | 'channels'>>> =
  Object.freeze({
    threshold: -20,
    ratio: 2,
    knee: 6,
    attack: 0.02,
    release: 0.25,
    makeup: 0,
    detector: 'rms',
    rmsWindow: 0.05,
  });

/**
 * Static curve of a soft-knee compressor: gain (dB, <= 0) for an input level (dB), after
 * Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor Design - A Tutorial and
 * Analysis", JAES 60(6), 2012, eq. 4 (quadratic knee of width W around threshold T).
 */
export function compressorGainDb(
  level: Decibels,
  threshold: Decibels,
  ratio: number,
  knee: Decibels,
): Decibels {
  const over = level - threshold;
  if (2 * over <= -knee) return 0;
  if (knee > 0 && 2 * over < knee) {
    const t = over + knee / 2;
    return ((1 / ratio - 1) * t * t) / (2 * knee);
  }
  return (1 / ratio - 1) * over;
}

/**
 * Gentle program compressor, feed-forward, stereo-linked (one gain for all channels), after
 * Giannoulis, Massberg & Reiss 2012: level detection (RMS: one-pole mean square of the channels'
 * mean power; peak: max |x| over channels), soft-knee gain computer in dB, then the "smooth
 * branching" attack/release filter on the gain in dB, then makeup. No look-ahead, no latency.
 */
export class Compressor {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly threshold: Decibels;
  readonly ratio: number;
  readonly knee: Decibels;
  readonly makeup: Decibels;
  readonly detector: CompressorDetector;
  private readonly attackCoef: number;
  private readonly releaseCoef: number;
  private readonly rmsCoef: number;
  /** Below this detector value (mean square or |x|) the gain computer returns exactly 0 dB. */
  private readonly quietBelow: number;
  private meanSquare = 0;
  private gainDb = 0;
  private maxReduction = 0;

  constructor(options: CompressorOptions) {
    const o = { ...COMPRESSOR_DEFAULTS, ...options };
    if (!(o.sampleRate > 0)) throw new RangeError(`sample rate must be > 0, got ${o.sampleRate}`);
    if (!Number.isInteger(o.channels) || o.channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${o.channels}`);
    }
    if (!(o.threshold >= -80 && o.threshold <= 0))
      throw new RangeError(`threshold must be in [-80, 0] dB, got ${o.threshold}`);
    if (!(o.ratio >= 1 && o.ratio <= 20)) throw new RangeError(`ratio must be in [1, 20], got ${o.ratio}`);
    if (!(o.knee >= 0 && o.knee <= 24)) throw new RangeError(`knee must be in [0, 24] dB, got ${o.knee}`);
    if (!(o.attack >= 0.0001 && o.attack <= 1))
      throw new RangeError(`attack must be in [0.0001, 1] s, got ${o.attack}`);
    if (!(o.release >= 0.001 && o.release <= 5))
      throw new RangeError(`release must be in [0.001, 5] s, got ${o.release}`);
    if (!(o.makeup >= -24 && o.makeup <= 24))
      throw new RangeError(`makeup must be in [-24, 24] dB, got ${o.makeup}`);
    if (o.detector !== 'rms' && o.detector !== 'peak')
      throw new RangeError(`unknown detector '${String(o.detector)}'`);
    if (!(o.rmsWindow >= 0.001 && o.rmsWindow <= 1)) {
      throw new RangeError(`rmsWindow must be in [0.001, 1] s, got ${o.rmsWindow}`);
    }
    this.sampleRate = o.sampleRate;
    this.channels = o.channels;
    this.threshold = o.threshold;
    this.ratio = o.ratio;
    this.knee = o.knee;
    this.makeup = o.makeup;
    this.detector = o.detector;
    this.attackCoef = Math.exp(-1 / (o.attack * o.sampleRate));
    this.releaseCoef = Math.exp(-1 / (o.release * o.sampleRate));
    this.rmsCoef = Math.exp(-1 / (o.rmsWindow * o.sampleRate));
    const kneeStart = o.threshold - o.knee / 2;
    this.quietBelow = o.detector === 'rms' ? Math.pow(10, kneeStart / 10) : Math.pow(10, kneeStart / 20);
  }

  /** Largest gain reduction applied so far (dB, >= 0, makeup excluded). */
  get maxGainReductionDb(): Decibels {
    return this.maxReduction;
  }

  /** Compresses one planar block in place. */
  process(block: Float32Array[]): void {
    const nch = this.channels;
    if (block.length !== nch) throw new RangeError(`expected ${nch} channels, got ${block.length}`);
    const frames = block[0].length;
    for (const ch of block) {
      if (ch.length !== frames) throw new RangeError('all channels of a block must have the same length');
    }
    const rms = this.detector === 'rms';
    const invCh = 1 / nch;
    const aA = this.attackCoef;
    const aR = this.releaseCoef;
    const aM = this.rmsCoef;
    const quiet = this.quietBelow;
    const threshold = this.threshold;
    const slope = 1 / this.ratio - 1;
    const knee = this.knee;
    const makeupGain = dbToGain(this.makeup);
    let ms = this.meanSquare;
    let y = this.gainDb;
    let maxRed = this.maxReduction;
    for (let n = 0; n < frames; n++) {
      let d = 0;
      if (rms) {
        let p = 0;
        for (let c = 0; c < nch; c++) {
          const v = block[c][n];
          p += v * v;
        }
        ms = aM * ms + (1 - aM) * p * invCh + 1e-30;
        d = ms;
      } else {
        for (let c = 0; c < nch; c++) {
          const v = Math.abs(block[c][n]);
          if (v > d) d = v;
        }
      }
      let gc = 0;
      if (d > quiet) {
        const level = rms ? 10 * Math.log10(d) : 20 * Math.log10(d);
        const over = level - threshold;
        if (knee > 0 && 2 * over < knee) {
          const t = over + knee / 2;
          gc = (slope * t * t) / (2 * knee);
        } else {
          gc = slope * over;
        }
      }
      if (gc < y) y = aA * y + (1 - aA) * gc;
      else y = aR * y + (1 - aR) * gc;
      if (gc === 0 && y > -1e-6) y = 0;
      if (-y > maxRed) maxRed = -y;
      const g = y === 0 ? makeupGain : makeupGain * Math.pow(10, y / 20);
      if (g !== 1) for (let c = 0; c < nch; c++) block[c][n] *= g;
    }
    this.meanSquare = ms;
    this.gainDb = y;
    this.maxReduction = maxRed;
  }

  reset(): void {
    this.meanSquare = 0;
    this.gainDb = 0;
    this.maxReduction = 0;
  }
}
