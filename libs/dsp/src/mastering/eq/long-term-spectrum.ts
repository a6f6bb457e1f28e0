import { RealFft, hannWindow } from '../../fft';
import type { Decibels, Hertz } from '../../units';

/**
 * Exact centre frequencies of the 31 one-third-octave bands 20 Hz .. 20 kHz, base-10 system of
 * IEC 61260-1:2014 / ANSI S1.11 (f = 1000 * 10^(k/10), k = -17 .. 13; nominal 20, 25, 31.5 ...).
 */
export const THIRD_OCTAVE_CENTRES: readonly Hertz[] = Object.freeze(
  Array.from({ length: 31 }, (_, i) => 1000 * Math.pow(10, (i - 17) / 10)),
);

/** Lower and upper edge of a one-third-octave band (centre * 10^(-+1/20)). */
export function thirdOctaveEdges(centre: Hertz): readonly [Hertz, Hertz] {
  return [centre * Math.pow(10, -1 / 20), centre * Math.pow(10, 1 / 20)];
}

export interface LongTermSpectrumOptions {
  readonly sampleRate: Hertz;
  readonly channels: number;
  /** FFT frame length (power of two); default: 2^ceil(log2(sampleRate / 3)), bins <= 3 Hz. */
  readonly fftSize?: number;
  /** Frames whose mid signal is quieter than this (mean square, dB re full scale) are skipped. */
  readonly gate?: Decibels;
}

export const LONG_TERM_SPECTRUM_DEFAULTS: Readonly<Required<Pick<LongTermSpectrumOptions, 'gate'>>> =
  Object.freeze({ gate: -70 });

export interface LongTermSpectrumResult {
  readonly centres: readonly Hertz[];
  /**
   * Mean power of the mid signal (L+R)/2 in each band, dB re full-scale amplitude 1 (a sine
   * of amplitude A in a band reads 20 log10(A / sqrt 2)); -Infinity for bands above Nyquist or
   * without energy.
   */
  readonly midBandsDb: readonly Decibels[];
  /** Side energy over mid energy, 10 log10(E_S / E_M): -Infinity for mono, 0 for uncorrelated. */
  readonly widthDb: Decibels;
  /** Frames analysed and frames skipped by the gate. */
  readonly frames: number;
  readonly gatedFrames: number;
}

/**
 * Long-term average spectrum in one-third-octave bands plus stereo width, streaming: Hann
 * frames without overlap (Welch's method; for a long-term average the variance of
 * non-overlapped frames is ample), power summed per band, silent frames gated out. This is the
 * measurement behind reference mastering (the Matchering idea: match loudness, spectral
 * balance and width of a reference). Width is the side/mid energy ratio over the ungated frames.
 */
export class LongTermSpectrum {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly fftSize: number;
  private readonly gate: number;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly windowPower: number;
  private readonly mid: Float64Array;
  private readonly side: Float64Array;
  private fill = 0;
  private readonly frame: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly binBand: Int16Array;
  private readonly bandPower: Float64Array;
  private midEnergy = 0;
  private sideEnergy = 0;
  private frames = 0;
  private gated = 0;

  constructor(options: LongTermSpectrumOptions) {
    const o = { ...LONG_TERM_SPECTRUM_DEFAULTS, ...options };
    if (!(o.sampleRate >= 8000)) throw new RangeError(`sample rate must be >= 8000 Hz, got ${o.sampleRate}`);
    if (o.channels !== 1 && o.channels !== 2)
      throw new RangeError(`channels must be 1 or 2, got ${o.channels}`);
    const size = o.fftSize ?? 2 ** Math.ceil(Math.log2(o.sampleRate / 3));
    if (!Number.isInteger(size) || size < 256 || (size & (size - 1)) !== 0) {
      throw new RangeError(`fftSize must be a power of two >= 256, got ${size}`);
    }
    this.sampleRate = o.sampleRate;
    this.channels = o.channels;
    this.fftSize = size;
    this.gate = Math.pow(10, o.gate / 10);
    this.fft = new RealFft(size);
    this.window = hannWindow(size);
    let wp = 0;
    for (let i = 0; i < size; i++) wp += this.window[i] * this.window[i];
    this.windowPower = wp;
    this.mid = new Float64Array(size);
    this.side = new Float64Array(size);
    this.frame = new Float64Array(size);
    this.re = new Float64Array(size / 2 + 1);
    this.im = new Float64Array(size / 2 + 1);
    this.binBand = new Int16Array(size / 2 + 1).fill(-1);
    for (let k = 1; k <= size / 2; k++) {
      const f = (k * o.sampleRate) / size;
      for (let b = 0; b < THIRD_OCTAVE_CENTRES.length; b++) {
        const [lo, hi] = thirdOctaveEdges(THIRD_OCTAVE_CENTRES[b]);
        if (f >= lo && f < hi) {
          this.binBand[k] = b;
          break;
        }
      }
    }
    this.bandPower = new Float64Array(THIRD_OCTAVE_CENTRES.length);
  }

  /** Feeds one planar block (not modified). */
  process(block: readonly Float32Array[]): void {
    if (block.length !== this.channels) {
      throw new RangeError(`expected ${this.channels} channels, got ${block.length}`);
    }
    const n = block[0].length;
    const l = block[0];
    const r = this.channels === 2 ? block[1] : block[0];
    const mid = this.mid;
    const side = this.side;
    const size = this.fftSize;
    let i = 0;
    while (i < n) {
      const take = Math.min(n - i, size - this.fill);
      let f = this.fill;
      for (let j = 0; j < take; j++, f++) {
        const a = l[i + j];
        const b = r[i + j];
        mid[f] = 0.5 * (a + b);
        side[f] = 0.5 * (a - b);
      }
      this.fill = f;
      i += take;
      if (this.fill === size) {
        this.analyse();
        this.fill = 0;
      }
    }
  }

  private analyse(): void {
    const size = this.fftSize;
    const mid = this.mid;
    const side = this.side;
    let em = 0;
    let es = 0;
    for (let i = 0; i < size; i++) {
      em += mid[i] * mid[i];
      es += side[i] * side[i];
    }
    if (em / size < this.gate) {
      this.gated++;
      return;
    }
    this.frames++;
    this.midEnergy += em;
    this.sideEnergy += es;
    const w = this.window;
    const frame = this.frame;
    for (let i = 0; i < size; i++) frame[i] = mid[i] * w[i];
    this.fft.forward(frame, this.re, this.im);
    const re = this.re;
    const im = this.im;
    const band = this.binBand;
    const power = this.bandPower;
    // one-sided power normalised so that the sum over bins is the frame's mean square
    const norm = 2 / (size * this.windowPower);
    for (let k = 1; k <= size / 2; k++) {
      const b = band[k];
      if (b >= 0) power[b] += (re[k] * re[k] + im[k] * im[k]) * norm;
    }
  }

  result(): LongTermSpectrumResult {
    const frames = this.frames;
    const nyquist = this.sampleRate / 2;
    const midBandsDb = THIRD_OCTAVE_CENTRES.map((fc, b) => {
      if (frames === 0 || thirdOctaveEdges(fc)[1] > nyquist) return Number.NEGATIVE_INFINITY;
      return 10 * Math.log10(this.bandPower[b] / frames);
    });
    const widthDb =
      this.midEnergy > 0 ? 10 * Math.log10(this.sideEnergy / this.midEnergy) : Number.NEGATIVE_INFINITY;
    return { centres: THIRD_OCTAVE_CENTRES, midBandsDb, widthDb, frames, gatedFrames: this.gated };
  }

  reset(): void {
    this.fill = 0;
    this.bandPower.fill(0);
    this.midEnergy = 0;
    this.sideEnergy = 0;
    this.frames = 0;
    this.gated = 0;
  }
}
