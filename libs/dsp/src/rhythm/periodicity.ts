import { ComplexFft } from '../fft';

export interface FftScratch {
  readonly fft: ComplexFft;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

const scratchBySize = new Map<number, FftScratch>();

/**
 * A transform of `size` points with zeroed work arrays, reused across calls of the same size
 * (one track's analysis makes thousands of window transforms: fresh arrays for each would be
 * garbage that lifts the peak memory with the track's duration). Callers are synchronous and
 * copy what they keep out of `re`/`im` before the next call.
 */
export function fftScratch(size: number): FftScratch {
  let s = scratchBySize.get(size);
  if (!s) {
    s = { fft: new ComplexFft(size), re: new Float64Array(size), im: new Float64Array(size) };
    // Large one-off sizes (whole-track transforms) are not kept.
    if (scratchBySize.size < 8 && size <= 1 << 16) scratchBySize.set(size, s);
    return s;
  }
  s.re.fill(0);
  s.im.fill(0);
  return s;
}

/**
 * Autocorrelation r[l] = sum_t x[t] x[t+l] for l = 0..maxLag, by FFT (Wiener-Khinchin) with zero
 * padding to avoid circular wrap.
 */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  const lags = Math.min(maxLag, Math.max(0, n - 1));
  let size = 2;
  while (size < n + lags + 1) size <<= 1;
  const { fft, re, im } = fftScratch(size);
  for (let i = 0; i < n; i++) re[i] = x[i];
  fft.forward(re, im);
  for (let k = 0; k < size; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k];
    im[k] = 0;
  }
  // inverse via forward transform of the (real, even) power spectrum
  fft.forward(re, im);
  const out = new Float64Array(lags + 1);
  for (let l = 0; l <= lags; l++) out[l] = re[l] / size;
  return out;
}

/** Linear interpolation of `a` at fractional index `x` (0 outside). */
export function sampleAt(a: ArrayLike<number>, x: number): number {
  const i = Math.floor(x);
  if (i < 0 || i + 1 >= a.length) return i >= 0 && i < a.length ? a[i] : 0;
  const f = x - i;
  return a[i] + f * (a[i + 1] - a[i]);
}

/** Maximum of `a` within +-`radius` of fractional index `x` (tolerant peak lookup). */
export function maxNear(a: ArrayLike<number>, x: number, radius: number): number {
  const lo = Math.max(0, Math.ceil(x - radius));
  const hi = Math.min(a.length - 1, Math.floor(x + radius));
  let m = sampleAt(a, x);
  for (let i = lo; i <= hi; i++) if (a[i] > m) m = a[i];
  return m;
}

/** Centred moving average with a window of `2 * half + 1` samples (edges use the available part). */
export function movingAverage(x: ArrayLike<number>, half: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  let sum = 0;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    const wantHi = Math.min(n - 1, i + half);
    const wantLo = Math.max(0, i - half);
    while (hi < wantHi) sum += x[++hi];
    while (lo < wantLo) sum -= x[lo++];
    out[i] = sum / (hi - lo + 1);
  }
  return out;
}

/** Parabolic interpolation of a peak at integer index i: returns the fractional offset in [-0.5, 0.5]. */
export function parabolicOffset(a: ArrayLike<number>, i: number): number {
  if (i <= 0 || i >= a.length - 1) return 0;
  const l = a[i - 1];
  const c = a[i];
  const r = a[i + 1];
  const d = l - 2 * c + r;
  if (d >= 0) return 0;
  const off = (0.5 * (l - r)) / d;
  return Math.max(-0.5, Math.min(0.5, off));
}
