/**
 * Radix-2 FFT over Float64Array (split real / imaginary arrays), in place, with precomputed
 * twiddles and bit-reversal table. `RealFft` computes the spectrum of a real frame of N samples
 * with one complex FFT of N/2 points (the usual packing trick), which is what STFT-based analysis
 * needs.
 */
export class ComplexFft {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reverse: Uint32Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two >= 2, got ${size}`);
    }
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let i = 0; i < size / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / size);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / size);
    }
    this.reverse = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
      this.reverse[i] = r;
    }
  }

  /** Forward transform, in place: X[k] = sum x[n] e^{-2 pi i k n / N}. */
  forward(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const rev = this.reverse;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    const cos = this.cos;
    const sin = this.sin;
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >>> 1;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0, t = 0; k < half; k++, t += step) {
          const wr = cos[t];
          const wi = sin[t];
          const a = start + k;
          const b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

export class RealFft {
  readonly size: number;
  private readonly half: ComplexFft;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`real FFT size must be a power of two >= 4, got ${size}`);
    }
    this.size = size;
    this.half = new ComplexFft(size / 2);
    this.zr = new Float64Array(size / 2);
    this.zi = new Float64Array(size / 2);
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
  }

  /**
   * Spectrum of a real frame: writes bins 0..N/2 (N/2 + 1 values) into outRe/outIm.
   * `input` holds N samples (shorter input is zero-padded).
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const n2 = this.size / 2;
    const zr = this.zr;
    const zi = this.zi;
    const len = input.length;
    for (let i = 0; i < n2; i++) {
      const a = 2 * i;
      zr[i] = a < len ? input[a] : 0;
      zi[i] = a + 1 < len ? input[a + 1] : 0;
    }
    this.half.forward(zr, zi);
    outRe[0] = zr[0] + zi[0];
    outIm[0] = 0;
    outRe[n2] = zr[0] - zi[0];
    outIm[n2] = 0;
    for (let k = 1; k < n2; k++) {
      const ar = zr[k];
      const ai = zi[k];
      const br = zr[n2 - k];
      const bi = -zi[n2 - k];
      // even = (Z[k] + conj Z[N/2-k]) / 2, odd = (Z[k] - conj Z[N/2-k]) / 2i
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const or = 0.5 * (ai - bi);
      const oi = -0.5 * (ar - br);
      const wr = this.cos[k];
      const wi = this.sin[k];
      outRe[k] = er + (or * wr - oi * wi);
      outIm[k] = ei + (or * wi + oi * wr);
    }
  }

  /** Power spectrum |X[k]|^2 for k = 0..N/2 of a real frame. */
  powerSpectrum(
    input: ArrayLike<number>,
    out: Float64Array,
    scratchRe?: Float64Array,
    scratchIm?: Float64Array,
  ): void {
    const bins = this.size / 2 + 1;
    const re = scratchRe ?? new Float64Array(bins);
    const im = scratchIm ?? new Float64Array(bins);
    this.forward(input, re, im);
    for (let k = 0; k < bins; k++) out[k] = re[k] * re[k] + im[k] * im[k];
  }
}

/** Periodic Hann window of the given length, as used for STFT analysis. */
export function hannWindow(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
  return w;
}
