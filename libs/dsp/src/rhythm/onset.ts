import { RealFft, SlidingFrames, hannWindow } from '../fft';
import type { Hertz, Seconds } from '../units';
import { FeatureBuffer, MAX_RESERVE_SECONDS } from './resample';
import { PercivalWindows, type PercivalEstimate } from './percival';
import { BandTempogramAccumulator, type BandTempograms } from './tempogram';

/**
 * Onset-strength features at a fixed frame rate: log-compressed band magnitudes of a short STFT and
 * their half-wave rectified difference (spectral flux on a log-frequency filterbank, as in
 * Böck, Krebs & Schedl 2012 "Evaluating the online capabilities of onset detection methods" and
 * librosa's onset_strength). Kept per band group: low (kick, bass), mid (snare, chords), high
 * (hats), which later tell the beat level from the subdivision.
 */
/**
 * What the metre analysis reads at the beats: the flux envelopes and coarse spectra of the first
 * METRE_FEATURE_SECONDS (the full-band flux of the whole input).
 */
export interface MetreFeatures {
  /** Frames per second of every envelope. */
  readonly frameRate: Hertz;
  /** Spectral flux summed over all bands, whole input. */
  readonly all: Float32Array;
  /** Flux below 200 Hz (first METRE_FEATURE_SECONDS). */
  readonly low: Float32Array;
  /** Flux 200 Hz - 2 kHz (first METRE_FEATURE_SECONDS). */
  readonly mid: Float32Array;
  /** Flux above 2 kHz (first METRE_FEATURE_SECONDS). */
  readonly high: Float32Array;
  /**
   * Band log-magnitudes at `frameRate / bandDecimation` frames per second, `bandCount` per frame
   * (first METRE_FEATURE_SECONDS).
   */
  readonly bands: Float32Array;
  readonly bandCount: number;
  readonly bandDecimation: number;
  /** Coarse 12-bin chroma (400 Hz - 5 kHz, bin 0 = C) at the band rate, for harmonic-change cues. */
  readonly chroma: Float32Array;
}

export interface OnsetFeatures extends MetreFeatures {
  /** Time of frame 0 in the input signal (window centre minus filter delay). */
  readonly startTime: Seconds;
  /** Tempograms of the flux groups over the whole input, accumulated as it streamed. */
  readonly tempograms: BandTempograms;
  /**
   * Percival & Tzanetakis 2014 (steps 2-3) over the full-band flux, windows analysed as it
   * streamed (fractional periods at this frame rate): the tempo's second opinion.
   */
  readonly percival: PercivalEstimate;
}

/**
 * Seconds of per-frame band features kept for the metre (bar length and downbeat phase are read
 * there and applied to the whole beat list): beyond it, only the full-band flux grows with the
 * input (4 bytes per frame, 1.2 MB per hour).
 */
export const METRE_FEATURE_SECONDS: Seconds = 600;

export const ONSET_DEFAULTS = Object.freeze({
  /** STFT window in seconds (rounded to a power of two in samples). */
  windowSeconds: 0.046,
  /** Hops per window: 4 gives about 86 frames per second (11.6 ms), beats are refined to sub-frame. */
  overlap: 4,
  bands: 24,
  minBandHz: 35,
  maxBandHz: 10000,
  /** Log compression log(1 + gamma * magnitude) (magnitude of a full-scale sine = 1). */
  gamma: 1000,
  /** Flux lag in frames (23 ms). */
  lag: 2,
  lowGroupHz: 200,
  highGroupHz: 2000,
  /** Keep band magnitudes and chroma every this many frames (about 43 per second). */
  bandDecimation: 2,
  chromaMinHz: 400,
  chromaMaxHz: 5000,
});

/** Streaming STFT onset features over a mono signal at a low sample rate. */
export class OnsetAnalyzer {
  readonly sampleRate: Hertz;
  readonly frameSize: number;
  readonly hop: number;
  readonly frameRate: Hertz;
  readonly bandCount: number;
  private readonly delay: Seconds;
  private readonly fft: RealFft;
  private readonly bandOfBin: Int16Array;
  private readonly bandNorm: Float64Array;
  private readonly groupOfBand: Uint8Array;
  private readonly framing: SlidingFrames;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly bandEnergy: Float64Array;
  private readonly history: Float64Array[];
  private frames = 0;
  private readonly all = new FeatureBuffer(4096);
  private readonly low = new FeatureBuffer(4096);
  private readonly mid = new FeatureBuffer(4096);
  private readonly high = new FeatureBuffer(4096);
  private readonly bands = new FeatureBuffer(8192);
  private readonly bandAcc: Float64Array;
  private readonly chromaBins: Int32Array;
  private readonly chromaPc0: Uint8Array;
  private readonly chromaW0: Float64Array;
  private readonly chromaAcc = new Float64Array(12);
  private readonly chromaRow = new Float64Array(12);
  private readonly chroma = new FeatureBuffer(4096);
  private readonly metreFrames: number;
  private tempograms: BandTempogramAccumulator;
  private readonly percival: PercivalWindows;

  /** `delay`: seconds the input already lags the original signal (decimation filters). */
  constructor(sampleRate: Hertz, delay: Seconds = 0) {
    if (!(sampleRate >= 2000 && sampleRate <= 200000))
      throw new RangeError(`sample rate out of range: ${sampleRate}`);
    const d = ONSET_DEFAULTS;
    this.sampleRate = sampleRate;
    this.frameSize = 1 << Math.round(Math.log2(d.windowSeconds * sampleRate));
    this.hop = this.frameSize / d.overlap;
    this.frameRate = sampleRate / this.hop;
    this.metreFrames = Math.ceil(METRE_FEATURE_SECONDS * this.frameRate);
    this.tempograms = new BandTempogramAccumulator(
      this.frameRate,
      this.frameRate / ONSET_DEFAULTS.bandDecimation,
    );
    this.percival = new PercivalWindows(this.frameRate);
    this.delay = delay;
    this.fft = new RealFft(this.frameSize);
    const window = hannWindow(this.frameSize);
    let wsum = 0;
    for (let i = 0; i < this.frameSize; i++) wsum += window[i];
    const ampScale = 2 / wsum;
    for (let i = 0; i < this.frameSize; i++) window[i] *= ampScale;
    // Half a window of zeros first, so frame 0 is centred on sample 0.
    this.framing = new SlidingFrames(window, this.hop, this.frameSize / 2);
    const bins = this.frameSize / 2 + 1;
    const binHz = sampleRate / this.frameSize;
    const maxHz = Math.min(d.maxBandHz, sampleRate * 0.48);
    // Log-spaced band edges, each band at least one bin wide.
    const edges: number[] = [Math.max(1, Math.round(d.minBandHz / binHz))];
    for (let b = 1; b <= d.bands; b++) {
      const hz = d.minBandHz * Math.pow(maxHz / d.minBandHz, b / d.bands);
      const bin = Math.max(edges[edges.length - 1] + 1, Math.round(hz / binHz));
      if (bin >= bins) break;
      edges.push(bin);
    }
    this.bandCount = edges.length - 1;
    this.bandOfBin = new Int16Array(bins).fill(-1);
    this.bandNorm = new Float64Array(this.bandCount);
    this.groupOfBand = new Uint8Array(this.bandCount);
    for (let b = 0; b < this.bandCount; b++) {
      for (let k = edges[b]; k < edges[b + 1]; k++) this.bandOfBin[k] = b;
      this.bandNorm[b] = 1 / (edges[b + 1] - edges[b]);
      const centreHz = Math.sqrt(edges[b] * edges[b + 1]) * binHz;
      this.groupOfBand[b] = centreHz < d.lowGroupHz ? 0 : centreHz < d.highGroupHz ? 1 : 2;
    }
    this.re = new Float64Array(bins);
    this.im = new Float64Array(bins);
    this.bandEnergy = new Float64Array(this.bandCount);
    this.bandAcc = new Float64Array(this.bandCount);
    this.history = [];
    for (let l = 0; l <= d.lag; l++) this.history.push(new Float64Array(this.bandCount));
    // bin -> pitch class split between the two nearest semitones (A4 = 440 Hz grid)
    const cb: number[] = [];
    for (let k = 1; k < bins; k++) {
      const hz = k * binHz;
      if (hz >= d.chromaMinHz && hz <= Math.min(d.chromaMaxHz, sampleRate * 0.45)) cb.push(k);
    }
    this.chromaBins = Int32Array.from(cb);
    this.chromaPc0 = new Uint8Array(cb.length);
    this.chromaW0 = new Float64Array(cb.length);
    cb.forEach((k, j) => {
      const semis = 69 + 12 * Math.log2((k * binHz) / 440);
      const lo = Math.floor(semis);
      this.chromaPc0[j] = ((lo % 12) + 12) % 12;
      this.chromaW0[j] = 1 - (semis - lo);
    });
    this.reset();
  }

  reset(): void {
    this.framing.reset();
    this.frames = 0;
    for (const h of this.history) h.fill(0);
    this.bandAcc.fill(0);
    this.all.clear();
    this.low.clear();
    this.mid.clear();
    this.high.clear();
    this.bands.clear();
    this.chroma.clear();
    this.chromaAcc.fill(0);
    this.tempograms = new BandTempogramAccumulator(
      this.frameRate,
      this.frameRate / ONSET_DEFAULTS.bandDecimation,
    );
    this.percival.reset();
  }

  process(x: Float32Array): void {
    this.framing.push(x, (frame) => this.analyseFrame(frame));
  }

  /** One windowed frame. */
  private analyseFrame(frame: Float64Array): void {
    const re = this.re;
    const im = this.im;
    this.fft.forward(frame, re, im);
    const e = this.bandEnergy;
    e.fill(0);
    const bob = this.bandOfBin;
    const bins = re.length;
    for (let k = 1; k < bins; k++) {
      const b = bob[k];
      if (b >= 0) e[b] += re[k] * re[k] + im[k] * im[k];
    }
    const gamma = ONSET_DEFAULTS.gamma;
    const lag = ONSET_DEFAULTS.lag;
    // rotate history: history[0] = current, history[lag] = lag frames ago
    const hist = this.history;
    const cur = hist[lag];
    for (let l = lag; l > 0; l--) hist[l] = hist[l - 1];
    hist[0] = cur;
    const past = hist[lag];
    let fa = 0;
    let fl = 0;
    let fm = 0;
    let fh = 0;
    const groups = this.groupOfBand;
    const norm = this.bandNorm;
    const acc = this.bandAcc;
    for (let b = 0; b < this.bandCount; b++) {
      const v = Math.log(1 + gamma * Math.sqrt(e[b] * norm[b]));
      cur[b] = v;
      acc[b] += v;
      const d = v - past[b];
      if (d > 0) {
        fa += d;
        const g = groups[b];
        if (g === 0) fl += d;
        else if (g === 1) fm += d;
        else fh += d;
      }
    }
    if (this.frames < lag) {
      fa = fl = fm = fh = 0;
    }
    this.all.push(fa);
    this.tempograms.push(Math.fround(fa), Math.fround(fl), Math.fround(fm), Math.fround(fh));
    this.percival.push(Math.fround(fa));
    this.frames++;
    if (this.frames > this.metreFrames) return;
    this.low.push(fl);
    this.mid.push(fm);
    this.high.push(fh);
    const cbins = this.chromaBins;
    const pc0 = this.chromaPc0;
    const w0 = this.chromaW0;
    const cacc = this.chromaAcc;
    for (let j = 0; j < cbins.length; j++) {
      const k = cbins[j];
      const m = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
      const p = pc0[j];
      cacc[p] += m * w0[j];
      cacc[p === 11 ? 0 : p + 1] += m * (1 - w0[j]);
    }
    const dec = ONSET_DEFAULTS.bandDecimation;
    if (this.frames % dec === 0) {
      for (let b = 0; b < this.bandCount; b++) {
        this.bands.push(acc[b] / dec);
        acc[b] = 0;
      }
      const row = this.chromaRow;
      for (let c = 0; c < 12; c++) {
        row[c] = Math.fround(cacc[c] / dec);
        this.chroma.push(row[c]);
        cacc[c] = 0;
      }
      this.tempograms.pushChroma(row);
    }
  }

  /** Sizes the feature buffers for `seconds` of input (a hint: more input still fits). */
  reserve(seconds: Seconds): void {
    const frames = Math.ceil(Math.min(seconds, MAX_RESERVE_SECONDS) * this.frameRate) + 16;
    this.all.reserve(frames);
    const metreFrames = Math.min(frames, this.metreFrames);
    for (const b of [this.low, this.mid, this.high]) b.reserve(metreFrames);
    const decimated = Math.ceil(metreFrames / ONSET_DEFAULTS.bandDecimation);
    this.bands.reserve(decimated * this.bandCount);
    this.chroma.reserve(decimated * 12);
  }

  /** The features so far, copied (the analyser can go on). */
  features(): OnsetFeatures {
    return this.collect((b) => b.toArray());
  }

  /**
   * The features so far as views of the analyser's own buffers, valid until the next `process`:
   * for the final analysis, which then needs no second copy of a whole track's features.
   */
  featureViews(): OnsetFeatures {
    return this.collect((b) => b.view());
  }

  private collect(read: (b: FeatureBuffer) => Float32Array): OnsetFeatures {
    return {
      frameRate: this.frameRate,
      startTime: -this.delay,
      all: read(this.all),
      low: read(this.low),
      mid: read(this.mid),
      high: read(this.high),
      bands: read(this.bands),
      bandCount: this.bandCount,
      bandDecimation: ONSET_DEFAULTS.bandDecimation,
      chroma: read(this.chroma),
      tempograms: this.tempograms.result(),
      percival: this.percival.result(),
    };
  }
}
