import { LoudnessMeter } from '../loudness/meter';
import type { TruePeakOvers } from '../loudness/true-peak';
import type { Decibels, Hertz, LoudnessUnits, Lufs, Seconds } from '../units';
import { BandwidthAnalyzer, type BandwidthFigures } from './bandwidth';

export interface QcAnalysisDefaults {
  readonly clipLevelDbfs: Decibels;
  readonly clipMinRun: number;
  readonly silenceThresholdDbfs: Decibels;
  readonly gapMinSeconds: Seconds;
  readonly maxGapsListed: number;
  readonly correlationMinLevelDbfs: Decibels;
}

/** Analysis parameters (what is measured); the pass/warn/fail limits are QC_THRESHOLDS. */
export const QC_ANALYSIS_DEFAULTS: QcAnalysisDefaults = Object.freeze({
  /** A sample at or above this magnitude counts towards a clipped run (16-bit full scale is -0.0003 dBFS). */
  clipLevelDbfs: -0.01,
  /** Consecutive samples at the clip level that make a clipped run. */
  clipMinRun: 3,
  /** Leading/trailing silence: every channel's |sample| at or below this level. */
  silenceThresholdDbfs: -60,
  /** Shortest all-channel exact-zero run inside the track that is reported as a gap. */
  gapMinSeconds: 0.02,
  /** Gaps listed individually (all are counted). */
  maxGapsListed: 100,
  /** RMS level under which a 400 ms phase-correlation window (moved by 100 ms) is ignored. */
  correlationMinLevelDbfs: -60,
});

/**
 * What QC reads from the loudness meter, once, in result(): a LoudnessMeter fed the same blocks,
 * or the same figures measured elsewhere (another thread) and handed over before result().
 */
export interface QcLoudnessSource {
  readonly sampleRate: Hertz;
  readonly channels: number;
  result(): { readonly integratedLufs: Lufs | null };
  monoFoldDownLufs(): Lufs | null;
  interSampleOvers(): TruePeakOvers[];
}

export interface QcAnalyzerOptions {
  sampleRate: Hertz;
  channels: number;
  /**
   * The loudness meter that is fed the same blocks (or its figures, see QcLoudnessSource):
   * inter-sample overs and the mono fold-down loudness are read from it at no extra cost.
   * Without one, the analyzer runs its own.
   */
  meter?: QcLoudnessSource;
  /** Bits per sample of the container (16, 24, 32; 32 for float), for the bit-depth finding. */
  declaredBitDepth?: number;
  clipLevelDbfs?: Decibels;
  clipMinRun?: number;
  silenceThresholdDbfs?: Decibels;
  gapMinSeconds?: Seconds;
}

export interface QcClipping {
  /** Runs of >= minRun consecutive samples at or above levelDbfs, over all channels. */
  runs: number;
  /** Samples inside those runs. */
  samples: number;
  perChannel: { runs: number; samples: number }[];
  levelDbfs: Decibels;
  minRun: number;
}

export interface QcSilenceGap {
  startSeconds: Seconds;
  durationSeconds: Seconds;
}

/**
 * QC figures of one track. Values that do not exist are null (JSON-friendly), e.g. the phase
 * figures of a mono file or the DC offset of digital silence.
 */
export interface QcFigures {
  sampleRate: Hertz;
  channels: number;
  durationSeconds: Seconds;
  clipping: QcClipping;
  /** Oversampled (true-peak interpolator) values above 0 dBTP, as events (runs) and values. */
  interSampleOvers: { events: number; samples: number; perChannel: TruePeakOvers[] };
  /** Mean of each channel as a fraction of full scale (signed) and the largest in dBFS. */
  dcOffset: { perChannel: number[]; maxDbfs: Decibels | null };
  /** Stereo only: Pearson correlation over 400 ms windows (silent windows skipped). */
  phase: {
    meanCorrelation: number | null;
    worstWindowCorrelation: number | null;
    worstWindowStartSeconds: Seconds | null;
    windows: number;
  } | null;
  /** Stereo only: integrated loudness of the fold-down (L+R)/2 on both channels vs. the original. */
  monoCompatibility: { stereoLufs: Lufs | null; monoLufs: Lufs | null; dropLu: LoudnessUnits | null } | null;
  silence: {
    thresholdDbfs: Decibels;
    /** Time before the first sample above the threshold (the whole duration if none). */
    leadingSeconds: Seconds;
    /** Time after the last sample above the threshold (the whole duration if none). */
    trailingSeconds: Seconds;
    /** All-channel exact-zero runs of >= gapMinSeconds between non-zero audio (first maxGapsListed). */
    gaps: QcSilenceGap[];
    gapCount: number;
    gapTotalSeconds: Seconds;
  };
  /**
   * Effective bit depth from the lowest bit used by any sample on a 24-bit grid: 16 for 16-bit
   * content (also inside a 24-bit or float container), 24 for 24-bit, 32 for anything finer
   * (32-bit integer or genuine float content); null for digital silence.
   */
  bitDepth: { effectiveBits: number | null; declaredBits: number | null };
  bandwidth: BandwidthFigures;
  /** Stereo only: L == R (dual mono) and L == -R (one channel polarity-inverted). */
  stereo: {
    /**
     * 10 log10(side energy / mid energy), side = (L-R)/2, mid = (L+R)/2, clamped to +-200 dB
     * (-200: L == R exactly, +200: L == -R exactly); null for silence.
     */
    sideToMidDb: Decibels | null;
    dualMono: boolean;
    polarityInverted: boolean;
  } | null;
  /** NaN or infinite samples (they also make the loudness values null). */
  nonFiniteSamples: number;
}

/** |side/mid| beyond this many dB (either way) means dual mono / polarity inversion. */
export const QC_STEREO_IDENTITY_DB: Decibels = 50;
/** sideToMidDb is clamped to +-this: -200 / +200 mean L == R / L == -R exactly. */
export const QC_STEREO_RATIO_LIMIT_DB: Decibels = 200;

const SCALE_24 = 8388608; // 2^23: 24-bit PCM maps to integers
/** Adding and subtracting 1.5 * 2^52 rounds any |t| < 2^51 to an integer: t is one iff unchanged. */
const ROUND_MAGIC = 6755399441055744;
/** Returned by gridSample for a finite sample off the 24-bit grid. */
const OFF_GRID = 0.5;
/**
 * GRID_SCALE[z] = 2^(23 - z): with z the lowest bit set in the OR of the 24-bit integers seen so
 * far (32 before any), a sample below full scale leaves that lowest bit unchanged iff v * 2^(23-z)
 * is an integer, so only samples failing that cheap test need the exact one (gridSample).
 */
const GRID_SCALE = Float64Array.from({ length: 33 }, (_, z) => 2 ** (23 - z));

/**
 * The bit-usage test of one sample, as the lowest-bit figure defines it: the new OR of the
 * 24-bit integers for a sample on the grid, OFF_GRID for a finite one off it, `or` unchanged
 * for a non-finite one.
 */
function gridSample(v: number, or: number): number {
  const t = v * SCALE_24;
  const ti = t | 0;
  if (ti !== t) return v - v === 0 ? OFF_GRID : or;
  return or | ti;
}

/** Index into GRID_SCALE for an OR of 24-bit integers (32 for none). */
function lowestBit(or: number): number {
  return or === 0 ? 32 : 31 - Math.clz32(or & -or);
}

/** Sample rates QC (and so a whole measurement pass) takes, in Hz. */
export const QC_SAMPLE_RATES: readonly [number, number] = [8000, 384_000];

/**
 * Streaming QC analyzer: feed it the same planar blocks as the LoudnessMeter (process), read
 * result() at the end. One pass, constant memory (plus at most maxGapsListed gap entries).
 */
export class QcAnalyzer {
  readonly sampleRate: Hertz;
  readonly channels: number;
  private readonly meter: QcLoudnessSource;
  /** The meter this analyzer feeds itself, when none was given. */
  private readonly ownMeter: LoudnessMeter | null;
  private readonly declaredBits: number | null;
  private readonly clipLevel: number;
  private readonly clipLevelDbfs: Decibels;
  private readonly clipMinRun: number;
  private readonly silenceLevel: number;
  private readonly silenceThresholdDbfs: Decibels;
  private readonly gapMinFrames: number;
  private readonly hop: number;
  private readonly correlationMinEnergy: number;
  private readonly bandwidth: BandwidthAnalyzer;

  private frames = 0;
  private dcSum!: Float64Array;
  private clipRun!: Float64Array;
  private clipRuns!: Float64Array;
  private clipSamples!: Float64Array;
  private bitsOr = 0;
  private bitsFine = false;
  private nonFinite = 0;
  private firstLoud = -1;
  private lastLoud = -1;
  // Stereo sums.
  private ll = 0;
  private rr = 0;
  private lr = 0;
  private hopFill = 0;
  private hopLL = 0;
  private hopRR = 0;
  private hopLR = 0;
  private hops = 0;
  private readonly hopRing = new Float64Array(12);
  private corrSum = 0;
  private corrCount = 0;
  private corrWorst = 2;
  private corrWorstStart = 0;
  // Digital-silence gaps.
  private zeroRun = 0;
  private seenNonZero = false;
  private gaps: QcSilenceGap[] = [];
  private gapCount = 0;
  private gapFrames = 0;
  private nonZero = new Uint8Array(0);

  constructor(options: QcAnalyzerOptions) {
    const { sampleRate, channels } = options;
    if (!(sampleRate >= QC_SAMPLE_RATES[0] && sampleRate <= QC_SAMPLE_RATES[1])) {
      throw new RangeError(`sample rate must be in [${QC_SAMPLE_RATES.join(', ')}] Hz, got ${sampleRate}`);
    }
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      throw new RangeError(`channels must be an integer in [1, 64], got ${channels}`);
    }
    if (options.meter && (options.meter.sampleRate !== sampleRate || options.meter.channels !== channels)) {
      throw new RangeError('the shared loudness meter must have the same sample rate and channel count');
    }
    const d = QC_ANALYSIS_DEFAULTS;
    this.clipLevelDbfs = options.clipLevelDbfs ?? d.clipLevelDbfs;
    this.clipMinRun = options.clipMinRun ?? d.clipMinRun;
    this.silenceThresholdDbfs = options.silenceThresholdDbfs ?? d.silenceThresholdDbfs;
    const gapMinSeconds = options.gapMinSeconds ?? d.gapMinSeconds;
    if (!(this.clipLevelDbfs <= 0 && this.clipLevelDbfs > -20)) {
      throw new RangeError(`clip level must be in (-20, 0] dBFS, got ${this.clipLevelDbfs}`);
    }
    if (!Number.isInteger(this.clipMinRun) || this.clipMinRun < 1) {
      throw new RangeError(`clip minimum run must be an integer >= 1, got ${this.clipMinRun}`);
    }
    if (!(this.silenceThresholdDbfs < 0))
      throw new RangeError(`silence threshold must be < 0 dBFS, got ${this.silenceThresholdDbfs}`);
    if (!(gapMinSeconds > 0)) throw new RangeError(`minimum gap must be > 0 s, got ${gapMinSeconds}`);
    const declared = options.declaredBitDepth;
    if (declared !== undefined && !(Number.isInteger(declared) && declared >= 8 && declared <= 64)) {
      throw new RangeError(`declared bit depth must be an integer in [8, 64], got ${declared}`);
    }
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.declaredBits = declared ?? null;
    this.clipLevel = Math.pow(10, this.clipLevelDbfs / 20);
    this.silenceLevel = Math.pow(10, this.silenceThresholdDbfs / 20);
    this.gapMinFrames = Math.max(1, Math.round(gapMinSeconds * sampleRate));
    this.hop = Math.round(sampleRate / 10);
    this.correlationMinEnergy = Math.pow(10, d.correlationMinLevelDbfs / 10);
    this.ownMeter = options.meter ? null : new LoudnessMeter({ sampleRate, channels });
    this.meter = options.meter ?? this.ownMeter!;
    this.bandwidth = new BandwidthAnalyzer(sampleRate, channels);
    this.resetState();
  }

  process(block: readonly Float32Array[]): void {
    if (block.length !== this.channels) {
      throw new RangeError(`block has ${block.length} channels, analyzer expects ${this.channels}`);
    }
    const n = block[0].length;
    for (let c = 1; c < this.channels; c++) {
      if (block[c].length !== n) throw new RangeError('all channels of a block must have the same length');
    }
    if (n === 0) return;
    this.ownMeter?.process(block);
    if (this.channels === 2) {
      this.stereoPass(block[0], block[1], n);
    } else {
      for (let c = 0; c < this.channels; c++) this.channelPass(c, block[c], n);
      this.zeroPass(block, n);
    }
    for (let c = 0; c < this.channels; c++) this.loudExtent(block[c], n);
    this.bandwidth.process(block, n);
    this.frames += n;
  }

  /**
   * DC, clipped runs, bit usage and non-finite samples of one channel (channel counts other
   * than two). The grid test stops once a sample off the 24-bit grid has been seen (the bit
   * depth is then 32 whatever follows); non-finite samples show as a non-finite block sum.
   */
  private channelPass(c: number, x: Float32Array, n: number): void {
    const clip2 = this.clipLevel * this.clipLevel;
    const minRun = this.clipMinRun;
    let run = this.clipRun[c];
    let runs = this.clipRuns[c];
    let clipped = this.clipSamples[c];
    let sum = 0;
    let or = this.bitsOr;
    let fine = this.bitsFine;
    let scale = GRID_SCALE[lowestBit(or)];
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const vv = v * v;
      sum += v;
      if (vv >= clip2) {
        run++;
        if (!fine) {
          const g = gridSample(v, or);
          if (g === OFF_GRID) fine = true;
          else if (g !== or) scale = GRID_SCALE[lowestBit((or = g))];
        }
      } else {
        if (run > 0) {
          if (run >= minRun) {
            runs++;
            clipped += run;
          }
          run = 0;
        }
        if (!fine) {
          const t = v * scale;
          if (t + ROUND_MAGIC - ROUND_MAGIC !== t) {
            const g = gridSample(v, or);
            if (g === OFF_GRID) fine = true;
            else if (g !== or) scale = GRID_SCALE[lowestBit((or = g))];
          }
        }
      }
    }
    this.finishDc(c, x, n, sum);
    this.clipRun[c] = run;
    this.clipRuns[c] = runs;
    this.clipSamples[c] = clipped;
    this.bitsOr = or;
    this.bitsFine = fine;
  }

  /** Adds a block's sum to the DC sum; with non-finite samples, counts them and sums the rest. */
  private finishDc(c: number, x: Float32Array, n: number, sum: number): void {
    if (sum - sum === 0) {
      this.dcSum[c] += sum;
      return;
    }
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      if (x[i] - x[i] === 0) this.dcSum[c] += x[i];
      else nonFinite++;
    }
    this.nonFinite += nonFinite;
  }

  /** Leading / trailing silence: first and last sample of the channel above the threshold. */
  private loudExtent(x: Float32Array, n: number): void {
    const s2 = this.silenceLevel * this.silenceLevel;
    const frames = this.frames;
    if (this.firstLoud < 0 || this.firstLoud > frames) {
      // Only samples before the earliest loud one found so far can move it.
      const stop = this.firstLoud < 0 ? n : this.firstLoud - frames;
      for (let i = 0; i < stop; i++) {
        if (x[i] * x[i] > s2) {
          this.firstLoud = frames + i;
          break;
        }
      }
    }
    const floor = this.lastLoud - frames;
    for (let i = n - 1; i > floor && i >= 0; i--) {
      if (x[i] * x[i] > s2) {
        this.lastLoud = frames + i;
        break;
      }
    }
  }

  /**
   * Stereo: every per-sample figure of both channels in one loop (DC, clipped runs, bit usage,
   * L/R sums per correlation hop, exact-zero runs). Each sum adds the same terms in the same
   * order as channel-by-channel loops would (the L/R sums restart at every hop boundary and at
   * the block start), so the figures are bit-identical.
   */
  private stereoPass(l: Float32Array, r: Float32Array, n: number): void {
    const clip2 = this.clipLevel * this.clipLevel;
    const minRun = this.clipMinRun;
    const hop = this.hop;
    const clipRun = this.clipRun;
    const clipRuns = this.clipRuns;
    const clipSamples = this.clipSamples;
    let runL = clipRun[0];
    let runsL = clipRuns[0];
    let clippedL = clipSamples[0];
    let runR = clipRun[1];
    let runsR = clipRuns[1];
    let clippedR = clipSamples[1];
    let sumL = 0;
    let sumR = 0;
    let ll = 0;
    let rr = 0;
    let lr = 0;
    let or = this.bitsOr;
    let fine = this.bitsFine;
    let scale = GRID_SCALE[lowestBit(or)];
    let zeroRun = this.zeroRun;
    let seen = this.seenNonZero;
    // Frames before scanFrom are accounted for in `seen`; later ones, up to k, are non-zero.
    let scanFrom = 0;
    // The current hop segment is [segStart, hopEnd): it ends at the next hop boundary or at n.
    let segStart = 0;
    let hopEnd = hop - this.hopFill < n ? hop - this.hopFill : n;
    // A zero run carried in ends at a non-zero first frame.
    if (zeroRun > 0 && !(l[0] === 0 && r[0] === 0)) {
      if (seen) this.endZeroRun(this.frames, zeroRun);
      zeroRun = 0;
      seen = true;
    }
    for (let k = 0; k < n; k++) {
      if (k === hopEnd) {
        this.flushHop(ll, rr, lr, k - segStart);
        ll = 0;
        rr = 0;
        lr = 0;
        segStart = k;
        hopEnd = hop < n - k ? k + hop : n;
      }
      const a = l[k];
      const b = r[k];
      const aa = a * a;
      const bb = b * b;
      sumL += a;
      sumR += b;
      ll += aa;
      rr += bb;
      lr += a * b;
      if (aa >= clip2) {
        runL++;
      } else if (runL > 0) {
        if (runL >= minRun) {
          runsL++;
          clippedL += runL;
        }
        runL = 0;
      }
      if (bb >= clip2) {
        runR++;
      } else if (runR > 0) {
        if (runR >= minRun) {
          runsR++;
          clippedR += runR;
        }
        runR = 0;
      }
      // Bit usage: the exact test only for samples that could change it (or are >= 256).
      if (!fine) {
        const ta = a * scale;
        const tb = b * scale;
        if (
          ta + ROUND_MAGIC - ROUND_MAGIC !== ta ||
          tb + ROUND_MAGIC - ROUND_MAGIC !== tb ||
          aa + bb >= 65536
        ) {
          let g = gridSample(a, or);
          if (g === OFF_GRID) fine = true;
          else if (g !== or) scale = GRID_SCALE[lowestBit((or = g))];
          g = gridSample(b, or);
          if (g === OFF_GRID) fine = true;
          else if (g !== or) scale = GRID_SCALE[lowestBit((or = g))];
        }
      }
      // Exact-zero frames (rare): take the whole run up to the hop end here; sums, clipped runs
      // and bit usage do not change over zeros, so the frames skipped are fully accounted for.
      if (aa + bb === 0) {
        if (k > scanFrom) seen = true;
        let j = k + 1;
        while (j < hopEnd && l[j] === 0 && r[j] === 0) j++;
        zeroRun += j - k;
        if (j < n && !(l[j] === 0 && r[j] === 0)) {
          if (seen) this.endZeroRun(this.frames + j, zeroRun);
          zeroRun = 0;
          seen = true;
        }
        scanFrom = j;
        k = j - 1;
      }
    }
    if (scanFrom < n) seen = true;
    this.flushHop(ll, rr, lr, n - segStart);
    this.finishDc(0, l, n, sumL);
    this.finishDc(1, r, n, sumR);
    clipRun[0] = runL;
    clipRuns[0] = runsL;
    clipSamples[0] = clippedL;
    clipRun[1] = runR;
    clipRuns[1] = runsR;
    clipSamples[1] = clippedR;
    this.bitsOr = or;
    this.bitsFine = fine;
    this.zeroRun = zeroRun;
    this.seenNonZero = seen;
  }

  /**
   * Adds one hop segment's L/R sums (`frames` frames) to the current hop, closing it when full.
   * One call site for both the in-block boundaries and the block end, so that the optimised
   * stereo loop never meets a property access it has not seen (a deopt each time).
   */
  private flushHop(ll: number, rr: number, lr: number, frames: number): void {
    this.hopLL += ll;
    this.hopRR += rr;
    this.hopLR += lr;
    this.hopFill += frames;
    if (this.hopFill === this.hop) this.endHop();
  }

  private endHop(): void {
    this.ll += this.hopLL;
    this.rr += this.hopRR;
    this.lr += this.hopLR;
    const ring = this.hopRing;
    const slot = (this.hops % 4) * 3;
    ring[slot] = this.hopLL;
    ring[slot + 1] = this.hopRR;
    ring[slot + 2] = this.hopLR;
    this.hops++;
    this.hopLL = 0;
    this.hopRR = 0;
    this.hopLR = 0;
    this.hopFill = 0;
    if (this.hops < 4) return;
    let wl = 0;
    let wr = 0;
    let wx = 0;
    for (let h = 0; h < 4; h++) {
      wl += ring[h * 3];
      wr += ring[h * 3 + 1];
      wx += ring[h * 3 + 2];
    }
    const count = 4 * this.hop;
    // Quiet windows say nothing about phase; written as !(x > min) so NaN sums are skipped too.
    if (!(wl / count > this.correlationMinEnergy) || !(wr / count > this.correlationMinEnergy)) return;
    const r = Math.max(-1, Math.min(1, wx / Math.sqrt(wl * wr)));
    this.corrSum += r;
    this.corrCount++;
    if (r < this.corrWorst) {
      this.corrWorst = r;
      this.corrWorstStart = (this.hops - 4) * this.hop;
    }
  }

  /** Exact-zero runs for channel counts other than two. */
  private zeroPass(block: readonly Float32Array[], n: number): void {
    if (this.nonZero.length < n) this.nonZero = new Uint8Array(n);
    const nz = this.nonZero;
    nz.fill(0, 0, n);
    for (let c = 0; c < this.channels; c++) {
      const x = block[c];
      for (let i = 0; i < n; i++) if (x[i] !== 0) nz[i] = 1;
    }
    let zeroRun = this.zeroRun;
    let seen = this.seenNonZero;
    for (let i = 0; i < n; i++) {
      if (nz[i] === 0) {
        zeroRun++;
      } else {
        if (zeroRun > 0 && seen) this.endZeroRun(this.frames + i, zeroRun);
        zeroRun = 0;
        seen = true;
      }
    }
    this.zeroRun = zeroRun;
    this.seenNonZero = seen;
  }

  private endZeroRun(endFrame: number, length: number): void {
    if (length < this.gapMinFrames) return;
    this.gapCount++;
    this.gapFrames += length;
    if (this.gaps.length < QC_ANALYSIS_DEFAULTS.maxGapsListed) {
      this.gaps.push({
        startSeconds: (endFrame - length) / this.sampleRate,
        durationSeconds: length / this.sampleRate,
      });
    }
  }

  result(): QcFigures {
    const fs = this.sampleRate;
    const duration = this.frames / fs;
    const perChannel: { runs: number; samples: number }[] = [];
    let runs = 0;
    let samples = 0;
    for (let c = 0; c < this.channels; c++) {
      let r = this.clipRuns[c];
      let s = this.clipSamples[c];
      if (this.clipRun[c] >= this.clipMinRun) {
        r++;
        s += this.clipRun[c];
      }
      perChannel.push({ runs: r, samples: s });
      runs += r;
      samples += s;
    }
    const overs = this.meter.interSampleOvers();
    const dc = Array.from(this.dcSum, (s) => (this.frames > 0 ? s / this.frames : 0));
    const dcMax = dc.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

    let phase: QcFigures['phase'] = null;
    let stereo: QcFigures['stereo'] = null;
    let mono: QcFigures['monoCompatibility'] = null;
    if (this.channels === 2) {
      phase = {
        meanCorrelation: this.corrCount > 0 ? this.corrSum / this.corrCount : null,
        worstWindowCorrelation: this.corrCount > 0 ? this.corrWorst : null,
        worstWindowStartSeconds: this.corrCount > 0 ? this.corrWorstStart / fs : null,
        windows: this.corrCount,
      };
      const ll = this.ll + this.hopLL;
      const rr = this.rr + this.hopRR;
      const lr = this.lr + this.hopLR;
      const side = Math.max(0, ll + rr - 2 * lr);
      const mid = Math.max(0, ll + rr + 2 * lr);
      let ratio: number | null = null;
      if (side > 0 && mid > 0)
        ratio = Math.max(
          -QC_STEREO_RATIO_LIMIT_DB,
          Math.min(QC_STEREO_RATIO_LIMIT_DB, 10 * Math.log10(side / mid)),
        );
      else if (mid > 0) ratio = -QC_STEREO_RATIO_LIMIT_DB;
      else if (side > 0) ratio = QC_STEREO_RATIO_LIMIT_DB;
      stereo = {
        sideToMidDb: ratio,
        dualMono: ratio !== null && ratio <= -QC_STEREO_IDENTITY_DB,
        polarityInverted: ratio !== null && ratio >= QC_STEREO_IDENTITY_DB,
      };
      const stereoLufs = this.meter.result().integratedLufs;
      const monoLufs = this.meter.monoFoldDownLufs();
      mono = {
        stereoLufs,
        monoLufs,
        dropLu: stereoLufs !== null && monoLufs !== null ? stereoLufs - monoLufs : null,
      };
    }

    const loud = this.firstLoud >= 0;
    let effectiveBits: number | null = null;
    if (this.bitsFine) effectiveBits = 32;
    else if (this.bitsOr !== 0)
      effectiveBits = Math.max(1, 24 - (31 - Math.clz32(this.bitsOr & -this.bitsOr)));

    return {
      sampleRate: fs,
      channels: this.channels,
      durationSeconds: duration,
      clipping: { runs, samples, perChannel, levelDbfs: this.clipLevelDbfs, minRun: this.clipMinRun },
      interSampleOvers: {
        events: overs.reduce((s, o) => s + o.events, 0),
        samples: overs.reduce((s, o) => s + o.samples, 0),
        perChannel: overs,
      },
      dcOffset: { perChannel: dc, maxDbfs: dcMax > 0 ? 20 * Math.log10(dcMax) : null },
      phase,
      monoCompatibility: mono,
      silence: {
        thresholdDbfs: this.silenceThresholdDbfs,
        leadingSeconds: loud ? this.firstLoud / fs : duration,
        trailingSeconds: loud ? (this.frames - 1 - this.lastLoud) / fs : duration,
        gaps: this.gaps.map((g) => ({ ...g })),
        gapCount: this.gapCount,
        gapTotalSeconds: this.gapFrames / fs,
      },
      bitDepth: { effectiveBits, declaredBits: this.declaredBits },
      bandwidth: this.bandwidth.result(),
      stereo,
      nonFiniteSamples: this.nonFinite,
    };
  }

  private resetState(): void {
    this.frames = 0;
    this.dcSum = new Float64Array(this.channels);
    this.clipRun = new Float64Array(this.channels);
    this.clipRuns = new Float64Array(this.channels);
    this.clipSamples = new Float64Array(this.channels);
    this.bitsOr = 0;
    this.bitsFine = false;
    this.nonFinite = 0;
    this.firstLoud = -1;
    this.lastLoud = -1;
    this.ll = 0;
    this.rr = 0;
    this.lr = 0;
    this.hopFill = 0;
    this.hopLL = 0;
    this.hopRR = 0;
    this.hopLR = 0;
    this.hops = 0;
    this.hopRing.fill(0);
    this.corrSum = 0;
    this.corrCount = 0;
    this.corrWorst = 2;
    this.corrWorstStart = 0;
    this.zeroRun = 0;
    this.seenNonZero = false;
    this.gaps = [];
    this.gapCount = 0;
    this.gapFrames = 0;
  }

  reset(): void {
    this.resetState();
    this.bandwidth.reset();
    this.ownMeter?.reset();
  }
}
