import { RealFft } from '../../fft';
import type { Decibels, Hertz } from '../../units';
import { besselI0 } from '../resample/kaiser';

export interface ThdNOptions {
  /** Measurement bandwidth (AES17 uses 20 Hz - 20 kHz). */
  readonly bandLow?: Hertz;
  readonly bandHigh?: Hertz;
  /** Largest FFT used (the centre of the signal is analysed). */
  readonly maxFftSize?: number;
}

export const THD_N_DEFAULTS: Readonly<Required<ThdNOptions>> = Object.freeze({
  bandLow: 20,
  bandHigh: 20000,
  maxFftSize: 65536,
});

export interface ThdNResult {
  /** (noise + distortion) / fundamental, power ratio in dB. */
  readonly thdPlusNDb: Decibels;
  readonly thdPlusNPercent: number;
  /** Harmonics 2..10 inside the band only, dB re fundamental. */
  readonly thdDb: Decibels;
  /** Amplitude of the fundamental, dB re 1.0. */
  readonly fundamentalDb: Decibels;
  readonly fundamentalFrequency: Hertz;
}

/** Kaiser beta of the analysis window: side lobes far below -160 dB, main lobe +-6.5 bins. */
const WINDOW_BETA = 20;
const NOTCH_BINS = 10;

/**
 * THD+N of a steady sine (AES17-style, by FFT): a Kaiser window (beta 20) over the centre of
 * the signal, the fundamental's main lobe (+-10 bins around the strongest bin near
 * `fundamental`) taken as the signal, everything else in [bandLow, bandHigh] as distortion plus
 * noise. The window's leakage is below -160 dB, so the figure is good to about -150 dB.
 */
export function thdPlusN(
  signal: Float32Array | Float64Array,
  sampleRate: Hertz,
  fundamental: Hertz,
  options: ThdNOptions = {},
): ThdNResult {
  const o = { ...THD_N_DEFAULTS, ...options };
  if (!(sampleRate > 0)) throw new RangeError(`sample rate must be > 0, got ${sampleRate}`);
  if (!(fundamental > 0 && fundamental < sampleRate / 2)) {
    throw new RangeError(`fundamental must be in (0, ${sampleRate / 2}) Hz, got ${fundamental}`);
  }
  let size = 1;
  while (size * 2 <= signal.length && size * 2 <= o.maxFftSize) size *= 2;
  if (size < 1024) throw new RangeError(`need at least 1024 samples, got ${signal.length}`);
  const start = Math.floor((signal.length - size) / 2);
  const i0 = besselI0(WINDOW_BETA);
  const frame = new Float64Array(size);
  let w2 = 0;
  for (let i = 0; i < size; i++) {
    const u = (2 * i) / (size - 1) - 1;
    const w = besselI0(WINDOW_BETA * Math.sqrt(Math.max(0, 1 - u * u))) / i0;
    w2 += w * w;
    frame[i] = signal[start + i] * w;
  }
  const fft = new RealFft(size);
  const bins = size / 2 + 1;
  const power = new Float64Array(bins);
  fft.powerSpectrum(frame, power);
  const binHz = sampleRate / size;
  const guess = Math.round(fundamental / binHz);
  let peak = Math.max(1, guess - 3);
  for (let k = Math.max(1, guess - 3); k <= Math.min(bins - 1, guess + 3); k++)
    if (power[k] > power[peak]) peak = k;
  const lo = Math.max(1, Math.ceil(o.bandLow / binHz));
  const hi = Math.min(bins - 1, Math.floor(Math.min(o.bandHigh, sampleRate / 2) / binHz));
  let fund = 0;
  for (let k = Math.max(0, peak - NOTCH_BINS); k <= Math.min(bins - 1, peak + NOTCH_BINS); k++)
    fund += power[k];
  let rest = 0;
  for (let k = lo; k <= hi; k++) if (Math.abs(k - peak) > NOTCH_BINS) rest += power[k];
  let harm = 0;
  const f0 = peak * binHz;
  for (let h = 2; h <= 10; h++) {
    const c = Math.round((h * f0) / binHz);
    if (c > hi) break;
    for (let k = Math.max(lo, c - NOTCH_BINS); k <= Math.min(hi, c + NOTCH_BINS); k++) harm += power[k];
  }
  // Parseval: the one-sided main lobe of a sine of amplitude A holds N (A^2 / 4) sum(w^2)
  const amplitude = Math.sqrt((4 * fund) / (size * w2));
  const ratio = rest / fund;
  return {
    thdPlusNDb: 10 * Math.log10(ratio),
    thdPlusNPercent: 100 * Math.sqrt(ratio),
    thdDb: 10 * Math.log10(harm / fund),
    fundamentalDb: 20 * Math.log10(amplitude),
    fundamentalFrequency: f0,
  };
}

/**
 * Crest factor: peak |x| over RMS, pooled over all channels, dB (a sine reads 3.01 dB).
 * NaN for silence.
 */
export function crestFactorDb(channels: readonly (Float32Array | Float64Array)[]): Decibels {
  let peak = 0;
  let sum = 0;
  let n = 0;
  for (const x of channels) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const a = Math.abs(v);
      if (a > peak) peak = a;
      sum += v * v;
    }
    n += x.length;
  }
  if (n === 0 || sum === 0) return Number.NaN;
  return 20 * Math.log10(peak / Math.sqrt(sum / n));
}
