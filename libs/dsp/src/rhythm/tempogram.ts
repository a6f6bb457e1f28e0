import type { Hertz } from '../units';
import { autocorrelation } from './periodicity';
import { FluxNovelty, SlidingValues } from './sliding-values';

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
  readonly local: Float32Array[];
  readonly centres: number[];
}

export const TEMPOGRAM_DEFAULTS = Object.freeze({
  windowSeconds: 10,
  hopSeconds: 2.5,
  maxLagSeconds: 4.5,
  /** Half-width of the centred moving average the novelty is taken above. */
  noveltyMeanSeconds: 0.25,
});

interface WindowSums {
  sum: Float64Array;
  count: number;
  local: Float32Array[];
  centres: number[];
}

/**
 * Streaming windowed-ACF tempogram of an onset-flux signal: the novelty is the flux above its
 * centred moving average (half-wave rectified), each 10 s window (every 2.5 s) is autocorrelated
 * and normalised by its lag-0 value, so the result does not depend on the signal's scale. Keeps a
 * window and a half of values (and, with `keepLocal`, one ACF per window for the tempo curve): memory
 * does not grow with the input otherwise. `result` is what a batch computation over everything
 * pushed so far gives, and leaves the accumulator able to go on.
 */
export class TempogramAccumulator {
  readonly frameRate: Hertz;
  private readonly win: number;
  private readonly hop: number;
  private readonly half: number;
  private readonly maxLag: number;
  private readonly flux: FluxNovelty;
  /** Stores each novelty value as it comes out of `flux` (one callback, not one per frame). */
  private readonly keepNovelty: (v: number) => void;
  private readonly novelty: SlidingValues;
  private pushed = 0;
  private nextStart = 0;
  private readonly acc: WindowSums;

  constructor(
    frameRate: Hertz,
    private readonly keepLocal = false,
  ) {
    const d = TEMPOGRAM_DEFAULTS;
    this.frameRate = frameRate;
    this.win = Math.round(d.windowSeconds * frameRate);
    this.hop = Math.round(d.hopSeconds * frameRate);
    this.half = Math.round(d.noveltyMeanSeconds * frameRate);
    this.maxLag = fullMaxLag(frameRate, this.win);
    this.acc = { sum: new Float64Array(this.maxLag + 1), count: 0, local: [], centres: [] };
    this.flux = new FluxNovelty(this.half);
    this.keepNovelty = (v) => this.novelty.push(v);
    this.novelty = SlidingValues.float64(2 * (this.win + this.hop));
  }

  push(value: number): void {
    this.flux.push(value, this.keepNovelty);
    this.pushed++;
    while (this.nextStart + this.win <= this.novelty.end) {
      this.addWindow(this.novelty.view(this.nextStart, this.win), this.nextStart, this.maxLag, this.acc);
      this.nextStart += this.hop;
    }
    this.novelty.dropBefore(this.nextStart);
  }

  result(): Tempogram {
    const n = this.pushed;
    // the novelty held back (moving average truncated at the end), without changing the state
    const from = this.nextStart;
    const novelty = new Float64Array(n - from);
    novelty.set(this.novelty.view(from, this.novelty.end - from));
    this.flux.drain((v, i) => (novelty[i - from] = v));
    const acc: WindowSums = {
      sum: Float64Array.from(this.acc.sum),
      count: this.acc.count,
      local: [...this.acc.local],
      centres: [...this.acc.centres],
    };
    let maxLag = this.maxLag;
    if (n <= this.win) {
      // A lag is only trusted while at least half of the window overlaps itself: a short clip gets
      // a shorter ACF (a 2.8 s clip keeps lags up to 1.4 s, tempos above 43 BPM) rather than the
      // noisy tail of a barely overlapping product.
      maxLag = Math.min(this.maxLag, Math.max(2, Math.floor(n / 2)));
      acc.sum = new Float64Array(maxLag + 1);
      this.addWindow(novelty, 0, maxLag, acc);
    } else {
      for (let st = from; st + this.win <= n; st += this.hop)
        this.addWindow(novelty.subarray(st - from, st - from + this.win), st, maxLag, acc);
    }
    const mean = acc.sum;
    if (acc.count > 0) for (let l = 0; l <= maxLag; l++) mean[l] /= acc.count;
    return { frameRate: this.frameRate, mean, local: acc.local, centres: acc.centres };
  }

  private addWindow(seg: Float64Array, start: number, maxLag: number, acc: WindowSums): void {
    const a = autocorrelation(seg, maxLag);
    const r0 = a[0];
    if (!(r0 > 0)) return;
    const norm = this.keepLocal ? new Float32Array(maxLag + 1) : null;
    for (let l = 0; l < a.length; l++) {
      const v = a[l] / r0 / Math.max(0.2, 1 - l / seg.length);
      acc.sum[l] += v;
      if (norm) norm[l] = v;
    }
    acc.count++;
    if (norm) {
      acc.local.push(norm);
      acc.centres.push(start + seg.length / 2);
    }
  }
}

function fullMaxLag(frameRate: Hertz, win: number): number {
  return Math.min(Math.ceil(TEMPOGRAM_DEFAULTS.maxLagSeconds * frameRate), Math.max(2, Math.floor(win / 2)));
}

/** Tempograms of the onset-flux groups the octave decision reads (see octave.ts). */
export interface BandTempograms {
  /** Full-band flux (with per-window ACFs for the tempo curve). */
  readonly all: Tempogram;
  /** Low + mid flux: kick, snare, bass, chords. */
  readonly backbone: Tempogram;
  /** Kick and bass. */
  readonly low: Tempogram;
  readonly mid: Tempogram;
  /** Hats and cymbals. */
  readonly high: Tempogram;
  /**
   * Tonal flux (pitch-class changes: chord changes, melody notes, also legato ones the band flux
   * misses), at the chroma's rate, over the first METRE_FEATURE_SECONDS (onset.ts).
   */
  readonly tonal: Tempogram;
}

/** Log compression of chroma values before their flux (as ONSET_DEFAULTS.gamma for the bands). */
const TONAL_GAMMA = 1000;

/**
 * Tonal flux of chroma rows: the summed increase of log-compressed pitch-class magnitudes from
 * one row to the next (the first row gives 0).
 */
export class TonalFlux {
  private readonly previous = new Float64Array(12);
  private rows = 0;

  push(row: ArrayLike<number>): number {
    let f = 0;
    for (let p = 0; p < 12; p++) {
      const v = Math.log(1 + TONAL_GAMMA * row[p]);
      if (this.rows > 0 && v > this.previous[p]) f += v - this.previous[p];
      this.previous[p] = v;
    }
    this.rows++;
    return Math.fround(f);
  }
}

export class BandTempogramAccumulator {
  private readonly all: TempogramAccumulator;
  private readonly backbone: TempogramAccumulator;
  private readonly low: TempogramAccumulator;
  private readonly mid: TempogramAccumulator;
  private readonly high: TempogramAccumulator;
  private readonly tonal: TempogramAccumulator;
  private readonly tonalFlux = new TonalFlux();

  /** `chromaRate`: rows per second of the chroma given to pushChroma. */
  constructor(frameRate: Hertz, chromaRate: Hertz) {
    this.all = new TempogramAccumulator(frameRate, true);
    this.backbone = new TempogramAccumulator(frameRate);
    this.low = new TempogramAccumulator(frameRate);
    this.mid = new TempogramAccumulator(frameRate);
    this.high = new TempogramAccumulator(frameRate);
    this.tonal = new TempogramAccumulator(chromaRate);
  }

  /** One frame of flux per group (values as stored in Float32 feature buffers). */
  push(all: number, low: number, mid: number, high: number): void {
    this.all.push(all);
    this.backbone.push(Math.fround(low + mid));
    this.low.push(low);
    this.mid.push(mid);
    this.high.push(high);
  }

  /** One chroma row (12 pitch classes, values as stored in Float32 feature buffers). */
  pushChroma(row: ArrayLike<number>): void {
    this.tonal.push(this.tonalFlux.push(row));
  }

  result(): BandTempograms {
    return {
      all: this.all.result(),
      backbone: this.backbone.result(),
      low: this.low.result(),
      mid: this.mid.result(),
      high: this.high.result(),
      tonal: this.tonal.result(),
    };
  }
}

/**
 * The band tempograms of whole flux envelopes and chroma rows (12 values per row, a row every
 * `chromaDecimation` frames): the batch form of BandTempogramAccumulator.
 */
export function bandTempogramsOf(
  frameRate: Hertz,
  all: ArrayLike<number>,
  low: ArrayLike<number>,
  mid: ArrayLike<number>,
  high: ArrayLike<number>,
  chroma: Float32Array = new Float32Array(0),
  chromaDecimation = 2,
): BandTempograms {
  const acc = new BandTempogramAccumulator(frameRate, frameRate / chromaDecimation);
  for (let i = 0; i < all.length; i++) acc.push(all[i], low[i], mid[i], high[i]);
  for (let r = 0; r + 12 <= chroma.length; r += 12) acc.pushChroma(chroma.subarray(r, r + 12));
  return acc.result();
}
