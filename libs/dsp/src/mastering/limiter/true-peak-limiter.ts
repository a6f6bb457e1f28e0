import { dbToGain, type Dbtp, type Decibels, type Hertz, type Samples, type Seconds } from '../../units';
import {
  PEAK_INTERPOLATOR_TAPS,
  designPeakInterpolator,
  peakOversamplingFactor,
  type PeakInterpolator,
} from '../true-peak/peak-interpolator';

export interface TruePeakLimiterOptions {
  readonly sampleRate: Hertz;
  readonly channels: number;
  /** Output true-peak ceiling (BS.1770-5 Annex 2 reading). */
  readonly ceiling?: Dbtp;
  /**
   * Safety margin under the ceiling the gain is computed for: other meters' interpolators (on
   * full-scale white noise ffmpeg's ebur128 reads 0.16 dB above this detector) and dither.
   */
  readonly margin?: Decibels;
  /** Oversampling of the detection; default peakOversamplingFactor(sampleRate) (8x at 44.1/48 kHz). */
  readonly oversampling?: number;
  /** Length of the smooth gain ramp into a peak (two cascaded moving averages). */
  readonly attack?: Seconds;
  /** Time constant of the fast (transient) release. */
  readonly release?: Seconds;
  /**
   * Window of the slow envelope's detector (minimum of the needed gain over this window): longer
   * than half a period of the lowest frequency to be held steady.
   */
  readonly sustainWindow?: Seconds;
  /** Time constant with which the slow (sustain) envelope follows sustained gain reduction. */
  readonly sustainAttack?: Seconds;
  /** Time constant of the slow (sustain) release. */
  readonly sustainRelease?: Seconds;
}

export const TRUE_PEAK_LIMITER_DEFAULTS: Readonly<
  Required<Omit<TruePeakLimiterOptions, 'sampleRate' | 'channels' | 'oversampling'>>
> = Object.freeze({
  ceiling: -1,
  margin: 0.2,
  attack: 0.002,
  release: 0.05,
  sustainWindow: 0.03,
  sustainAttack: 0.25,
  sustainRelease: 0.8,
});

/** Gain-reduction statistics over the output frames processed so far (latency frames excluded). */
export interface LimiterStats {
  readonly maxGainReductionDb: Decibels;
  /** Mean gain reduction over all frames, in dB (0 dB where the limiter is idle). */
  readonly meanGainReductionDb: Decibels;
  /** Time during which the gain reduction exceeded 1 dB. */
  readonly secondsAbove1Db: Seconds;
  /** Share of frames with any gain reduction. */
  readonly activeFraction: number;
  readonly frames: Samples;
}

/** Extra hold around each peak so the gain is flat over the interpolator's support (+-12 samples). */
const GUARD: Samples = 12;
/** Delay of the detection: frame m is evaluated when x[m + 12] arrives. */
const DETECTION_DELAY: Samples = PEAK_INTERPOLATOR_TAPS / 2;
/**
 * Releases aim this far above the gain they recover to and are clamped there, so they end in
 * finite time without a step (an exponential never quite arrives), and an idle limiter is exact.
 */
const RELEASE_OVERSHOOT = 1e-3;
const CHUNK = 32;
/** The slow envelope moves with time constants of 0.1-1 s: it is updated every 16 frames. */
const SUSTAIN_STEP = 16;
const GAIN_MINUS_1DB = Math.pow(10, -1 / 20);

/**
 * Look-ahead true-peak limiter, stereo-linked (one gain for all channels).
 *
 * Method:
 * 1. Detection of inter-sample peaks as in ITU-R BS.1770-5 Annex 2, on the 8x-oversampled
 *    signal (4x at 88.2/96 kHz) with a flat Kaiser-windowed sinc interpolator
 *    (designPeakInterpolator), max over channels, plus the sample values: the gain each input
 *    sample needs is g = min(1, threshold / peak), threshold = ceiling - margin. 8x rather
 *    than 4x because meters place their points differently: with points 1/8 sample apart a
 *    peak is under-read by at most 0.14 dB even at 0.45 fs, which the margin covers, and a flat
 *    filter because the Recommendation's example filter under-reads broadband material. The
 *    4x points are computed wherever the signal comes within reach of the threshold, the other
 *    four only next to 4x points within 0.69 dB of it (cost of 4x, accuracy of 8x).
 * 2. Sliding minimum of g over the look-ahead window with a monotonic deque (O(1) amortised,
 *    Lemire 2006), extended by a guard of 12 samples each side so the gain is flat over the
 *    interpolator's support around every peak.
 * 3. Program-dependent release with two envelopes (the dual-time-constant "auto release" of
 *    program limiters; smoothing filters after Giannoulis, Massberg & Reiss, "Digital Dynamic
 *    Range Compressor Design", JAES 60(6), 2012): a fast envelope with instant attack and a
 *    short release, and a slow envelope that charges slowly toward the minimum needed gain
 *    over a longer window (30 ms, a second monotonic deque, both run every 16 frames) and
 *    releases slowly. The gain is their minimum: an isolated transient leaves little charge
 *    in the slow envelope and recovers at the fast rate; sustained reduction (dense music,
 *    low-frequency peaks between which the fast envelope would ripple) is held by the slow
 *    envelope without pumping.
 * 4. Smooth attack: two cascaded moving averages whose spans add to the attack time (a
 *    quadratic-spline ramp, no step). Min-hold before averaging guarantees the averaged gain
 *    never exceeds the gain a peak needs (the usual FIR-smoothed look-ahead limiter, Zoelzer,
 *    DAFX 2nd ed., ch. 4).
 *
 * The output is delayed by `latencyFrames`; the caller drops that many leading frames and
 * appends `flush()` at the end of the stream (length is preserved exactly). A limiter that
 * never needs to act returns its input bit-exactly (delayed).
 */
export class TruePeakLimiter {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly ceiling: Dbtp;
  readonly margin: Decibels;
  /** Total delay of the output relative to the input. */
  readonly latencyFrames: Samples;

  /** Oversampling factor of the detection. */
  readonly oversampling: number;
  private readonly interpolator: PeakInterpolator;
  /** Phases evaluated everywhere (the 4x points) and only near the threshold (the rest). */
  private readonly coarsePhases: readonly number[];
  private readonly finePhases: readonly number[];
  private runPeak = new Float64Array(0);
  private readonly threshold: number;
  private readonly box1Length: number;
  private readonly box2Length: number;
  private readonly holdLength: number;
  /** Window of the slow envelope's minimum, in groups of SUSTAIN_STEP frames. */
  private readonly longGroups: number;
  private readonly kFast: number;
  private readonly kSustainAttack: number;
  private readonly kSustainRelease: number;

  // detection history (last 23 samples per channel)
  private readonly history: Float32Array[];
  private ext = new Float32Array(0);
  private peakBuf = new Float64Array(0);
  private gainBuf = new Float64Array(0);
  // monotonic deque of (value, index) for the sliding minimum
  private readonly dqVal: Float64Array;
  private readonly dqIdx: Float64Array;
  private readonly dqMask: number;
  private dqHead = 0;
  private dqTail = 0;
  // second deque: minimum over the sustain window
  private readonly lqVal: Float64Array;
  private readonly lqIdx: Float64Array;
  private readonly lqMask: number;
  private lqHead = 0;
  private lqTail = 0;
  private group = 0;
  private groupFill = 0;
  private groupMin = 1;
  private longMin = 1;
  private index = 0;
  // envelopes
  private fast = 1;
  private sustain = 1;
  // moving averages over deficits (1 - gain), with counts of non-zero entries
  private readonly box1: Float64Array;
  private readonly box2: Float64Array;
  private box1Pos = 0;
  private box2Pos = 0;
  private box1Sum = 0;
  private box2Sum = 0;
  private box1Count = 0;
  private box2Count = 0;
  private atRest = true;
  // output delay line
  private readonly delay: Float32Array[];
  private delayPos = 0;
  // statistics
  private outputFrame: number;
  private grMinGain = 1;
  /** Sum of ln(gain) is grLogSum + ln(grProduct) (a running product, renormalised before underflow). */
  private grProduct = 1;
  private grLogSum = 0;
  private grActive = 0;
  private grAbove1 = 0;
  private statFrames = 0;

  constructor(options: TruePeakLimiterOptions) {
    const o = { ...TRUE_PEAK_LIMITER_DEFAULTS, ...options };
    if (!(o.sampleRate >= 8000 && o.sampleRate <= 768000)) {
      throw new RangeError(`sample rate must be in [8000, 768000] Hz, got ${o.sampleRate}`);
    }
    if (!Number.isInteger(o.channels) || o.channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${o.channels}`);
    }
    if (!(o.ceiling > -60 && o.ceiling <= 0))
      throw new RangeError(`ceiling must be in (-60, 0] dBTP, got ${o.ceiling}`);
    if (!(o.margin >= 0 && o.margin <= 3))
      throw new RangeError(`margin must be in [0, 3] dB, got ${o.margin}`);
    if (!(o.attack >= 0.0002 && o.attack <= 0.02)) {
      throw new RangeError(`attack must be in [0.0002, 0.02] s, got ${o.attack}`);
    }
    for (const [name, v] of [
      ['release', o.release],
      ['sustainWindow', o.sustainWindow],
      ['sustainAttack', o.sustainAttack],
      ['sustainRelease', o.sustainRelease],
    ] as const) {
      if (!(v >= 0.001 && v <= 10)) throw new RangeError(`${name} must be in [0.001, 10] s, got ${v}`);
    }
    this.sampleRate = o.sampleRate;
    this.channels = o.channels;
    this.ceiling = o.ceiling;
    this.margin = o.margin;
    this.threshold = dbToGain(o.ceiling - o.margin);
    const factor = options.oversampling ?? peakOversamplingFactor(o.sampleRate);
    if (!Number.isInteger(factor) || factor < 2 || factor > 32) {
      throw new RangeError(`oversampling must be an integer in [2, 32], got ${factor}`);
    }
    this.oversampling = factor;
    this.interpolator = designPeakInterpolator(factor);
    const phases = Array.from({ length: factor - 1 }, (_, i) => i + 1);
    const step = factor % 4 === 0 ? factor / 4 : 1;
    this.coarsePhases = phases.filter((p) => p % step === 0);
    this.finePhases = phases.filter((p) => p % step !== 0);

    const span = Math.max(2, Math.round(o.attack * o.sampleRate));
    this.box1Length = Math.floor(span / 2) + 1;
    this.box2Length = span - this.box1Length + 2;
    this.holdLength = span + 2 * GUARD + 1;
    this.latencyFrames = DETECTION_DELAY + span + GUARD;

    this.kFast = 1 - Math.exp(-1 / (o.release * o.sampleRate));
    this.kSustainAttack = 1 - Math.exp(-SUSTAIN_STEP / (o.sustainAttack * o.sampleRate));
    this.kSustainRelease = 1 - Math.exp(-SUSTAIN_STEP / (o.sustainRelease * o.sampleRate));

    this.history = Array.from({ length: o.channels }, () => new Float32Array(PEAK_INTERPOLATOR_TAPS - 1));
    let cap = 1;
    while (cap < this.holdLength + 2) cap <<= 1;
    this.dqVal = new Float64Array(cap);
    this.dqIdx = new Float64Array(cap);
    this.dqMask = cap - 1;
    this.longGroups = Math.max(1, Math.round((o.sustainWindow * o.sampleRate) / SUSTAIN_STEP));
    cap = 1;
    while (cap < this.longGroups + 2) cap <<= 1;
    this.lqVal = new Float64Array(cap);
    this.lqIdx = new Float64Array(cap);
    this.lqMask = cap - 1;
    this.box1 = new Float64Array(this.box1Length);
    this.box2 = new Float64Array(this.box2Length);
    this.delay = Array.from({ length: o.channels }, () => new Float32Array(this.latencyFrames));
    this.outputFrame = -this.latencyFrames;
  }

  /** Limits one planar block in place (output delayed by `latencyFrames`). */
  process(block: Float32Array[]): void {
    if (block.length !== this.channels) {
      throw new RangeError(`expected ${this.channels} channels, got ${block.length}`);
    }
    const frames = block[0].length;
    for (const ch of block) {
      if (ch.length !== frames) throw new RangeError('all channels of a block must have the same length');
    }
    if (frames === 0) return;
    if (this.peakBuf.length < frames) {
      this.peakBuf = new Float64Array(frames);
      this.gainBuf = new Float64Array(frames);
    }
    this.detect(block, frames);
    this.computeGain(frames);
    this.apply(block, frames);
  }

  /** Ends the stream: returns the last `latencyFrames` output frames. The limiter is then reset. */
  flush(): Float32Array[] {
    const tail = Array.from({ length: this.channels }, () => new Float32Array(this.latencyFrames));
    this.process(tail);
    this.resetState();
    return tail;
  }

  stats(): LimiterStats {
    const frames = this.statFrames;
    return {
      maxGainReductionDb: this.grMinGain < 1 ? -20 * Math.log10(this.grMinGain) : 0,
      meanGainReductionDb:
        frames > 0 ? (-20 / Math.LN10) * ((this.grLogSum + Math.log(this.grProduct)) / frames) : 0,
      secondsAbove1Db: this.grAbove1 / this.sampleRate,
      activeFraction: frames > 0 ? this.grActive / frames : 0,
      frames,
    };
  }

  reset(): void {
    this.resetState();
    this.grMinGain = 1;
    this.grProduct = 1;
    this.grLogSum = 0;
    this.grActive = 0;
    this.grAbove1 = 0;
    this.statFrames = 0;
  }

  private resetState(): void {
    for (const h of this.history) h.fill(0);
    for (const d of this.delay) d.fill(0);
    this.delayPos = 0;
    this.dqHead = 0;
    this.dqTail = 0;
    this.lqHead = 0;
    this.lqTail = 0;
    this.group = 0;
    this.groupFill = 0;
    this.groupMin = 1;
    this.longMin = 1;
    this.index = 0;
    this.fast = 1;
    this.sustain = 1;
    this.box1.fill(0);
    this.box2.fill(0);
    this.box1Pos = 0;
    this.box2Pos = 0;
    this.box1Sum = 0;
    this.box2Sum = 0;
    this.box1Count = 0;
    this.box2Count = 0;
    this.atRest = true;
    this.outputFrame = -this.latencyFrames;
  }

  /**
   * peakBuf[n] = max over channels of |x[m]| and the interpolated values in (m, m+1), m = n - 12;
   * 0 where the exact bound (max|x| in reach times the largest phase L1 norm) shows that
   * nothing can exceed the threshold. Two stages: the 4x points first, then the remaining 8x
   * points only where the 4x points come within 1 / cos(pi / 8) (0.69 dB, the most a signal
   * band-limited to fs/2 can rise between points 1/4 sample apart) of the threshold.
   */
  private detect(block: Float32Array[], frames: number): void {
    const hist = PEAK_INTERPOLATOR_TAPS - 1;
    if (this.ext.length < frames + hist) this.ext = new Float32Array(frames + hist);
    const ext = this.ext;
    const peak = this.peakBuf;
    peak.fill(0, 0, frames);
    const limit = this.threshold / this.interpolator.maxPhaseL1;
    for (let c = 0; c < this.channels; c++) {
      const h = this.history[c];
      ext.set(h, 0);
      ext.set(block[c], hist);
      let runStart = -1;
      for (let start = 0; start < frames; start += CHUNK) {
        const end = Math.min(frames, start + CHUNK);
        let needed = false;
        for (let i = start; i < end + hist; i++) {
          const a = ext[i];
          if (a > limit || a < -limit) {
            needed = true;
            break;
          }
        }
        if (needed) {
          if (runStart < 0) runStart = start;
        } else if (runStart >= 0) {
          this.evaluateRun(ext, runStart, start, peak);
          runStart = -1;
        }
      }
      if (runStart >= 0) this.evaluateRun(ext, runStart, frames, peak);
      h.set(ext.subarray(frames, frames + hist));
    }
  }

  private evaluateRun(ext: Float32Array, from: number, to: number, peak: Float64Array): void {
    const centre = PEAK_INTERPOLATOR_TAPS / 2 - 1;
    const run =
      this.runPeak.length >= to - from ? this.runPeak : (this.runPeak = new Float64Array(to - from));
    for (let n = from; n < to; n++) run[n - from] = Math.abs(ext[n + centre]);
    for (const p of this.coarsePhases) this.phaseMax(ext, from, to, p, run, from);
    if (this.finePhases.length > 0) {
      const bound = this.threshold * Math.cos(Math.PI / 8);
      for (let n = from; n < to; n++) {
        const k = n - from;
        const next = k + 1 < to - from ? run[k + 1] : Math.abs(ext[n + centre + 1]);
        if (run[k] > bound || next > bound) {
          for (const p of this.finePhases) this.phaseMax(ext, n, n + 1, p, run, from);
        }
      }
    }
    for (let n = from; n < to; n++) if (run[n - from] > peak[n]) peak[n] = run[n - from];
  }

  /**
   * run[n - base] = max(run[n - base], |phase p at frame n|) for frames [from, to); one phase's
   * 24 taps stay in locals over the run. Frame n reads ext[n .. n + 23] (x[m - 11] .. x[m + 12]).
   */
  private phaseMax(
    ext: Float32Array,
    from: number,
    to: number,
    p: number,
    run: Float64Array,
    base: number,
  ): void {
    const coef = this.interpolator.coefficients;
    const o = (p - 1) * PEAK_INTERPOLATOR_TAPS;
    const c0 = coef[o];
    const c1 = coef[o + 1];
    const c2 = coef[o + 2];
    const c3 = coef[o + 3];
    const c4 = coef[o + 4];
    const c5 = coef[o + 5];
    const c6 = coef[o + 6];
    const c7 = coef[o + 7];
    const c8 = coef[o + 8];
    const c9 = coef[o + 9];
    const c10 = coef[o + 10];
    const c11 = coef[o + 11];
    const c12 = coef[o + 12];
    const c13 = coef[o + 13];
    const c14 = coef[o + 14];
    const c15 = coef[o + 15];
    const c16 = coef[o + 16];
    const c17 = coef[o + 17];
    const c18 = coef[o + 18];
    const c19 = coef[o + 19];
    const c20 = coef[o + 20];
    const c21 = coef[o + 21];
    const c22 = coef[o + 22];
    const c23 = coef[o + 23];
    for (let n = from; n < to; n++) {
      let y =
        c0 * ext[n] +
        (c1 * ext[n + 1] + c2 * ext[n + 2]) +
        (c3 * ext[n + 3] + (c4 * ext[n + 4] + c5 * ext[n + 5])) +
        (c6 * ext[n + 6] +
          (c7 * ext[n + 7] + c8 * ext[n + 8]) +
          (c9 * ext[n + 9] + (c10 * ext[n + 10] + c11 * ext[n + 11]))) +
        (c12 * ext[n + 12] +
          (c13 * ext[n + 13] + c14 * ext[n + 14]) +
          (c15 * ext[n + 15] + (c16 * ext[n + 16] + c17 * ext[n + 17])) +
          (c18 * ext[n + 18] +
            (c19 * ext[n + 19] + c20 * ext[n + 20]) +
            (c21 * ext[n + 21] + (c22 * ext[n + 22] + c23 * ext[n + 23]))));
      if (y < 0) y = -y;
      if (y > run[n - base]) run[n - base] = y;
    }
  }

  /** gainBuf[n] = smoothed gain for the output frame n (already aligned with the delay line). */
  private computeGain(frames: number): void {
    const peak = this.peakBuf;
    const gain = this.gainBuf;
    const thr = this.threshold;
    const dqVal = this.dqVal;
    const dqIdx = this.dqIdx;
    const mask = this.dqMask;
    const hold = this.holdLength;
    const lqVal = this.lqVal;
    const lqIdx = this.lqIdx;
    const lmask = this.lqMask;
    const longGroups = this.longGroups;
    const box1 = this.box1;
    const box2 = this.box2;
    const len1 = this.box1Length;
    const len2 = this.box2Length;
    const inv1 = 1 / len1;
    const inv2 = 1 / len2;
    const kFast = this.kFast;
    const kSa = this.kSustainAttack;
    const kSr = this.kSustainRelease;
    let group = this.group;
    let groupFill = this.groupFill;
    let groupMin = this.groupMin;
    let hl = this.longMin;
    let head = this.dqHead;
    let tail = this.dqTail;
    let lhead = this.lqHead;
    let ltail = this.lqTail;
    let index = this.index;
    let fast = this.fast;
    let sustain = this.sustain;
    let pos1 = this.box1Pos;
    let pos2 = this.box2Pos;
    let sum1 = this.box1Sum;
    let sum2 = this.box2Sum;
    let cnt1 = this.box1Count;
    let cnt2 = this.box2Count;
    let atRest = this.atRest;
    let outFrame = this.outputFrame;
    let grMin = this.grMinGain;
    let grProd = this.grProduct;
    let grLogSum = this.grLogSum;
    let grActive = this.grActive;
    let grAbove1 = this.grAbove1;
    let statFrames = this.statFrames;

    for (let n = 0; n < frames; n++) {
      const p = peak[n];
      index++;
      if (atRest && p <= thr) {
        gain[n] = 1;
        if (outFrame >= 0) statFrames++;
        outFrame++;
        continue;
      }
      if (atRest) {
        // the window held only ones: represent it by a single entry
        head = 0;
        tail = 1;
        dqVal[0] = 1;
        dqIdx[0] = index - 1;
        lhead = 0;
        ltail = 1;
        lqVal[0] = 1;
        lqIdx[0] = group;
        groupFill = 0;
        groupMin = 1;
        hl = 1;
        atRest = false;
      }
      const v = p > thr ? thr / p : 1;
      while (tail > head && dqVal[(tail - 1) & mask] >= v) tail--;
      dqVal[tail & mask] = v;
      dqIdx[tail & mask] = index;
      tail++;
      while (dqIdx[head & mask] <= index - hold) head++;
      const h = dqVal[head & mask];
      // the slow envelope runs once per SUSTAIN_STEP frames on the group minimum
      if (v < groupMin) groupMin = v;
      if (++groupFill === SUSTAIN_STEP) {
        group++;
        while (ltail > lhead && lqVal[(ltail - 1) & lmask] >= groupMin) ltail--;
        lqVal[ltail & lmask] = groupMin;
        lqIdx[ltail & lmask] = group;
        ltail++;
        while (lqIdx[lhead & lmask] <= group - longGroups) lhead++;
        hl = lqVal[lhead & lmask];
        if (hl < sustain) sustain += (hl - sustain) * kSa;
        else if (sustain < hl) {
          sustain += (hl + RELEASE_OVERSHOOT - sustain) * kSr;
          if (sustain > hl) sustain = hl;
        }
        groupFill = 0;
        groupMin = 1;
      }

      if (h < fast) fast = h;
      else if (fast < h) {
        fast += (h + RELEASE_OVERSHOOT - fast) * kFast;
        if (fast > h) fast = h;
      }
      const r = fast < sustain ? fast : sustain;

      const d1 = 1 - r;
      const old1 = box1[pos1];
      if (old1 !== 0) cnt1--;
      if (d1 !== 0) cnt1++;
      sum1 += d1 - old1;
      if (cnt1 === 0) sum1 = 0;
      box1[pos1] = d1;
      if (++pos1 === len1) pos1 = 0;
      const d2 = sum1 * inv1;
      const old2 = box2[pos2];
      if (old2 !== 0) cnt2--;
      if (d2 !== 0) cnt2++;
      sum2 += d2 - old2;
      if (cnt2 === 0) sum2 = 0;
      box2[pos2] = d2;
      if (++pos2 === len2) pos2 = 0;
      let g = 1 - sum2 * inv2;
      if (g > 1) g = 1;
      gain[n] = g;

      if (outFrame >= 0) {
        statFrames++;
        if (g < 1) {
          grActive++;
          grProd *= g;
          if (grProd < 1e-250) {
            grLogSum += Math.log(grProd);
            grProd = 1;
          }
          if (g < grMin) grMin = g;
          if (g < GAIN_MINUS_1DB) grAbove1++;
        }
      }
      outFrame++;
      atRest =
        h === 1 && hl === 1 && groupMin === 1 && fast === 1 && sustain === 1 && cnt1 === 0 && cnt2 === 0;
    }

    this.dqHead = head;
    this.dqTail = tail;
    this.lqHead = lhead;
    this.lqTail = ltail;
    this.group = group;
    this.groupFill = groupFill;
    this.groupMin = groupMin;
    this.longMin = hl;
    this.index = index;
    this.fast = fast;
    this.sustain = sustain;
    this.box1Pos = pos1;
    this.box2Pos = pos2;
    this.box1Sum = sum1;
    this.box2Sum = sum2;
    this.box1Count = cnt1;
    this.box2Count = cnt2;
    this.atRest = atRest;
    this.outputFrame = outFrame;
    this.grMinGain = grMin;
    this.grProduct = grProd;
    this.grLogSum = grLogSum;
    this.grActive = grActive;
    this.grAbove1 = grAbove1;
    this.statFrames = statFrames;
  }

  private apply(block: Float32Array[], frames: number): void {
    const gain = this.gainBuf;
    const len = this.latencyFrames;
    let pos = this.delayPos;
    for (let c = 0; c < this.channels; c++) {
      const x = block[c];
      const ring = this.delay[c];
      pos = this.delayPos;
      for (let n = 0; n < frames; n++) {
        const v = x[n];
        x[n] = ring[pos] * gain[n];
        ring[pos] = v;
        if (++pos === len) pos = 0;
      }
    }
    this.delayPos = pos;
  }
}
