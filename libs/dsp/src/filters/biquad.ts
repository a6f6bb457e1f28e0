import type { Decibels, Hertz } from '../units';

/** Normalised biquad coefficients (a0 = 1): y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
export interface BiquadCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

function checkDesign(sampleRate: Hertz, frequency: Hertz, q: number): void {
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be > 0, got ${sampleRate}`);
  if (!(frequency > 0 && frequency < sampleRate / 2)) {
    throw new RangeError(`frequency must be in (0, ${sampleRate / 2}) Hz, got ${frequency}`);
  }
  if (!(q > 0)) throw new RangeError(`Q must be > 0, got ${q}`);
}

function normalise(
  b0: number,
  b1: number,
  b2: number,
  a0: number,
  a1: number,
  a2: number,
): BiquadCoefficients {
  return Object.freeze({ b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 });
}

/** RBJ Audio EQ Cookbook designs (Robert Bristow-Johnson), bilinear transform with pre-warping. */
export const designBiquad = {
  highPass(sampleRate: Hertz, frequency: Hertz, q = Math.SQRT1_2): BiquadCoefficients {
    checkDesign(sampleRate, frequency, q);
    const w = (2 * Math.PI * frequency) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const c = Math.cos(w);
    return normalise((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
  },
  lowPass(sampleRate: Hertz, frequency: Hertz, q = Math.SQRT1_2): BiquadCoefficients {
    checkDesign(sampleRate, frequency, q);
    const w = (2 * Math.PI * frequency) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const c = Math.cos(w);
    return normalise((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
  },
  peaking(sampleRate: Hertz, frequency: Hertz, q: number, gain: Decibels): BiquadCoefficients {
    checkDesign(sampleRate, frequency, q);
    const a = Math.pow(10, gain / 40);
    const w = (2 * Math.PI * frequency) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const c = Math.cos(w);
    return normalise(1 + alpha * a, -2 * c, 1 - alpha * a, 1 + alpha / a, -2 * c, 1 - alpha / a);
  },
  lowShelf(sampleRate: Hertz, frequency: Hertz, q: number, gain: Decibels): BiquadCoefficients {
    checkDesign(sampleRate, frequency, q);
    const a = Math.pow(10, gain / 40);
    const w = (2 * Math.PI * frequency) / sampleRate;
    const c = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    const s = 2 * Math.sqrt(a) * alpha;
    return normalise(
      a * (a + 1 - (a - 1) * c + s),
      2 * a * (a - 1 - (a + 1) * c),
      a * (a + 1 - (a - 1) * c - s),
      a + 1 + (a - 1) * c + s,
      -2 * (a - 1 + (a + 1) * c),
      a + 1 + (a - 1) * c - s,
    );
  },
  highShelf(sampleRate: Hertz, frequency: Hertz, q: number, gain: Decibels): BiquadCoefficients {
    checkDesign(sampleRate, frequency, q);
    const a = Math.pow(10, gain / 40);
    const w = (2 * Math.PI * frequency) / sampleRate;
    const c = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    const s = 2 * Math.sqrt(a) * alpha;
    return normalise(
      a * (a + 1 + (a - 1) * c + s),
      -2 * a * (a - 1 + (a + 1) * c),
      a * (a + 1 + (a - 1) * c - s),
      a + 1 - (a - 1) * c + s,
      2 * (a - 1 - (a + 1) * c),
      a + 1 - (a - 1) * c - s,
    );
  },
} as const;

/** Magnitude response |H(e^{jw})| of a biquad at `frequency`. */
export function biquadMagnitude(c: BiquadCoefficients, sampleRate: Hertz, frequency: Hertz): number {
  const w = (2 * Math.PI * frequency) / sampleRate;
  const cos1 = Math.cos(w);
  const sin1 = Math.sin(w);
  const cos2 = Math.cos(2 * w);
  const sin2 = Math.sin(2 * w);
  const nr = c.b0 + c.b1 * cos1 + c.b2 * cos2;
  const ni = -(c.b1 * sin1 + c.b2 * sin2);
  const dr = 1 + c.a1 * cos1 + c.a2 * cos2;
  const di = -(c.a1 * sin1 + c.a2 * sin2);
  return Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
}

/**
 * One biquad section, transposed direct form II, state kept per channel in float64 locals
 * during a block. A tiny DC offset keeps the recursion out of denormals on silence.
 */
export class Biquad {
  private s1 = 0;
  private s2 = 0;

  constructor(private coefficients: BiquadCoefficients) {}

  setCoefficients(coefficients: BiquadCoefficients): void {
    this.coefficients = coefficients;
  }

  /** Filters `input` into `output` (may be the same array). */
  process(input: Float32Array | Float64Array, output: Float32Array | Float64Array = input): void {
    const { b0, b1, b2, a1, a2 } = this.coefficients;
    let s1 = this.s1;
    let s2 = this.s2;
    const n = input.length;
    for (let i = 0; i < n; i++) {
      const x = input[i] + 1e-20;
      const y = b0 * x + s1;
      s1 = b1 * x - a1 * y + s2;
      s2 = b2 * x - a2 * y;
      output[i] = y;
    }
    this.s1 = s1;
    this.s2 = s2;
  }

  reset(): void {
    this.s1 = 0;
    this.s2 = 0;
  }
}
