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
 * symmetry, and output positions are only evaluated where an exact bound says they could exceed
 * the running maximum or the over threshold (see skipBounds): the skip is exact, not an
 * approximation, and the readings are bit-identical to evaluating every position.
 */
export const TRUE_PEAK_TAPS_PER_PHASE = 16;
export const TRUE_PEAK_KAISER_BETA = 5;

const T = TRUE_PEAK_TAPS_PER_PHASE;
const HALF = T / 2;
/** Output positions per run of the over counter (and of the coarse skip test). */
const SUB_BLOCK = 32;
/** Samples per min/max chunk, and output positions per run of the range-bound skip test. */
const CHUNK = 16;
/** Centre taps whose contribution the per-position bound evaluates exactly (x[m-1] .. x[m+2]). */
const CENTRE_FIRST = HALF - 2;
const CENTRE_LAST = HALF + 1;
/** Relative slack of the skip tests: far above the rounding of a 16-tap sum, far below any reading. */
const SKIP_SLACK = 1e-12;

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

/**
 * Constants of the exact per-position skip bound. Every phase has unity gain at DC (sum_j c_j = 1),
 * so with its centre taps (CENTRE_FIRST..CENTRE_LAST) evaluated exactly as cc, a phase's output
 * over a window whose samples lie in [lo, hi] lies in [cc + pos*lo - neg*hi, cc + pos*hi - neg*lo],
 * pos and neg being the sums of its remaining positive and negative taps. Phases p and L-p are
 * mirror images and share pos and neg; their centre parts are E +- O in the folded form.
 */
interface SkipBounds {
  /** The pair's folded centre coefficients e_(H-2), e_(H-1), o_(H-2), o_(H-1) (or empty). */
  readonly pair: Float64Array;
  readonly pairPos: number;
  readonly pairNeg: number;
  /** The symmetric phase's folded centre coefficients e_(H-2), e_(H-1) (or empty). */
  readonly mid: Float64Array;
  readonly midPos: number;
  readonly midNeg: number;
}

function restSums(c: Float64Array, o: number): [number, number] {
  let pos = 0;
  let neg = 0;
  for (let j = 0; j < T; j++) {
    if (j >= CENTRE_FIRST && j <= CENTRE_LAST) continue;
    const v = c[o + j];
    if (v > 0) pos += v;
    else neg -= v;
  }
  return [pos, neg];
}

function skipBounds(it: TruePeakInterpolator, pairs: Float64Array, mid: Float64Array): SkipBounds {
  const c = it.coefficients;
  let pair = new Float64Array(0);
  let pairPos = 0;
  let pairNeg = 0;
  if (pairs.length === T) {
    const [p1, n1] = restSums(c, 0);
    const [p2, n2] = restSums(c, (it.factor - 2) * T);
    pairPos = Math.max(p1, p2);
    pairNeg = Math.max(n1, n2);
    pair = Float64Array.of(pairs[HALF - 2], pairs[HALF - 1], pairs[T - 2], pairs[T - 1]);
  }
  let midC = new Float64Array(0);
  let midPos = 0;
  let midNeg = 0;
  if (mid.length === HALF) {
    [midPos, midNeg] = restSums(c, (it.factor / 2 - 1) * T);
    midC = Float64Array.of(mid[HALF - 2], mid[HALF - 1]);
  }
  return { pair, pairPos, pairNeg, mid: midC, midPos, midNeg };
}

// Order-preserving int32 keys of float32 values, for branch-free per-chunk minima and maxima:
// key = bits ^ ((bits >> 31) & 0x7fffffff) orders as the floats do (NaN aside); keys are kept
// halved (key >> 1) so that differences fit in int32, and widened outwards when read back
// (2k + 1 for a maximum, 2k for a minimum), which bounds the true extreme within one float32 ulp.
const CV_F = new Float32Array(1);
const CV_I = new Int32Array(CV_F.buffer);
const ABS_MASK = 0x7fffffff;
/** Float32 bits above this (absolute value) are NaN. */
const INF_BITS = 0x7f800000;

function halfKey(v: number): number {
  CV_F[0] = v;
  const b = CV_I[0];
  return (b ^ ((b >> 31) & ABS_MASK)) >> 1;
}

function keyValue(key: number): number {
  CV_I[0] = key ^ ((key >> 31) & ABS_MASK);
  return CV_F[0];
}

const POS_INF = Infinity;
const NEG_INF = -Infinity;
const EMPTY_HI = halfKey(NEG_INF);
const EMPTY_LO = halfKey(POS_INF);

/**
 * Largest y^2 over the output positions [from, to) of `buf` that could exceed `limit`, for
 * factor 4 (one mirrored pair plus the symmetric phase) or 2 (the symmetric phase alone, `pairs`
 * empty). Two exact tests skip positions whose every phase is provably <= limit:
 * 1. per CHUNK positions, from the window's sample range [lo, hi] (chunk keys `hiK`/`loK` from
 *    `chunk0` on): |y| <= |hi + lo|/2 + L1 (hi - lo)/2 (unity DC gain; tight on low-frequency
 *    content, unlike L1 max|x|);
 * 2. per position, the centre taps exactly plus the range bound of the other taps (SkipBounds).
 * Both carry SKIP_SLACK * max|x| of absolute slack (above the rounding of either side) and test
 * against limit (1 - 1e-9), so a skipped value is strictly below the running maximum and the
 * over threshold. The rest is evaluated with interpolatedMax's arithmetic, so the maximum over
 * the positions that matter is bit-identical.
 */
function boundedMaxSquare(
  buf: Float64Array,
  from: number,
  to: number,
  hiK: Int32Array,
  loK: Int32Array,
  chunk0: number,
  limit: number,
  l1: number,
  pairs: Float64Array,
  mid: Float64Array,
  sb: SkipBounds,
): number {
  const hasPair = pairs.length === T;
  const lim = limit * (1 - 1e-9);
  let mq = 0;
  // Exact coefficients (used only where the bounds fail).
  const e0 = hasPair ? pairs[0] : 0;
  const e1 = hasPair ? pairs[1] : 0;
  const e2 = hasPair ? pairs[2] : 0;
  const e3 = hasPair ? pairs[3] : 0;
  const e4 = hasPair ? pairs[4] : 0;
  const e5 = hasPair ? pairs[5] : 0;
  const e6 = hasPair ? pairs[6] : 0;
  const e7 = hasPair ? pairs[7] : 0;
  const o0 = hasPair ? pairs[8] : 0;
  const o1 = hasPair ? pairs[9] : 0;
  const o2 = hasPair ? pairs[10] : 0;
  const o3 = hasPair ? pairs[11] : 0;
  const o4 = hasPair ? pairs[12] : 0;
  const o5 = hasPair ? pairs[13] : 0;
  const o6 = hasPair ? pairs[14] : 0;
  const o7 = hasPair ? pairs[15] : 0;
  const m0 = mid[0];
  const m1 = mid[1];
  const m2 = mid[2];
  const m3 = mid[3];
  const m4 = mid[4];
  const m5 = mid[5];
  const m6 = mid[6];
  const m7 = mid[7];
  // Centre coefficients of the bound.
  const pe6 = hasPair ? sb.pair[0] : 0;
  const pe7 = hasPair ? sb.pair[1] : 0;
  const po6 = hasPair ? sb.pair[2] : 0;
  const po7 = hasPair ? sb.pair[3] : 0;
  const me6 = sb.mid[0];
  const me7 = sb.mid[1];
  const pp = sb.pairPos;
  const pn = sb.pairNeg;
  const mp = sb.midPos;
  const mn = sb.midNeg;
  for (let q = chunk0, f = from; f < to; q++, f += CHUNK) {
    const e = f + CHUNK < to ? f + CHUNK : to;
    const start = f - HALF + 1;
    const end = e - HALF + 1;
    // Sample range of the window (chunks q and q + 1), widened to float32 neighbours.
    const hi = keyValue(((hiK[q] > hiK[q + 1] ? hiK[q] : hiK[q + 1]) << 1) | 1);
    const lo = keyValue((loK[q] < loK[q + 1] ? loK[q] : loK[q + 1]) << 1);
    const slack = SKIP_SLACK * (hi > -lo ? hi : -lo);
    const c = (hi + lo) * 0.5;
    const bound = (c < 0 ? -c : c) + l1 * (hi - lo) * 0.5 + slack;
    if (bound <= lim) continue;
    // Phase outputs must lie in [B, A] around their centre parts to be skipped (NaN fails).
    const a2 = lim - slack - (mp * hi - mn * lo);
    const b2 = slack - lim - (mp * lo - mn * hi);
    if (hasPair) {
      const a1 = lim - slack - (pp * hi - pn * lo);
      const b1 = slack - lim - (pp * lo - pn * hi);
      for (let i = start; i < end; i++) {
        const x6 = buf[i + 6];
        const x7 = buf[i + 7];
        const x8 = buf[i + 8];
        const x9 = buf[i + 9];
        const s6 = x6 + x9;
        const s7 = x7 + x8;
        const ce = pe6 * s6 + pe7 * s7;
        const co = po6 * (x6 - x9) + po7 * (x7 - x8);
        const cm = me6 * s6 + me7 * s7;
        const u = ce + co;
        const v = ce - co;
        if (u <= a1 && v <= a1 && u >= b1 && v >= b1 && cm <= a2 && cm >= b2) continue;
        // Exact, with interpolatedMax's arithmetic.
        const a0 = buf[i];
        const b0 = buf[i + 15];
        const a1x = buf[i + 1];
        const b1x = buf[i + 14];
        const a2x = buf[i + 2];
        const b2x = buf[i + 13];
        const a3 = buf[i + 3];
        const b3 = buf[i + 12];
        const a4 = buf[i + 4];
        const b4 = buf[i + 11];
        const a5 = buf[i + 5];
        const b5 = buf[i + 10];
        const a6 = x6;
        const b6 = x9;
        const a7 = x7;
        const b7 = x8;
        const ee =
          e0 * (a0 + b0) +
          e1 * (a1x + b1x) +
          (e2 * (a2x + b2x) + e3 * (a3 + b3)) +
          (e4 * (a4 + b4) + e5 * (a5 + b5) + (e6 * (a6 + b6) + e7 * (a7 + b7)));
        const dd =
          o0 * (a0 - b0) +
          o1 * (a1x - b1x) +
          (o2 * (a2x - b2x) + o3 * (a3 - b3)) +
          (o4 * (a4 - b4) + o5 * (a5 - b5) + (o6 * (a6 - b6) + o7 * (a7 - b7)));
        const y1 = ee + dd;
        const y2 = ee - dd;
        const q1 = y1 * y1;
        const q2 = y2 * y2;
        if (q1 > mq) mq = q1;
        if (q2 > mq) mq = q2;
        const y =
          m0 * (a0 + b0) +
          m1 * (a1x + b1x) +
          (m2 * (a2x + b2x) + m3 * (a3 + b3)) +
          (m4 * (a4 + b4) + m5 * (a5 + b5) + (m6 * (a6 + b6) + m7 * (a7 + b7)));
        const q3 = y * y;
        if (q3 > mq) mq = q3;
      }
    } else {
      for (let i = start; i < end; i++) {
        const s6 = buf[i + 6] + buf[i + 9];
        const s7 = buf[i + 7] + buf[i + 8];
        const cm = me6 * s6 + me7 * s7;
        if (cm <= a2 && cm >= b2) continue;
        const y =
          m0 * (buf[i] + buf[i + 15]) +
          m1 * (buf[i + 1] + buf[i + 14]) +
          (m2 * (buf[i + 2] + buf[i + 13]) + m3 * (buf[i + 3] + buf[i + 12])) +
          (m4 * (buf[i + 4] + buf[i + 11]) +
            m5 * (buf[i + 5] + buf[i + 10]) +
            (m6 * (buf[i + 6] + buf[i + 9]) + m7 * (buf[i + 7] + buf[i + 8])));
        const q3 = y * y;
        if (q3 > mq) mq = q3;
      }
    }
  }
  return mq;
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
  private chunkHi = new Int32Array(0);
  private chunkLo = new Int32Array(0);
  /** Bounds of the skipping kernel (factors 2 and 4), or null for the plain kernel. */
  private readonly skip: SkipBounds | null;
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
    this.skip =
      this.mid.length === HALF && (this.pairs.length === 0 || this.pairs.length === T)
        ? skipBounds(this.interpolator, this.pairs, this.mid)
        : null;
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
      const chunks = Math.ceil(this.buf.length / CHUNK) + 4;
      this.chunkMax = new Float64Array(chunks);
      this.chunkHi = new Int32Array(chunks);
      this.chunkLo = new Int32Array(chunks);
    }
    const buf = this.buf;
    const hist = this.history[ch];
    buf.set(hist, 0);
    buf.set(x, T - 1);
    hist.set(buf.subarray(len - (T - 1), len));

    // Per CHUNK samples: max |x| (exact; NaN ignored), which gives the sample peak and the
    // coarse skip bound, and the sample range as halved keys for the finer bounds. Chunk 0 holds
    // the history, and chunks with NaN take the float path; the rest run branch-free on the bits.
    const am = this.chunkMax;
    const hiK = this.chunkHi;
    const loK = this.chunkLo;
    const bits = new Int32Array(x.buffer, x.byteOffset, n);
    const chunks = Math.ceil(len / CHUNK);
    let sp = this.samplePeak[ch];
    for (let k = 0, s = 0; k < chunks; k++, s += CHUNK) {
      const e = s + CHUNK < len ? s + CHUNK : len;
      let a = 0;
      let h = EMPTY_HI;
      let l = EMPTY_LO;
      if (k > 0) {
        for (let i = s - (T - 1), last = e - (T - 1); i < last; i++) {
          const b = bits[i];
          const key = (b ^ ((b >> 31) & ABS_MASK)) >> 1;
          const dh = (key - h) | 0;
          h = (h + (dh & ~(dh >> 31))) | 0;
          const dl = (key - l) | 0;
          l = (l + (dl & (dl >> 31))) | 0;
          const v = b & ABS_MASK;
          const da = (v - a) | 0;
          a = (a + (da & ~(da >> 31))) | 0;
        }
      }
      let m: number;
      if (k === 0 || a > INF_BITS) {
        let mq = 0;
        let hf = NEG_INF;
        let lf = POS_INF;
        for (let i = s; i < e; i++) {
          const v = buf[i];
          const q = v * v;
          if (q > mq) mq = q;
          if (v > hf) hf = v;
          if (v < lf) lf = v;
        }
        m = Math.sqrt(mq);
        h = halfKey(hf);
        l = halfKey(lf);
      } else {
        CV_I[0] = a;
        m = CV_F[0];
      }
      am[k] = m;
      hiK[k] = h;
      loK[k] = l;
      if (m > sp) sp = m;
    }
    for (let k = chunks; k < chunks + 4; k++) {
      am[k] = 0;
      hiK[k] = EMPTY_HI;
      loK[k] = EMPTY_LO;
    }
    this.samplePeak[ch] = sp;

    const { coefficients, factor, maxPhaseL1 } = this.interpolator;
    const phases = factor - 1;
    let tp = this.truePeak[ch] > sp ? this.truePeak[ch] : sp;
    if (phases > 0) {
      const overThr = this.overThreshold;
      const state = this.overs[ch];
      const skip = this.skip;
      // Centre positions (buffer indices) HALF-1 .. HALF-1+n; run k needs the samples of
      // SUB_BLOCK-chunks k and k+1, which are CHUNK-chunks 2k .. 2k+3.
      for (let k = 0, q = 0; k * SUB_BLOCK < n; k++, q += 2) {
        const from = HALF - 1 + k * SUB_BLOCK;
        const to = from + SUB_BLOCK < HALF - 1 + n ? from + SUB_BLOCK : HALF - 1 + n;
        const cmA = am[q] > am[q + 1] ? am[q] : am[q + 1];
        const cmB = am[q + 2] > am[q + 3] ? am[q + 2] : am[q + 3];
        const bound = (cmA > cmB ? cmA : cmB) * maxPhaseL1;
        if (bound <= tp && bound <= overThr) {
          state.inRun = false;
          continue;
        }
        const m = skip
          ? Math.sqrt(
              boundedMaxSquare(
                buf,
                from,
                to,
                hiK,
                loK,
                q,
                tp < overThr ? tp : overThr,
                maxPhaseL1,
                this.pairs,
                this.mid,
                skip,
              ),
            )
          : interpolatedMax(buf, from, to, this.pairs, this.mid);
        if (m > tp) tp = m;
        if (m > overThr || cmA > overThr || cmB > overThr) {
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
