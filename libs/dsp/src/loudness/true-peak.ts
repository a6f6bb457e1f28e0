import type { Gain, Hertz } from '../units';
import { LOUDNESS_MAX_SAMPLE_RATE, LOUDNESS_MIN_SAMPLE_RATE } from './k-weighting';

/**
 * True-peak measurement per ITU-R BS.1770-5 Annex 2: oversample, low-pass interpolate, take the
 * absolute maximum of the oversampled signal.
 *
 * The interpolator is a Kaiser-windowed sinc (a Nyquist filter: its phase 0 is the input sample
 * itself, so the true peak never reads below the sample peak), used as a polyphase FIR with
 * TAPS_PER_PHASE taps per phase. Its phases are flat to +-0.04 dB up to 0.4 fs (the BS.1770
 * example filter ripples +-0.24 dB), so the reading errs only by where the oversampled points
 * fall on the waveform, as the Recommendation intends.
 *
 * Speed: the 16 taps are unrolled, phases p and L-p are computed together from the filter's
 * symmetry, and whole runs of SUB_BLOCK output positions are skipped when max|x| over their
 * input window times the largest phase L1 norm cannot exceed the running maximum (nor the over
 * threshold): the skip is exact, not an approximation.
 */
export const TRUE_PEAK_TAPS_PER_PHASE = 16;
export const TRUE_PEAK_KAISER_BETA = 5;

const T = TRUE_PEAK_TAPS_PER_PHASE;
const HALF = T / 2;
const SUB_BLOCK = 32;

/**
 * Oversampling factor per BS.1770-5 Annex 2 as libebur128 applies it: 4x below 96 kHz (192 kHz
 * at 48 kHz, 176.4 kHz at 44.1 kHz), 2x below 192 kHz, 1x (the sample peak) from 192 kHz.
 * Rates below 48 kHz keep 4x: the reading error depends on the oversampling factor relative to
 * the signal's bandwidth (worst case cos(pi f / (4 fs)), -0.17 dB at fs/4), not on the absolute
 * oversampled rate.
 */
export function truePeakOversampling(sampleRate: Hertz): number {
  if (!(sampleRate >= LOUDNESS_MIN_SAMPLE_RATE && sampleRate <= LOUDNESS_MAX_SAMPLE_RATE)) {
    throw new RangeError(
      `sample rate must be in [${LOUDNESS_MIN_SAMPLE_RATE}, ${LOUDNESS_MAX_SAMPLE_RATE}] Hz, got ${sampleRate}`,
    );
  }
  return sampleRate < 96000 ? 4 : sampleRate < 192000 ? 2 : 1;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 60; k++) {
    const h = x / (2 * k);
    term *= h * h;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Polyphase interpolator for one oversampling factor. */
export interface TruePeakInterpolator {
  readonly factor: number;
  readonly tapsPerPhase: number;
  /**
   * Phases 1..factor-1, `tapsPerPhase` each: output at position m + p/factor is
   * sum_j coefficients[(p-1)*T + j] * x[m - T/2 + 1 + j]. Phase 0 is x[m] itself.
   */
  readonly coefficients: Float64Array;
  /** Largest sum of |coefficient| over the phases: |output| <= maxPhaseL1 * max|x| over the window. */
  readonly maxPhaseL1: number;
}

/** Kaiser-windowed sinc interpolator with T taps per phase, cut off at the input Nyquist frequency. */
export function designTruePeakInterpolator(
  factor: number,
  kaiserBeta = TRUE_PEAK_KAISER_BETA,
): TruePeakInterpolator {
  if (!Number.isInteger(factor) || factor < 1 || factor > 64) {
    throw new RangeError(`oversampling factor must be an integer in [1, 64], got ${factor}`);
  }
  const coefficients = new Float64Array((factor - 1) * T);
  const i0beta = besselI0(kaiserBeta);
  let maxPhaseL1 = 1;
  for (let p = 1; p < factor; p++) {
    let l1 = 0;
    let sum = 0;
    for (let j = 0; j < T; j++) {
      const tau = j - HALF + 1 - p / factor; // distance from the output position to tap j
      const r = tau / HALF;
      const w = besselI0(kaiserBeta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta;
      const s = Math.sin(Math.PI * tau) / (Math.PI * tau);
      coefficients[(p - 1) * T + j] = s * w;
      sum += s * w;
    }
    // Normalise each phase to unity gain at DC so a constant reads exactly its level.
    for (let j = 0; j < T; j++) {
      coefficients[(p - 1) * T + j] /= sum;
      l1 += Math.abs(coefficients[(p - 1) * T + j]);
    }
    if (l1 > maxPhaseL1) maxPhaseL1 = l1;
  }
  return Object.freeze({ factor, tapsPerPhase: T, coefficients, maxPhaseL1 });
}

/** Count of oversampled values above the over threshold, as events (runs) and as values. */
export interface TruePeakOvers {
  /** Runs of consecutive oversampled values above the threshold. */
  readonly events: number;
  /** Oversampled values above the threshold (at factor x the sample rate). */
  readonly samples: number;
}

export interface TruePeakMeterOptions {
  sampleRate: Hertz;
  channels: number;
  /** Linear level above which oversampled values count as overs; default 1.0 (0 dBTP). */
  overThreshold?: Gain;
}

/**
 * Largest |y| over the phases for centre positions [from, to) of `buf`, using the symmetry of
 * the interpolator: phase L-p is phase p reversed, so with s_j = x_j + x_(15-j) and
 * d_j = x_j - x_(15-j) both come from E = sum e_j s_j and O = sum o_j d_j (y_p = E + O,
 * y_(L-p) = E - O): 16 multiplies and 16 loads for two phases instead of 32 and 32 (measured
 * 1.3x). `pairs` holds 16 values per pair (e_0..7, o_0..7); `mid` the 8 e_j of the symmetric
 * phase L/2 for even L (or is empty). Each run keeps one pair's coefficients in registers.
 */
function interpolatedMax(
  buf: Float64Array,
  from: number,
  to: number,
  pairs: Float64Array,
  mid: Float64Array,
): number {
  let m = 0;
  const first = from - HALF + 1;
  const last = to - HALF + 1;
  for (let o = 0; o < pairs.length; o += T) {
    const e0 = pairs[o];
    const e1 = pairs[o + 1];
    const e2 = pairs[o + 2];
    const e3 = pairs[o + 3];
    const e4 = pairs[o + 4];
    const e5 = pairs[o + 5];
    const e6 = pairs[o + 6];
    const e7 = pairs[o + 7];
    const o0 = pairs[o + 8];
    const o1 = pairs[o + 9];
    const o2 = pairs[o + 10];
    const o3 = pairs[o + 11];
    const o4 = pairs[o + 12];
    const o5 = pairs[o + 13];
    const o6 = pairs[o + 14];
    const o7 = pairs[o + 15];
    for (let i = first; i < last; i++) {
      const a0 = buf[i];
      const b0 = buf[i + 15];
      const a1 = buf[i + 1];
      const b1 = buf[i + 14];
      const a2 = buf[i + 2];
      const b2 = buf[i + 13];
      const a3 = buf[i + 3];
      const b3 = buf[i + 12];
      const a4 = buf[i + 4];
      const b4 = buf[i + 11];
      const a5 = buf[i + 5];
      const b5 = buf[i + 10];
      const a6 = buf[i + 6];
      const b6 = buf[i + 9];
      const a7 = buf[i + 7];
      const b7 = buf[i + 8];
      const e =
        e0 * (a0 + b0) +
        e1 * (a1 + b1) +
        (e2 * (a2 + b2) + e3 * (a3 + b3)) +
        (e4 * (a4 + b4) + e5 * (a5 + b5) + (e6 * (a6 + b6) + e7 * (a7 + b7)));
      const d =
        o0 * (a0 - b0) +
        o1 * (a1 - b1) +
        (o2 * (a2 - b2) + o3 * (a3 - b3)) +
        (o4 * (a4 - b4) + o5 * (a5 - b5) + (o6 * (a6 - b6) + o7 * (a7 - b7)));
      // Compare squares: branch-free (a sign test mispredicts on noise-like input) and no Math
      // global lookup in the loop (slow inside jest's vm sandbox).
      const y1 = e + d;
      const y2 = e - d;
      const q1 = y1 * y1;
      const q2 = y2 * y2;
      if (q1 > m) m = q1;
      if (q2 > m) m = q2;
    }
  }
  if (mid.length === HALF) {
    const e0 = mid[0];
    const e1 = mid[1];
    const e2 = mid[2];
    const e3 = mid[3];
    const e4 = mid[4];
    const e5 = mid[5];
    const e6 = mid[6];
    const e7 = mid[7];
    for (let i = first; i < last; i++) {
      const y =
        e0 * (buf[i] + buf[i + 15]) +
        e1 * (buf[i + 1] + buf[i + 14]) +
        (e2 * (buf[i + 2] + buf[i + 13]) + e3 * (buf[i + 3] + buf[i + 12])) +
        (e4 * (buf[i + 4] + buf[i + 11]) +
          e5 * (buf[i + 5] + buf[i + 10]) +
          (e6 * (buf[i + 6] + buf[i + 9]) + e7 * (buf[i + 7] + buf[i + 8])));
      const q = y * y;
      if (q > m) m = q;
    }
  }
  return Math.sqrt(m);
}

/** Folds the phases into the symmetric pair form interpolatedMax uses. */
function foldPhases(it: TruePeakInterpolator): { pairs: Float64Array; mid: Float64Array } {
  const L = it.factor;
  const c = it.coefficients;
  const npairs = Math.floor((L - 1) / 2);
  const pairs = new Float64Array(npairs * T);
  for (let k = 0; k < npairs; k++) {
    const o = k * T; // phase p = k + 1, stored at (p - 1) * T
    for (let j = 0; j < HALF; j++) {
      pairs[o + j] = (c[o + j] + c[o + T - 1 - j]) / 2;
      pairs[o + HALF + j] = (c[o + j] - c[o + T - 1 - j]) / 2;
    }
  }
  let mid = new Float64Array(0);
  if (L % 2 === 0) {
    const o = (L / 2 - 1) * T;
    mid = new Float64Array(HALF);
    for (let j = 0; j < HALF; j++) mid[j] = (c[o + j] + c[o + T - 1 - j]) / 2;
  }
  return { pairs, mid };
}

/** Per-channel run state of the over counter. */
interface OverState {
  inRun: boolean;
  events: number;
  samples: number;
}

/**
 * Path for runs that exceed the over threshold: writes the oversampled values in time order
 * into `scratch` (same phase-outer kernel) and counts the runs above the threshold.
 */
function countOvers(
  buf: Float64Array,
  from: number,
  to: number,
  c: Float64Array,
  phases: number,
  threshold: number,
  state: OverState,
  scratch: Float64Array,
): void {
  const stride = phases + 1;
  for (let b = from; b < to; b++) scratch[(b - from) * stride] = buf[b];
  for (let p = 0, o = 0; p < phases; p++, o += T) {
    const c0 = c[o];
    const c1 = c[o + 1];
    const c2 = c[o + 2];
    const c3 = c[o + 3];
    const c4 = c[o + 4];
    const c5 = c[o + 5];
    const c6 = c[o + 6];
    const c7 = c[o + 7];
    const c8 = c[o + 8];
    const c9 = c[o + 9];
    const c10 = c[o + 10];
    const c11 = c[o + 11];
    const c12 = c[o + 12];
    const c13 = c[o + 13];
    const c14 = c[o + 14];
    const c15 = c[o + 15];
    for (let i = from - HALF + 1, w = p + 1, end = to - HALF + 1; i < end; i++, w += stride) {
      scratch[w] =
        c0 * buf[i] +
        c1 * buf[i + 1] +
        (c2 * buf[i + 2] + c3 * buf[i + 3]) +
        (c4 * buf[i + 4] + c5 * buf[i + 5] + (c6 * buf[i + 6] + c7 * buf[i + 7])) +
        (c8 * buf[i + 8] +
          c9 * buf[i + 9] +
          (c10 * buf[i + 10] + c11 * buf[i + 11]) +
          (c12 * buf[i + 12] + c13 * buf[i + 13] + (c14 * buf[i + 14] + c15 * buf[i + 15])));
    }
  }
  const total = (to - from) * stride;
  let inRun = state.inRun;
  let events = state.events;
  let samples = state.samples;
  const t2 = threshold * threshold;
  for (let w = 0; w < total; w++) {
    if (scratch[w] * scratch[w] > t2) {
      if (!inRun) events++;
      inRun = true;
      samples++;
    } else {
      inRun = false;
    }
  }
  state.inRun = inRun;
  state.events = events;
  state.samples = samples;
}

/**
 * Streaming true-peak and sample-peak meter (ITU-R BS.1770-5 Annex 2), per channel, with an
 * inter-sample over counter. Memory is constant: T-1 samples of history per channel plus a
 * scratch buffer the size of the largest block.
 */
export class TruePeakMeter {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly interpolator: TruePeakInterpolator;
  readonly overThreshold: Gain;
  private readonly history: Float64Array[];
  private readonly truePeak: Float64Array;
  private readonly samplePeak: Float64Array;
  private readonly overs: OverState[];
  private buf = new Float64Array(0);
  private chunkMax = new Float64Array(0);
  private readonly scratch: Float64Array;
  private readonly pairs: Float64Array;
  private readonly mid: Float64Array;

  constructor(options: TruePeakMeterOptions) {
    const { sampleRate, channels } = options;
    this.interpolator = designTruePeakInterpolator(truePeakOversampling(sampleRate));
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      throw new RangeError(`channels must be an integer in [1, 64], got ${channels}`);
    }
    const overThreshold = options.overThreshold ?? 1;
    if (!(overThreshold > 0)) throw new RangeError(`over threshold must be > 0, got ${overThreshold}`);
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.overThreshold = overThreshold;
    this.history = Array.from({ length: channels }, () => new Float64Array(T - 1));
    this.truePeak = new Float64Array(channels);
    this.samplePeak = new Float64Array(channels);
    this.overs = Array.from({ length: channels }, () => ({ inRun: false, events: 0, samples: 0 }));
    this.scratch = new Float64Array(SUB_BLOCK * this.interpolator.factor);
    const folded = foldPhases(this.interpolator);
    this.pairs = folded.pairs;
    this.mid = folded.mid;
  }

  /** Feeds one planar block (one Float32Array per channel, all the same length). */
  process(block: readonly Float32Array[]): void {
    const n = block[0].length;
    for (let ch = 0; ch < this.channels; ch++) {
      this.processChannel(ch, block[ch], n);
    }
  }

  private processChannel(ch: number, x: Float32Array, n: number): void {
    if (n === 0) return;
    const len = T - 1 + n;
    if (this.buf.length < len) {
      this.buf = new Float64Array(len + (len >> 2));
      this.chunkMax = new Float64Array(Math.ceil(this.buf.length / SUB_BLOCK) + 1);
    }
    const buf = this.buf;
    const hist = this.history[ch];
    buf.set(hist, 0);
    for (let i = 0; i < n; i++) buf[T - 1 + i] = x[i];
    hist.set(buf.subarray(len - (T - 1), len));

    // Per-chunk max |x|: gives the sample peak and the skip bound.
    const cm = this.chunkMax;
    const chunks = Math.ceil(len / SUB_BLOCK);
    let sp = this.samplePeak[ch];
    for (let k = 0, s = 0; k < chunks; k++, s += SUB_BLOCK) {
      const e = s + SUB_BLOCK < len ? s + SUB_BLOCK : len;
      let m = 0;
      for (let i = s; i < e; i++) {
        const q = buf[i] * buf[i];
        if (q > m) m = q;
      }
      m = Math.sqrt(m);
      cm[k] = m;
      if (m > sp) sp = m;
    }
    cm[chunks] = 0;
    this.samplePeak[ch] = sp;

    const { coefficients, factor, maxPhaseL1 } = this.interpolator;
    const phases = factor - 1;
    let tp = this.truePeak[ch] > sp ? this.truePeak[ch] : sp;
    if (phases > 0) {
      const overThr = this.overThreshold;
      const state = this.overs[ch];
      // Centre positions (buffer indices) HALF-1 .. HALF-1+n; run k needs chunks k and k+1.
      for (let k = 0; k * SUB_BLOCK < n; k++) {
        const from = HALF - 1 + k * SUB_BLOCK;
        const to = from + SUB_BLOCK < HALF - 1 + n ? from + SUB_BLOCK : HALF - 1 + n;
        const bound = (cm[k] > cm[k + 1] ? cm[k] : cm[k + 1]) * maxPhaseL1;
        if (bound <= tp && bound <= overThr) {
          state.inRun = false;
          continue;
        }
        const m = interpolatedMax(buf, from, to, this.pairs, this.mid);
        if (m > tp) tp = m;
        if (m > overThr || cm[k] > overThr || cm[k + 1] > overThr) {
          countOvers(buf, from, to, coefficients, phases, overThr, state, this.scratch);
        } else {
          state.inRun = false;
        }
      }
    } else {
      this.countSampleOvers(ch, buf, T - 1, len);
    }
    this.truePeak[ch] = tp;
  }

  /** Factor 1 (>= 192 kHz): the samples themselves are the oversampled signal. */
  private countSampleOvers(ch: number, buf: Float64Array, from: number, to: number): void {
    const thr = this.overThreshold;
    const state = this.overs[ch];
    const t2 = thr * thr;
    for (let i = from; i < to; i++) {
      if (buf[i] * buf[i] > t2) {
        if (!state.inRun) state.events++;
        state.inRun = true;
        state.samples++;
      } else {
        state.inRun = false;
      }
    }
  }

  /**
   * Interpolated values still pending at the end of the stream (the last T/2 positions need
   * samples that have not arrived): evaluated as if silence followed, without changing state.
   */
  private tail(ch: number, overs: OverState): number {
    const { coefficients, factor } = this.interpolator;
    if (factor === 1) return 0;
    const buf = new Float64Array(T - 1 + HALF);
    buf.set(this.history[ch], 0);
    const from = HALF - 1;
    const to = HALF - 1 + HALF;
    const m = interpolatedMax(buf, from, to, this.pairs, this.mid);
    if (m > this.overThreshold || this.samplePeak[ch] > this.overThreshold) {
      countOvers(
        buf,
        from,
        to,
        coefficients,
        factor - 1,
        this.overThreshold,
        overs,
        new Float64Array(HALF * factor),
      );
    }
    return m;
  }

  /** Linear true peak per channel (includes the pending tail). */
  truePeaks(): Float64Array {
    const out = new Float64Array(this.channels);
    for (let ch = 0; ch < this.channels; ch++) {
      const scratch: OverState = { ...this.overs[ch] };
      const t = this.tail(ch, scratch);
      out[ch] = Math.max(this.truePeak[ch], this.samplePeak[ch], t);
    }
    return out;
  }

  /** Linear sample peak per channel. */
  samplePeaks(): Float64Array {
    return Float64Array.from(this.samplePeak);
  }

  /** Inter-sample overs per channel (includes the pending tail). */
  oversPerChannel(): TruePeakOvers[] {
    const out: TruePeakOvers[] = [];
    for (let ch = 0; ch < this.channels; ch++) {
      const scratch: OverState = { ...this.overs[ch] };
      this.tail(ch, scratch);
      out.push({ events: scratch.events, samples: scratch.samples });
    }
    return out;
  }

  reset(): void {
    for (let ch = 0; ch < this.channels; ch++) {
      this.history[ch].fill(0);
      this.overs[ch] = { inRun: false, events: 0, samples: 0 };
    }
    this.truePeak.fill(0);
    this.samplePeak.fill(0);
  }
}
