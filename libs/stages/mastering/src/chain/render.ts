import { encode, type AudioBlock, type EncodeFormat, type EncodeResult } from '@pressline/audio';
import {
  Dither,
  LoudnessMeter,
  TruePeakLimiter,
  dbToGain,
  type Dbtp,
  type Decibels,
  type Hertz,
  type LimiterStats,
  type LoudnessResult,
  type NoiseShaping,
} from '@pressline/dsp';

export interface RenderOptions {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly gainDb: Decibels;
  /** The true-peak limiter, or null for a linear render. */
  readonly limiter: { readonly ceilingDbtp: Dbtp; readonly marginDb: Decibels } | null;
  /** TPDF dither to an integer depth, or null (32-bit float output). */
  readonly dither: { readonly bitDepth: 16 | 24; readonly noiseShaping: NoiseShaping } | null;
  /** Dual mono: one dither sequence for both channels, so that L = R bit for bit. */
  readonly dualMono?: boolean;
  /** Write the result; null = measure only. */
  readonly encode: { readonly file: string; readonly format: EncodeFormat } | null;
}

export interface RenderResult {
  /** The project's meter (BS.1770-5) on exactly the samples written. */
  readonly output: LoudnessResult;
  readonly limiter: LimiterStats | null;
  readonly ditherClippedSamples: number;
  readonly frames: number;
  readonly encoded: EncodeResult | null;
  readonly seconds: number;
}

/**
 * One render pass over the pre-gain signal: gain -> true-peak limiter (when planned) -> TPDF dither
 * -> the project's loudness meter -> encoder. The meter sees the dithered samples, which are on the
 * integer grid and pass through the encoder unchanged (float k / 2^(bits-1) converts exactly), so
 * its figures are those of the file. The limiter's look-ahead delay is removed: the output has
 * exactly as many frames as the input.
 */
export async function render(source: AsyncIterable<Float32Array[]>, o: RenderOptions): Promise<RenderResult> {
  const t0 = performance.now();
  const meter = new LoudnessMeter({ sampleRate: o.sampleRate, channels: o.channels });
  const limiter = o.limiter
    ? new TruePeakLimiter({
        sampleRate: o.sampleRate,
        channels: o.channels,
        ceiling: o.limiter.ceilingDbtp,
        margin: o.limiter.marginDb,
      })
    : null;
  const dualMono = o.dualMono === true && o.channels === 2;
  const dither = o.dither
    ? new Dither({
        bitDepth: o.dither.bitDepth,
        channels: dualMono ? 1 : o.channels,
        sampleRate: o.sampleRate,
        noiseShaping: o.dither.noiseShaping,
      })
    : null;
  const gain = dbToGain(o.gainDb);
  let frames = 0;

  const finish = (x: Float32Array[]): AudioBlock | null => {
    const n = x[0].length;
    if (n === 0) return null;
    if (dither && dualMono) {
      dither.process([x[0]]);
      x[1].set(x[0]);
    } else dither?.process(x);
    meter.process(x);
    frames += n;
    return { channels: x, frames: n };
  };

  async function* blocks(): AsyncGenerator<AudioBlock> {
    let drop = limiter ? limiter.latencyFrames : 0;
    for await (const block of source) {
      let x = block;
      const n = x[0].length;
      if (gain !== 1) {
        for (const ch of x) for (let i = 0; i < n; i++) ch[i] *= gain;
      }
      if (limiter) {
        limiter.process(x);
        if (drop > 0) {
          const d = Math.min(drop, n);
          drop -= d;
          x = x.map((ch) => ch.subarray(d));
        }
      }
      const b = finish(x);
      if (b) yield b;
    }
    if (limiter) {
      let tail = limiter.flush();
      // a stream shorter than the latency: only its own length comes back
      if (drop > 0) tail = tail.map((ch) => ch.subarray(Math.min(drop, ch.length)));
      const b = finish(tail);
      if (b) yield b;
    }
  }

  let encoded: EncodeResult | null = null;
  if (o.encode) {
    encoded = await encode(blocks(), o.encode.file, {
      format: o.encode.format,
      sampleRate: o.sampleRate,
      channels: o.channels,
    });
  } else {
    for await (const b of blocks()) void b;
  }
  return {
    output: meter.result(),
    // flush() resets the limiter's signal state but keeps its statistics
    limiter: limiter ? limiter.stats() : null,
    ditherClippedSamples: dither?.clippedSamples ?? 0,
    frames,
    encoded,
    seconds: (performance.now() - t0) / 1000,
  };
}
