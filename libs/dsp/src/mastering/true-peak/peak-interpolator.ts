import type { Hertz } from '../../units';
import { besselI0 } from '../resample/kaiser';

/** Taps per phase of the peak interpolator (fixed so the detection loop can be unrolled). */
export const PEAK_INTERPOLATOR_TAPS = 24;

/** Kaiser beta of the peak interpolator's window. */
export const PEAK_INTERPOLATOR_BETA = 6;

/**
 * A polyphase interpolator for inter-sample peak detection. Phase p (1..factor-1) estimates
 * the signal at m + p / factor from x[m - 11] .. x[m + 12]; phase 0 is x[m] itself.
 */
export interface PeakInterpolator {
  readonly factor: number;
  /** (factor - 1) phases of PEAK_INTERPOLATOR_TAPS taps; tap j multiplies x[m - 11 + j]. */
  readonly coefficients: Float64Array;
  /** Largest sum of |taps| over the phases: |estimate| <= maxPhaseL1 * max|x| in reach. */
  readonly maxPhaseL1: number;
}

/**
 * Oversampling used for limiter detection: at least 8x below 88.2 kHz (points 1/8 sample
 * apart, so a peak between points is under-read by at most 1 - cos(pi f / (8 fs)): 0.14 dB at
 * 0.45 fs, 0.03 dB at 0.2 fs), 4x up to 176.4 kHz, 2x above.
 */
export function peakOversamplingFactor(sampleRate: Hertz): number {
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be > 0, got ${sampleRate}`);
  if (sampleRate < 88200) return 8;
  if (sampleRate < 176400) return 4;
  return 2;
}

/**
 * Kaiser-windowed sinc interpolator cut off at the input Nyquist frequency (a Nyquist filter:
 * phase 0 is the sample itself), 24 taps per phase (beta 6), each phase normalised to unit DC
 * gain: flat within 0.01 dB to 0.4 fs, -1 dB at 0.45 fs for the half-sample phase. This is
 * the kind of interpolator BS.1770-5 Annex 2 asks for; the Recommendation's example 48-tap
 * filter ripples (+0.2 dB at 0.25 fs, +0.6 dB at 0.45 fs) and under-reads broadband material
 * (white noise by ~1 dB), so meters built either way disagree on HF-heavy signals. With 24
 * taps the reading of full-scale white noise is within 0.1 dB of ffmpeg's ebur128 (which
 * resamples to 192 kHz with a 32-tap Kaiser sinc); a 16-tap design under-reads it by 0.5 dB.
 */
export function designPeakInterpolator(
  factor: number,
  beta: number = PEAK_INTERPOLATOR_BETA,
): PeakInterpolator {
  if (!Number.isInteger(factor) || factor < 2 || factor > 32) {
    throw new RangeError(`oversampling factor must be an integer in [2, 32], got ${factor}`);
  }
  if (!(beta >= 0 && beta <= 20)) throw new RangeError(`Kaiser beta must be in [0, 20], got ${beta}`);
  const T = PEAK_INTERPOLATOR_TAPS;
  const half = T / 2;
  const i0 = besselI0(beta);
  const coefficients = new Float64Array((factor - 1) * T);
  let maxPhaseL1 = 1;
  for (let p = 1; p < factor; p++) {
    const o = (p - 1) * T;
    let sum = 0;
    for (let j = 0; j < T; j++) {
      const tau = j - (half - 1) - p / factor; // tap position relative to the output point
      const u = tau / half;
      const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - u * u))) / i0;
      const v = (Math.sin(Math.PI * tau) / (Math.PI * tau)) * w;
      coefficients[o + j] = v;
      sum += v;
    }
    let l1 = 0;
    for (let j = 0; j < T; j++) {
      coefficients[o + j] /= sum;
      l1 += Math.abs(coefficients[o + j]);
    }
    if (l1 > maxPhaseL1) maxPhaseL1 = l1;
  }
  return Object.freeze({ factor, coefficients, maxPhaseL1 });
}
