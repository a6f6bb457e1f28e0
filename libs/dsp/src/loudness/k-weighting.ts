import type { BiquadCoefficients } from '../filters';
import type { Hertz } from '../units';

/** Lowest and highest sample rates the loudness engine accepts. */
export const LOUDNESS_MIN_SAMPLE_RATE: Hertz = 8000;
export const LOUDNESS_MAX_SAMPLE_RATE: Hertz = 384000;

/** The two stages of the BS.1770 K-weighting pre-filter at one sample rate. */
export interface KWeighting {
  /** Stage 1: high shelf, about +4 dB above 2 kHz (head acoustics). */
  readonly shelf: BiquadCoefficients;
  /** Stage 2: RLB high-pass, about 38 Hz. Its numerator is [1, -2, 1] as in BS.1770, not normalised. */
  readonly highPass: BiquadCoefficients;
}

// Analog prototype parameters of the two stages, fitted so that the bilinear transform at
// 48 kHz reproduces the coefficients printed in ITU-R BS.1770-5 Annex 1 (the same derivation
// libebur128 uses). Designing from these, rather than reusing the 48 kHz numbers, keeps the
// response the same at every sample rate.
const SHELF_F0: Hertz = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
const SHELF_VB_EXPONENT = 0.4996667741545416;
const HIGHPASS_F0: Hertz = 38.13547087602444;
const HIGHPASS_Q = 0.5003270373238773;

/**
 * K-weighting filter coefficients (ITU-R BS.1770-5 Annex 1) designed for `sampleRate`.
 * At 48 kHz they equal the published ones:
 * shelf b = [1.53512485958697, -2.69169618940638, 1.19839281085285], a = [1, -1.69065929318241, 0.73248077421585];
 * high-pass b = [1, -2, 1], a = [1, -1.99004745483398, 0.99007225036621].
 */
export function designKWeighting(sampleRate: Hertz): KWeighting {
  if (!(sampleRate >= LOUDNESS_MIN_SAMPLE_RATE && sampleRate <= LOUDNESS_MAX_SAMPLE_RATE)) {
    throw new RangeError(
      `sample rate must be in [${LOUDNESS_MIN_SAMPLE_RATE}, ${LOUDNESS_MAX_SAMPLE_RATE}] Hz, got ${sampleRate}`,
    );
  }
  let k = Math.tan((Math.PI * SHELF_F0) / sampleRate);
  const vh = Math.pow(10, SHELF_GAIN_DB / 20);
  const vb = Math.pow(vh, SHELF_VB_EXPONENT);
  let a0 = 1 + k / SHELF_Q + k * k;
  const shelf: BiquadCoefficients = Object.freeze({
    b0: (vh + (vb * k) / SHELF_Q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / SHELF_Q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / SHELF_Q + k * k) / a0,
  });
  k = Math.tan((Math.PI * HIGHPASS_F0) / sampleRate);
  a0 = 1 + k / HIGHPASS_Q + k * k;
  const highPass: BiquadCoefficients = Object.freeze({
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / HIGHPASS_Q + k * k) / a0,
  });
  return Object.freeze({ shelf, highPass });
}
