import { RealFft, hannWindow } from '../fft';
import type { Decibels, Hertz } from '../units';

/**
 * Effective bandwidth from a long-term average spectrum (LTAS) of a subsample of frames, to spot
 * a lossy source (MP3/AAC encoders low-pass at 15-20 kHz with a brick wall) or an upsampled one
 * (nothing above 20-24 kHz at 88.2 kHz and up).
 *
 * The LTAS is summed over channels and averaged into BANDWIDTH_BAND_HZ bands. A brick wall is the lowest
 * band edge where the power mean of the 1 kHz below is at least BANDWIDTH_CUTOFF_DROP_DB above every band
 * from BANDWIDTH_TRANSITION_HZ above the edge up to Nyquist, with that 1 kHz being real content (within
 * BANDWIDTH_CONTENT_RANGE_DB of the loudest band). Natural high-frequency roll-off is far less steep; the
 * anti-alias filter of a 44.1 kHz converter shows as a wall at 20-22 kHz, which the findings
 * accept. Walls are searched from 4 kHz up: below that, bass-heavy mixes fall 30 dB on their
 * own. Heuristic by nature: a signal without content above some frequency (a lo-fi production,
 * a test tone above 4 kHz) also reads as a cutoff there.
 */
export const BANDWIDTH_BAND_HZ: Hertz = 250;
export const BANDWIDTH_BELOW_HZ: Hertz = 1000;
export const BANDWIDTH_TRANSITION_HZ: Hertz = 3000;
export const BANDWIDTH_CUTOFF_DROP_DB: Decibels = 30;
/** Lowest band edge considered: below it, music spectra fall this steeply on their own (bass-heavy mixes). */
export const BANDWIDTH_MIN_CUTOFF_HZ: Hertz = 4000;
export const BANDWIDTH_CONTENT_RANGE_DB: Decibels = 70;
/** Seconds between analysed frames (each frame is about 1/48 s long). */
export const BANDWIDTH_FRAME_STRIDE_SECONDS = 0.25;

export interface BandwidthFigures {
  /** Highest frequency with real content: the brick-wall cutoff, else Nyquist; null for silence. */
  effectiveHz: Hertz | null;
  /** Detected brick-wall cutoff, or null when the spectrum extends to Nyquist without one. */
  cutoffHz: Hertz | null;
  /** Level drop across the cutoff (content below vs. everything above), dB. */
  cutoffDropDb: Decibels | null;
  nyquistHz: Hertz;
  /** Frames analysed. */
  frames: number;
}

/** Streaming LTAS accumulator; the QC analyzer feeds it the same blocks. */
export class BandwidthAnalyzer {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly frameSize: number;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly stride: number;
  private readonly capture: Float64Array[];
  private readonly power: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private frameStart = 0;
  private filled = 0;
  private position = 0;
  private frames = 0;

  constructor(sampleRate: Hertz, channels: number) {
    this.sampleRate = sampleRate;
    this.channels = channels;
    let n = 256;
    while (n < sampleRate / 48) n *= 2;
    this.frameSize = n;
    this.fft = new RealFft(n);
    this.window = hannWindow(n);
    this.stride = Math.max(n, Math.round(BANDWIDTH_FRAME_STRIDE_SECONDS * sampleRate));
    this.capture = Array.from({ length: channels }, () => new Float64Array(n));
    this.power = new Float64Array(n / 2 + 1);
    this.spectrum = new Float64Array(n / 2 + 1);
    this.re = new Float64Array(n / 2 + 1);
    this.im = new Float64Array(n / 2 + 1);
  }

  process(block: readonly Float32Array[], n: number): void {
    let i = 0;
    while (i < n) {
      const global = this.position + i;
      const want = this.frameStart + this.filled;
      if (global < want) {
        i += want - global;
        continue;
      }
      const take = Math.min(n - i, this.frameSize - this.filled);
      for (let c = 0; c < this.channels; c++) {
        const src = block[c];
        const dst = this.capture[c];
        for (let k = 0; k < take; k++) dst[this.filled + k] = src[i + k];
      }
      this.filled += take;
      i += take;
      if (this.filled === this.frameSize) this.analyseFrame();
    }
    this.position += n;
  }

  private analyseFrame(): void {
    const w = this.window;
    const bins = this.power.length;
    for (let c = 0; c < this.channels; c++) {
      const x = this.capture[c];
      for (let k = 0; k < this.frameSize; k++) x[k] *= w[k];
      this.fft.powerSpectrum(x, this.spectrum, this.re, this.im);
      for (let k = 0; k < bins; k++) this.power[k] += this.spectrum[k];
    }
    this.frames++;
    this.frameStart += this.stride;
    this.filled = 0;
  }

  result(): BandwidthFigures {
    const nyquistHz = this.sampleRate / 2;
    const empty: BandwidthFigures = {
      effectiveHz: null,
      cutoffHz: null,
      cutoffDropDb: null,
      nyquistHz,
      frames: this.frames,
    };
    if (this.frames === 0) return empty;
    const binHz = this.sampleRate / this.frameSize;
    const bandCount = Math.floor(nyquistHz / BANDWIDTH_BAND_HZ);
    const level = new Float64Array(bandCount);
    let loudest = -Infinity;
    for (let b = 0; b < bandCount; b++) {
      const lo = Math.max(1, Math.ceil((b * BANDWIDTH_BAND_HZ) / binHz));
      const hi = Math.min(this.power.length - 1, Math.ceil(((b + 1) * BANDWIDTH_BAND_HZ) / binHz));
      let s = 0;
      let count = 0;
      for (let k = lo; k < hi; k++) {
        s += this.power[k];
        count++;
      }
      level[b] = count > 0 && s > 0 ? 10 * Math.log10(s / count) : -400;
      if (level[b] > loudest) loudest = level[b];
    }
    if (!(loudest > -400)) return empty;

    const below = Math.round(BANDWIDTH_BELOW_HZ / BANDWIDTH_BAND_HZ);
    const transition = Math.round(BANDWIDTH_TRANSITION_HZ / BANDWIDTH_BAND_HZ);
    // Max level over bands >= j, computed from the top down.
    const aboveMax = new Float64Array(bandCount + 1).fill(-Infinity);
    for (let b = bandCount - 1; b >= 0; b--) aboveMax[b] = Math.max(level[b], aboveMax[b + 1]);
    const first = Math.max(below, Math.round(BANDWIDTH_MIN_CUTOFF_HZ / BANDWIDTH_BAND_HZ));
    const belowLevel = (j: number): number => {
      let e = 0;
      for (let b = j - below; b < j; b++) e += Math.pow(10, level[b] / 10);
      return 10 * Math.log10(e / below);
    };
    for (let j = first; j + transition < bandCount; j++) {
      const belowDb = belowLevel(j);
      if (belowDb < loudest - BANDWIDTH_CONTENT_RANGE_DB) continue;
      if (belowDb - aboveMax[j + transition] >= BANDWIDTH_CUTOFF_DROP_DB) {
        // Report the full depth of the wall: the largest drop over the next transition width.
        let drop = 0;
        for (let k = j; k <= j + transition && k + transition < bandCount; k++) {
          drop = Math.max(drop, belowLevel(k) - aboveMax[k + transition]);
        }
        // The wall lies in [j - below, j + transition): its edge is the top of the last band
        // still within 15 dB of the content below.
        let edge = j;
        for (let b = j - below; b < j + transition; b++) if (level[b] >= belowDb - 15) edge = b + 1;
        const cutoffHz = edge * BANDWIDTH_BAND_HZ;
        return { effectiveHz: cutoffHz, cutoffHz, cutoffDropDb: drop, nyquistHz, frames: this.frames };
      }
    }
    return { effectiveHz: nyquistHz, cutoffHz: null, cutoffDropDb: null, nyquistHz, frames: this.frames };
  }

  reset(): void {
    this.power.fill(0);
    this.frameStart = 0;
    this.filled = 0;
    this.position = 0;
    this.frames = 0;
  }
}
