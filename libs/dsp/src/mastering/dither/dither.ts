import type { Hertz } from '../../units';

/**
 * Error-feedback noise-shaping filters H(z) = sum h[k] z^-(k+1); the requantisation error is
 * shaped by 1 - H(z). Coefficients as in SoX / FFmpeg swresample:
 * - 'lipshitz': 5-tap E-weighted, Lipshitz, Vanderkooy & Wannamaker, "Minimally audible noise
 *   shaping", JAES 39(11), 1991 (44.1 kHz design).
 * - 'f-weighted': 9-tap F-weighted, Wannamaker, "Psychoacoustically optimal noise shaping",
 *   JAES 40(7/8), 1992 (44.1 kHz design).
 * - 'second-order': (1 - z^-1)^2, a plain 12 dB/octave high-pass shape usable at any rate.
 */
export const NOISE_SHAPING_FILTERS = Object.freeze({
  none: Object.freeze([] as number[]),
  'second-order': Object.freeze([2, -1]),
  lipshitz: Object.freeze([2.033, -2.165, 1.959, -1.59, 0.6149]),
  'f-weighted': Object.freeze([2.412, -3.37, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847]),
});

export type NoiseShaping = keyof typeof NOISE_SHAPING_FILTERS;
export type DitherBitDepth = 16 | 24;

export interface DitherOptions {
  readonly bitDepth: DitherBitDepth;
  readonly channels: number;
  readonly sampleRate: Hertz;
  readonly noiseShaping?: NoiseShaping;
  /** Seed of the PRNG: the same seed and input give the same output, bit for bit. */
  readonly seed?: number;
}

export const DITHER_DEFAULTS: Readonly<Required<Pick<DitherOptions, 'noiseShaping' | 'seed'>>> =
  Object.freeze({
    noiseShaping: 'none',
    seed: 0x9e3779b9,
  });

/** Curves designed at 44.1 kHz are used from 44.1 to 48 kHz only (as SoX does). */
const SHAPED_RATE_RANGE: readonly [Hertz, Hertz] = [44100, 48000];

/**
 * TPDF dither and requantisation to 16 or 24 bits (Vanderkooy & Lipshitz, "Dither in digital
 * audio", JAES 35(12), 1987; Wannamaker, Lipshitz & Vanderkooy, "A theory of nonsubtractive
 * dither", IEEE Trans. SP 48(2), 2000): triangular dither of +-1 LSB peak (sum of two
 * independent uniform values) added before rounding makes the first two moments of the total
 * error independent of the signal: white, zero-mean, power LSB^2/4 (RMS = LSB/2, i.e. -96.3 dB
 * re full-scale amplitude 1.0 at 16 bits).
 *
 * Optional error-feedback noise shaping (see NOISE_SHAPING_FILTERS). The feedback uses the error
 * before clipping, so full-scale overloads clip instead of destabilising the loop.
 *
 * The PRNG is a 32-bit SplitMix-style generator (mulberry32), seeded: results are
 * reproducible. One stream is shared by all channels, drawn frame by frame.
 */
export class Dither {
  readonly bitDepth: DitherBitDepth;
  readonly channels: number;
  readonly noiseShaping: NoiseShaping;
  /** Full scale in LSB: samples are k / scale with integer k in [-scale, scale - 1]. */
  readonly scale: number;

  private readonly seed: number;
  private state: number;
  private readonly shaper: Float64Array;
  /** Per channel error history, newest first. */
  private readonly errors: Float64Array[];
  private clipCount = 0;

  constructor(options: DitherOptions) {
    const o = { ...DITHER_DEFAULTS, ...options };
    if (o.bitDepth !== 16 && o.bitDepth !== 24)
      throw new RangeError(`bit depth must be 16 or 24, got ${String(o.bitDepth)}`);
    if (!Number.isInteger(o.channels) || o.channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${o.channels}`);
    }
    if (!(o.sampleRate > 0)) throw new RangeError(`sample rate must be > 0, got ${o.sampleRate}`);
    if (!(o.noiseShaping in NOISE_SHAPING_FILTERS)) {
      throw new RangeError(`unknown noise shaping '${String(o.noiseShaping)}'`);
    }
    if (
      (o.noiseShaping === 'lipshitz' || o.noiseShaping === 'f-weighted') &&
      (o.sampleRate < SHAPED_RATE_RANGE[0] || o.sampleRate > SHAPED_RATE_RANGE[1])
    ) {
      throw new RangeError(
        `noise shaping '${o.noiseShaping}' is designed for 44.1-48 kHz, got ${o.sampleRate} Hz`,
      );
    }
    if (!Number.isInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
    this.bitDepth = o.bitDepth;
    this.channels = o.channels;
    this.noiseShaping = o.noiseShaping;
    this.scale = 2 ** (o.bitDepth - 1);
    this.seed = o.seed >>> 0;
    this.state = this.seed;
    this.shaper = Float64Array.from(NOISE_SHAPING_FILTERS[o.noiseShaping]);
    this.errors = Array.from({ length: o.channels }, () => new Float64Array(Math.max(1, this.shaper.length)));
  }

  /** Samples clipped at full scale so far. */
  get clippedSamples(): number {
    return this.clipCount;
  }

  /**
   * Dithers and quantises `input` (nominal range [-1, 1)) into integers in `output`
   * (Int16Array for 16 bits, Int32Array holding 24-bit values for 24 bits, or any array).
   */
  processToInt(input: readonly Float32Array[], output: (Int16Array | Int32Array)[]): void {
    this.run(input, output, 1);
  }

  /** Dithers and quantises in place: values stay float, on the k / 2^(bits-1) grid. */
  process(block: Float32Array[]): void {
    this.run(block, block, 1 / this.scale);
  }

  reset(): void {
    this.state = this.seed;
    for (const e of this.errors) e.fill(0);
    this.clipCount = 0;
  }

  private run(
    input: readonly Float32Array[],
    output: (Int16Array | Int32Array | Float32Array)[],
    outScale: number,
  ): void {
    const nch = this.channels;
    if (input.length !== nch || output.length !== nch) {
      throw new RangeError(
        `expected ${nch} input and output channels, got ${input.length} / ${output.length}`,
      );
    }
    const frames = input[0].length;
    for (let c = 0; c < nch; c++) {
      if (input[c].length !== frames || output[c].length < frames) {
        throw new RangeError('all channels must have the same length and outputs room for it');
      }
    }
    const scale = this.scale;
    const hi = scale - 1;
    const lo = -scale;
    const taps = this.shaper.length;
    const h = this.shaper;
    let state = this.state;
    let clips = 0;
    const inv = 1 / 4294967296;
    // Per channel, per frame; the PRNG state interleaves channels frame by frame.
    // Channels are visited in the inner loop so the random sequence does not depend on block size.
    for (let n = 0; n < frames; n++) {
      for (let c = 0; c < nch; c++) {
        // mulberry32, two draws: TPDF in (-1, 1) LSB
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), state | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const u1 = ((t ^ (t >>> 14)) >>> 0) * inv;
        state = (state + 0x6d2b79f5) | 0;
        t = Math.imul(state ^ (state >>> 15), state | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const u2 = ((t ^ (t >>> 14)) >>> 0) * inv;
        const d = u1 - u2;

        let v = input[c][n] * scale;
        if (taps > 0) {
          const e = this.errors[c];
          let fb = 0;
          for (let k = 0; k < taps; k++) fb += h[k] * e[k];
          v -= fb;
          const q = Math.floor(v + d + 0.5);
          for (let k = taps - 1; k > 0; k--) e[k] = e[k - 1];
          e[0] = q - v;
          let qc = q;
          if (qc > hi) {
            qc = hi;
            clips++;
          } else if (qc < lo) {
            qc = lo;
            clips++;
          }
          output[c][n] = qc * outScale;
        } else {
          let q = Math.floor(v + d + 0.5);
          if (q > hi) {
            q = hi;
            clips++;
          } else if (q < lo) {
            q = lo;
            clips++;
          }
          output[c][n] = q * outScale;
        }
      }
    }
    this.state = state;
    this.clipCount += clips;
  }
}
