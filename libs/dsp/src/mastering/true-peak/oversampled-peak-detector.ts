import type { Dbtp, Gain } from '../../units';

/**
 * ITU-R BS.1770-5 Annex 2 true-peak interpolator: the order-48, four-phase FIR printed in the
 * Recommendation (12 taps per phase). Phase k applied to x[n], x[n-1], ..., x[n-11] estimates the
 * signal at n - 6 + (2k + 1) / 8 input samples. The table is used unchanged at every sample rate,
 * as meters do (4x oversampling).
 */
export const BS1770_INTERPOLATOR_PHASES: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([
    0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625,
    0.97216796875, -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125,
  ]),
  Object.freeze([
    -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625,
    0.77978515625, -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
  ]),
  Object.freeze([
    -0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625, -0.2003173828125, 0.77978515625,
    0.465087890625, -0.16650390625, 0.089111328125, -0.0517578125, 0.029296875, -0.0291748046875,
  ]),
  Object.freeze([
    -0.00830078125, 0.014892578125, -0.026611328125, 0.047607421875, -0.102294921875, 0.97216796875,
    0.1373291015625, -0.0594482421875, 0.033203125, -0.0196533203125, 0.010986328125, 0.001708984375,
  ]),
]);

/** Taps per phase of the BS.1770 interpolator; also the history (minus one) a detector keeps. */
export const BS1770_INTERPOLATOR_TAPS = 12;

/** Delay, in input samples, of the sample |x[m]| relative to the newest input x[n] (m = n - 6). */
export const BS1770_INTERPOLATOR_DELAY = 6;

/**
 * Largest sum of |taps| over the four phases: |interpolated value| <= this * max|x| over the 12
 * input samples a phase reads, which lets a detector skip stretches that cannot reach a level.
 */
export const BS1770_INTERPOLATOR_L1: number = Math.max(
  ...BS1770_INTERPOLATOR_PHASES.map((p) => p.reduce((s, c) => s + Math.abs(c), 0)),
);

/**
 * Streaming true-peak detector after ITU-R BS.1770-5 Annex 2 (4x oversampling with the
 * Recommendation's FIR), per channel, plus the sample peak. The reading is max(|x|, |x
 * interpolated|), so it is never below the sample peak.
 *
 * Stretches whose samples cannot lift the running maximum (bound: L1 norm of the phases times
 * the largest |x| in reach) are skipped exactly, so measuring a limited master costs little more
 * than a sample-peak scan.
 */
export class OversampledPeakDetector {
  readonly channels: number;
  private readonly history: Float32Array[];
  private readonly peaks: Float64Array;
  private readonly samplePeaks: Float64Array;
  private scratch: Float32Array = new Float32Array(0);

  constructor(channels: number) {
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${channels}`);
    }
    this.channels = channels;
    this.history = Array.from({ length: channels }, () => new Float32Array(BS1770_INTERPOLATOR_TAPS - 1));
    this.peaks = new Float64Array(channels);
    this.samplePeaks = new Float64Array(channels);
  }

  /** Feeds one planar block (one array per channel, equal lengths). The block is not modified. */
  process(block: readonly Float32Array[]): void {
    if (block.length !== this.channels) {
      throw new RangeError(`expected ${this.channels} channels, got ${block.length}`);
    }
    const frames = block[0].length;
    const hist = BS1770_INTERPOLATOR_TAPS - 1;
    if (this.scratch.length < frames + hist) this.scratch = new Float32Array(frames + hist);
    const ext = this.scratch;
    const [q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11] = BS1770_INTERPOLATOR_PHASES[0];
    const [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11] = BS1770_INTERPOLATOR_PHASES[1];
    const l1 = BS1770_INTERPOLATOR_L1;
    for (let c = 0; c < this.channels; c++) {
      const x = block[c];
      if (x.length !== frames) throw new RangeError('all channels of a block must have the same length');
      const h = this.history[c];
      ext.set(h, 0);
      ext.set(x, hist);
      let peak = this.peaks[c];
      let samplePeak = this.samplePeaks[c];
      const total = frames + hist;
      const chunk = 64;
      for (let start = hist; start < total; start += chunk) {
        const end = Math.min(total, start + chunk);
        let m = 0;
        for (let i = start - hist; i < end; i++) {
          const a = Math.abs(ext[i]);
          if (a > m) m = a;
        }
        for (let i = start; i < end; i++) {
          const a = Math.abs(ext[i]);
          if (a > samplePeak) samplePeak = a;
        }
        if (m * l1 <= peak) continue;
        for (let i = start; i < end; i++) {
          // a0 is the newest sample x[n]; phases are symmetric: phase 3 = reversed phase 0,
          // phase 2 = reversed phase 1.
          const a0 = ext[i];
          const a1 = ext[i - 1];
          const a2 = ext[i - 2];
          const a3 = ext[i - 3];
          const a4 = ext[i - 4];
          const a5 = ext[i - 5];
          const a6 = ext[i - 6];
          const a7 = ext[i - 7];
          const a8 = ext[i - 8];
          const a9 = ext[i - 9];
          const a10 = ext[i - 10];
          const a11 = ext[i - 11];
          const y0 = Math.abs(
            q0 * a0 +
              q1 * a1 +
              q2 * a2 +
              q3 * a3 +
              q4 * a4 +
              q5 * a5 +
              q6 * a6 +
              q7 * a7 +
              q8 * a8 +
              q9 * a9 +
              q10 * a10 +
              q11 * a11,
          );
          const y1 = Math.abs(
            r0 * a0 +
              r1 * a1 +
              r2 * a2 +
              r3 * a3 +
              r4 * a4 +
              r5 * a5 +
              r6 * a6 +
              r7 * a7 +
              r8 * a8 +
              r9 * a9 +
              r10 * a10 +
              r11 * a11,
          );
          const y2 = Math.abs(
            r11 * a0 +
              r10 * a1 +
              r9 * a2 +
              r8 * a3 +
              r7 * a4 +
              r6 * a5 +
              r5 * a6 +
              r4 * a7 +
              r3 * a8 +
              r2 * a9 +
              r1 * a10 +
              r0 * a11,
          );
          const y3 = Math.abs(
            q11 * a0 +
              q10 * a1 +
              q9 * a2 +
              q8 * a3 +
              q7 * a4 +
              q6 * a5 +
              q5 * a6 +
              q4 * a7 +
              q3 * a8 +
              q2 * a9 +
              q1 * a10 +
              q0 * a11,
          );
          if (y0 > peak) peak = y0;
          if (y1 > peak) peak = y1;
          if (y2 > peak) peak = y2;
          if (y3 > peak) peak = y3;
        }
      }
      if (samplePeak > peak) peak = samplePeak;
      this.peaks[c] = peak;
      this.samplePeaks[c] = samplePeak;
      h.set(ext.subarray(total - hist, total));
    }
  }

  /**
   * Ends the stream: feeds the interpolator the zeros after the last sample so the inter-sample
   * values of the last six samples are read too (as a meter flushing its filter does).
   */
  flush(): void {
    const zeros = new Float32Array(BS1770_INTERPOLATOR_TAPS - 1);
    this.process(Array.from({ length: this.channels }, () => zeros));
  }

  /** Largest true peak over all channels so far, linear. */
  get truePeak(): Gain {
    let m = 0;
    for (let c = 0; c < this.channels; c++) m = Math.max(m, this.peaks[c]);
    return m;
  }

  /** Largest true peak over all channels so far, dBTP (-Infinity on silence). */
  get truePeakDb(): Dbtp {
    return 20 * Math.log10(this.truePeak);
  }

  /** True peak of one channel, linear. */
  channelTruePeak(channel: number): Gain {
    return this.peaks[channel];
  }

  /** Largest sample peak over all channels so far, linear. */
  get samplePeak(): Gain {
    let m = 0;
    for (let c = 0; c < this.channels; c++) m = Math.max(m, this.samplePeaks[c]);
    return m;
  }

  reset(): void {
    for (const h of this.history) h.fill(0);
    this.peaks.fill(0);
    this.samplePeaks.fill(0);
  }
}

/** True peak (BS.1770-5 Annex 2, 4x) of a whole planar signal, dBTP. */
export function measureTruePeak(channels: readonly Float32Array[]): Dbtp {
  const d = new OversampledPeakDetector(channels.length);
  d.process(channels);
  d.flush();
  return d.truePeakDb;
}
