import type { Dbtp, Decibels, Hertz, LoudnessUnits, Lufs, Seconds } from '../units';
import { CHANNEL_WEIGHTS, defaultLayout, type ChannelRole } from './channels';
import { designKWeighting } from './k-weighting';
import { TruePeakMeter, type TruePeakOvers } from './true-peak';

/**
 * Loudness per ITU-R BS.1770-5, EBU R 128, EBU Tech 3341 (meter) and Tech 3342 (loudness range).
 *
 * - K-weighting designed for the sample rate (see designKWeighting), summed over channels with
 *   the BS.1770 weights (LFE excluded): L = -0.691 + 10 log10(sum G_i z_i).
 * - The K-weighted energy is accumulated on a fine grid of LOUDNESS_SEGMENTS_PER_SECOND segments; a
 *   segment ends at sample round(k * fs / 400). Windows are whole numbers of segments and their
 *   mean square divides by their exact sample count, so any sample rate works.
 * - Momentary (400 ms) and short-term (3 s) loudness are evaluated every 2.5 ms; their maxima are
 *   taken over those positions (Tech 3341 cases 10/13 need a finer step than 100 ms: a window
 *   misplaced by 1.25 ms costs at most 0.014 LU on a 400 ms burst).
 * - Integrated: gating blocks of 400 ms every 100 ms (75 % overlap), absolute gate -70 LUFS,
 *   relative gate -10 LU, blocks strictly above the gates (BS.1770-5 eq. 4-6). The blocks above
 *   the absolute gate are kept (8 bytes per 100 ms) so the two-pass gating is exact.
 * - Loudness range: short-term values every 100 ms (10 Hz), absolute gate -70 LUFS, relative
 *   gate -20 LU below their power mean, LRA = P95 - P10 with the percentile of Tech 3342's
 *   reference code: the value at 0-based index round((n - 1) * p) of the sorted values.
 * - True peak: TruePeakMeter (BS.1770-5 Annex 2), oversampled 4x below 96 kHz, 2x below 192 kHz.
 *
 * Values that do not exist are `null`, never -Infinity, because results end up in JSON:
 * integrated and LRA when no block passes the gates (digital silence, everything under
 * -70 LUFS) or the input is shorter than one block (400 ms) / one short-term window (3 s);
 * momentary / short-term maxima when the input is shorter than 400 ms / 3 s or every window is
 * silent; true / sample peak of digital silence. A window counts as silent when its K-weighted
 * mean square is below LOUDNESS_SILENCE_ENERGY (-200 LUFS): digital silence and the filters' decay into it.
 * Non-finite input (NaN, Infinity) makes every loudness value null for the rest of the
 * measurement (the K-weighting filters cannot recover from it); peaks ignore NaN.
 */
export const LOUDNESS_SEGMENTS_PER_SECOND = 400;
const SEGS_PER_HOP = LOUDNESS_SEGMENTS_PER_SECOND / 10; // 100 ms
const SEGS_MOMENTARY = (LOUDNESS_SEGMENTS_PER_SECOND * 4) / 10; // 400 ms
const SEGS_SHORT_TERM = LOUDNESS_SEGMENTS_PER_SECOND * 3; // 3 s

export const LOUDNESS_OFFSET = -0.691;
export const ABSOLUTE_GATE_LUFS: Lufs = -70;
export const RELATIVE_GATE_LU: LoudnessUnits = -10;
export const LRA_RELATIVE_GATE_LU: LoudnessUnits = -20;
export const LRA_LOW_PERCENTILE = 0.1;
export const LRA_HIGH_PERCENTILE = 0.95;
/** K-weighted mean square under which a window is reported as silence (null). */
export const LOUDNESS_SILENCE_ENERGY = 1e-20;

const ABS_GATE_ENERGY = Math.pow(10, (ABSOLUTE_GATE_LUFS - LOUDNESS_OFFSET) / 10);

export interface LoudnessMeterOptions {
  sampleRate: Hertz;
  channels: number;
  /** Role of each channel; default by count, see defaultLayout. */
  layout?: ChannelRole[];
  /** Keep the 10 Hz momentary and short-term series (8 bytes each per 100 ms). */
  series?: boolean;
  /**
   * Where true peak and sample peak are measured: by default a TruePeakMeter in this thread; a
   * caller may pass its own sink (e.g. one that runs the same TruePeakMeter in another thread).
   */
  truePeak?: TruePeakSink;
}

/** What the meter needs of a true-peak measurement (TruePeakMeter has exactly this shape). */
export interface TruePeakSink {
  process(block: readonly Float32Array[]): void;
  truePeaks(): Float64Array;
  samplePeaks(): Float64Array;
  oversPerChannel(): TruePeakOvers[];
  reset(): void;
}

export interface ChannelPeaks {
  truePeakDbtp: Dbtp | null;
  samplePeakDbfs: Decibels | null;
}

export interface LoudnessResult {
  integratedLufs: Lufs | null;
  loudnessRangeLu: LoudnessUnits | null;
  momentaryMaxLufs: Lufs | null;
  shortTermMaxLufs: Lufs | null;
  /** Maximum over all channels, LFE included. */
  truePeakDbtp: Dbtp | null;
  samplePeakDbfs: Decibels | null;
  channels: ChannelPeaks[];
  /**
   * 10 Hz series (with options.series): element i is the loudness of the window ending at
   * (i + 1) * 100 ms; null while the window is not yet full (the first 3 values of the momentary
   * series, the first 29 of the short-term one) and for silent windows.
   */
  momentarySeries?: (Lufs | null)[];
  shortTermSeries?: (Lufs | null)[];
  durationSeconds: Seconds;
}

/** Append-only Float64 store. */
class Growable {
  data = new Float64Array(256);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
  clear(): void {
    this.data = new Float64Array(256);
    this.length = 0;
  }
}

function energyToLufs(z: number): Lufs | null {
  return z >= LOUDNESS_SILENCE_ENERGY && Number.isFinite(z) ? LOUDNESS_OFFSET + 10 * Math.log10(z) : null;
}

function gainToDbOrNull(g: number): Decibels | null {
  return g > 0 && Number.isFinite(g) ? 20 * Math.log10(g) : null;
}

/** BS.1770 two-stage gating over block energies already above the absolute gate. */
export function gatedMeanEnergy(blocks: Float64Array, relativeGateLu: LoudnessUnits): number | null {
  const n = blocks.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += blocks[i];
  const threshold = (sum / n) * Math.pow(10, relativeGateLu / 10);
  let gated = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (blocks[i] > threshold) {
      gated += blocks[i];
      count++;
    }
  }
  return count > 0 ? gated / count : null;
}

/** Tech 3342 loudness range from short-term energies already above the absolute gate. */
export function loudnessRangeFromEnergies(shortTerm: Float64Array): LoudnessUnits | null {
  const n = shortTerm.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += shortTerm[i];
  const threshold = (sum / n) * Math.pow(10, LRA_RELATIVE_GATE_LU / 10);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (shortTerm[i] > threshold) kept.push(shortTerm[i]);
  if (kept.length === 0) return null;
  const sorted = Float64Array.from(kept).sort();
  const m = sorted.length;
  const lo = sorted[Math.round((m - 1) * LRA_LOW_PERCENTILE)];
  const hi = sorted[Math.round((m - 1) * LRA_HIGH_PERCENTILE)];
  return 10 * Math.log10(hi) - 10 * Math.log10(lo);
}

/**
 * K-weights one channel over [0, n) and sums the squared output per segment: segment c ends at
 * local index cuts[c] and its sum (plus `carry` for the first) goes to out[c * stride + offset].
 * Returns the sum of the unfinished last segment.
 */
function kWeightChannel(
  x: Float32Array,
  n: number,
  cuts: Int32Array,
  ncuts: number,
  k: Float64Array,
  state: Float64Array,
  so: number,
  carry: number,
  out: Float64Array,
  stride: number,
  offset: number,
): number {
  const sb0 = k[0];
  const sb1 = k[1];
  const sb2 = k[2];
  const sa1 = k[3];
  const sa2 = k[4];
  const ha1 = k[5];
  const ha2 = k[6];
  let s1 = state[so];
  let s2 = state[so + 1];
  let h1 = state[so + 2];
  let h2 = state[so + 3];
  let acc = carry;
  let start = 0;
  for (let c = 0; c <= ncuts; c++) {
    const end = c < ncuts ? cuts[c] : n;
    for (let i = start; i < end; i++) {
      const xi = x[i] + 1e-20;
      const y = sb0 * xi + s1;
      s1 = sb1 * xi - sa1 * y + s2;
      s2 = sb2 * xi - sa2 * y;
      const z = y + h1;
      h1 = -2 * y - ha1 * z + h2;
      h2 = y - ha2 * z;
      acc += z * z;
    }
    if (c < ncuts) {
      out[c * stride + offset] = acc;
      acc = 0;
    }
    start = end;
  }
  state[so] = s1;
  state[so + 1] = s2;
  state[so + 2] = h1;
  state[so + 3] = h2;
  return acc;
}

/**
 * Stereo variant: both channels in one loop, plus the cross term sum(kL * kR) that gives the
 * loudness of the mono fold-down without filtering it separately. Writes [L, R, LR] triples.
 */
function kWeightPair(
  xl: Float32Array,
  xr: Float32Array,
  n: number,
  cuts: Int32Array,
  ncuts: number,
  k: Float64Array,
  state: Float64Array,
  carry: Float64Array,
  out: Float64Array,
): void {
  const sb0 = k[0];
  const sb1 = k[1];
  const sb2 = k[2];
  const sa1 = k[3];
  const sa2 = k[4];
  const ha1 = k[5];
  const ha2 = k[6];
  let ls1 = state[0];
  let ls2 = state[1];
  let lh1 = state[2];
  let lh2 = state[3];
  let rs1 = state[4];
  let rs2 = state[5];
  let rh1 = state[6];
  let rh2 = state[7];
  let accL = carry[0];
  let accR = carry[1];
  let accX = carry[2];
  let start = 0;
  for (let c = 0; c <= ncuts; c++) {
    const end = c < ncuts ? cuts[c] : n;
    for (let i = start; i < end; i++) {
      const xa = xl[i] + 1e-20;
      const xb = xr[i] + 1e-20;
      const ya = sb0 * xa + ls1;
      const yb = sb0 * xb + rs1;
      ls1 = sb1 * xa - sa1 * ya + ls2;
      rs1 = sb1 * xb - sa1 * yb + rs2;
      ls2 = sb2 * xa - sa2 * ya;
      rs2 = sb2 * xb - sa2 * yb;
      const za = ya + lh1;
      const zb = yb + rh1;
      lh1 = -2 * ya - ha1 * za + lh2;
      rh1 = -2 * yb - ha1 * zb + rh2;
      lh2 = ya - ha2 * za;
      rh2 = yb - ha2 * zb;
      accL += za * za;
      accR += zb * zb;
      accX += za * zb;
    }
    if (c < ncuts) {
      out[c * 3] = accL;
      out[c * 3 + 1] = accR;
      out[c * 3 + 2] = accX;
      accL = 0;
      accR = 0;
      accX = 0;
    }
    start = end;
  }
  state[0] = ls1;
  state[1] = ls2;
  state[2] = lh1;
  state[3] = lh2;
  state[4] = rs1;
  state[5] = rs2;
  state[6] = rh1;
  state[7] = rh2;
  carry[0] = accL;
  carry[1] = accR;
  carry[2] = accX;
}

/**
 * Streaming loudness meter: integrated loudness, loudness range, momentary / short-term maxima
 * (and optional 10 Hz series), true peak and sample peak, overall and per channel. Feed planar
 * blocks of any length with process(); result() may be called at any time and does not disturb
 * the measurement. Memory: constant, plus 8 bytes per 100 ms each for the gating blocks, the mono
 * fold-down blocks and the LRA short-term values above -70 LUFS (0.9 MB per hour, at most twice
 * that in doubling buffers), plus the series if asked for.
 *
 * For stereo (two channels of weight > 0) it also measures the mono fold-down (L+R)/2 played on
 * both channels, for QC (monoFoldDownLufs), and it counts inter-sample overs above 0 dBTP.
 */
export class LoudnessMeter {
  readonly sampleRate: Hertz;
  readonly channels: number;
  readonly layout: readonly ChannelRole[];
  readonly weights: Float64Array;
  private readonly series: boolean;
  private readonly coefficients: Float64Array;
  private readonly active: Int32Array;
  private readonly pair: boolean;
  private readonly truePeak: TruePeakSink;

  private readonly filterState: Float64Array;
  private readonly carry: Float64Array;
  private segOut = new Float64Array(0);
  private cuts = new Int32Array(0);

  // Segment grid and windows.
  private frames = 0;
  private segments = 0;
  private nextBoundary = 0;
  private readonly ring = new Float64Array(SEGS_SHORT_TERM);
  private readonly monoRing = new Float64Array(SEGS_MOMENTARY);
  private momentarySum = 0;
  private shortTermSum = 0;
  private monoSum = 0;
  private momentaryMax = -1;
  private shortTermMax = -1;
  private nonFinite = false;
  private readonly blocks = new Growable();
  private readonly monoBlocks = new Growable();
  private readonly shortTermBlocks = new Growable();
  private readonly momentarySeries = new Growable();
  private readonly shortTermSeries = new Growable();

  constructor(options: LoudnessMeterOptions) {
    const { sampleRate, channels } = options;
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      throw new RangeError(`channels must be an integer in [1, 64], got ${channels}`);
    }
    const kw = designKWeighting(sampleRate); // validates the rate
    const layout = options.layout ?? defaultLayout(channels);
    if (layout.length !== channels) {
      throw new RangeError(`layout has ${layout.length} roles for ${channels} channels`);
    }
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.layout = Object.freeze([...layout]);
    this.weights = Float64Array.from(layout, (role) => {
      const w = CHANNEL_WEIGHTS[role];
      if (w === undefined) throw new RangeError(`unknown channel role ${String(role)}`);
      return w;
    });
    this.series = options.series ?? false;
    this.coefficients = Float64Array.of(
      kw.shelf.b0,
      kw.shelf.b1,
      kw.shelf.b2,
      kw.shelf.a1,
      kw.shelf.a2,
      kw.highPass.a1,
      kw.highPass.a2,
    );
    this.active = Int32Array.from([...this.weights.keys()].filter((c) => this.weights[c] > 0));
    this.pair = channels === 2 && this.active.length === 2;
    this.filterState = new Float64Array(channels * 4);
    this.carry = new Float64Array(Math.max(3, channels));
    this.truePeak = options.truePeak ?? new TruePeakMeter({ sampleRate, channels });
    this.nextBoundary = this.boundary(1);
  }

  /** Sample index at which segment k ends (round(k * fs / 400), exact in integers). */
  private boundary(k: number): number {
    return Math.floor(
      (2 * k * this.sampleRate + LOUDNESS_SEGMENTS_PER_SECOND) / (2 * LOUDNESS_SEGMENTS_PER_SECOND),
    );
  }

  /** Feeds one planar block: one Float32Array per channel, all of the same length (any length). */
  process(block: readonly Float32Array[]): void {
    if (block.length !== this.channels) {
      throw new RangeError(`block has ${block.length} channels, meter expects ${this.channels}`);
    }
    const n = block[0].length;
    for (let c = 1; c < this.channels; c++) {
      if (block[c].length !== n) throw new RangeError('all channels of a block must have the same length');
    }
    if (n === 0) return;

    // Segment boundaries that fall inside this block.
    let ncuts = 0;
    const end = this.frames + n;
    const maxCuts = Math.ceil((n * LOUDNESS_SEGMENTS_PER_SECOND) / this.sampleRate) + 2;
    if (this.cuts.length < maxCuts) {
      this.cuts = new Int32Array(maxCuts * 2);
      this.segOut = new Float64Array(maxCuts * 2 * Math.max(3, this.channels));
    }
    let b = this.nextBoundary;
    let k = this.segments + 1;
    while (b <= end) {
      this.cuts[ncuts++] = b - this.frames;
      k++;
      b = this.boundary(k);
    }

    const kc = this.coefficients;
    const out = this.segOut;
    if (this.pair) {
      kWeightPair(block[0], block[1], n, this.cuts, ncuts, kc, this.filterState, this.carry, out);
    } else {
      const stride = this.channels;
      for (let a = 0; a < this.active.length; a++) {
        const c = this.active[a];
        this.carry[c] = kWeightChannel(
          block[c],
          n,
          this.cuts,
          ncuts,
          kc,
          this.filterState,
          c * 4,
          this.carry[c],
          out,
          stride,
          c,
        );
      }
    }
    this.truePeak.process(block);
    this.frames = end;
    this.nextBoundary = b;

    const w = this.weights;
    for (let s = 0; s < ncuts; s++) {
      let e = 0;
      let mono = 0;
      if (this.pair) {
        const l = out[s * 3];
        const r = out[s * 3 + 1];
        e = w[0] * l + w[1] * r;
        mono = (l + r + 2 * out[s * 3 + 2]) / 2;
      } else {
        for (let a = 0; a < this.active.length; a++) {
          const c = this.active[a];
          e += w[c] * out[s * this.channels + c];
        }
      }
      this.pushSegment(e, mono);
    }
  }

  private pushSegment(e: number, mono: number): void {
    if (!(e < Infinity)) this.nonFinite = true; // NaN or Infinity
    const ring = this.ring;
    const seg = this.segments; // index of this segment
    const pos = seg % SEGS_SHORT_TERM;
    const leavingShort = ring[pos];
    const leavingMomentary = ring[(seg - SEGS_MOMENTARY + SEGS_SHORT_TERM * 2) % SEGS_SHORT_TERM];
    this.shortTermSum += e - leavingShort;
    this.momentarySum += e - (seg >= SEGS_MOMENTARY ? leavingMomentary : 0);
    ring[pos] = e;
    const mpos = seg % SEGS_MOMENTARY;
    this.monoSum += mono - this.monoRing[mpos];
    this.monoRing[mpos] = mono;
    const done = seg + 1;
    this.segments = done;

    const tick = done % SEGS_PER_HOP === 0;
    if (tick) {
      // Exact sums every 100 ms: the running sums cannot drift.
      let m = 0;
      let s = 0;
      for (let i = 0; i < SEGS_SHORT_TERM; i++) s += ring[i];
      for (let i = 0; i < SEGS_MOMENTARY; i++) m += ring[(seg - i + SEGS_SHORT_TERM) % SEGS_SHORT_TERM];
      let mm = 0;
      for (let i = 0; i < SEGS_MOMENTARY; i++) mm += this.monoRing[i];
      this.shortTermSum = s;
      this.momentarySum = done >= SEGS_MOMENTARY ? m : this.momentarySum;
      this.monoSum = mm;
    }

    if (done >= SEGS_MOMENTARY) {
      const count = this.boundary(done) - this.boundary(done - SEGS_MOMENTARY);
      const z = this.momentarySum / count;
      if (z > this.momentaryMax) this.momentaryMax = z;
      if (tick) {
        if (z > ABS_GATE_ENERGY) this.blocks.push(z);
        const zm = this.monoSum / count;
        if (zm > ABS_GATE_ENERGY) this.monoBlocks.push(zm);
        if (this.series) this.momentarySeries.push(z);
      }
    } else if (tick && this.series) {
      this.momentarySeries.push(NaN);
    }
    if (done >= SEGS_SHORT_TERM) {
      const count = this.boundary(done) - this.boundary(done - SEGS_SHORT_TERM);
      const z = this.shortTermSum / count;
      if (z > this.shortTermMax) this.shortTermMax = z;
      if (tick) {
        if (z > ABS_GATE_ENERGY) this.shortTermBlocks.push(z);
        if (this.series) this.shortTermSeries.push(z);
      }
    } else if (tick && this.series) {
      this.shortTermSeries.push(NaN);
    }
  }

  /** Current measurement; does not change the meter's state. */
  result(): LoudnessResult {
    const integrated = gatedMeanEnergy(this.blocks.view(), RELATIVE_GATE_LU);
    const tp = this.truePeak.truePeaks();
    const sp = this.truePeak.samplePeaks();
    let tpMax = 0;
    let spMax = 0;
    const channels: ChannelPeaks[] = [];
    for (let c = 0; c < this.channels; c++) {
      tpMax = Math.max(tpMax, tp[c]);
      spMax = Math.max(spMax, sp[c]);
      channels.push({ truePeakDbtp: gainToDbOrNull(tp[c]), samplePeakDbfs: gainToDbOrNull(sp[c]) });
    }
    const lra = loudnessRangeFromEnergies(this.shortTermBlocks.view());
    const bad = this.nonFinite;
    const result: LoudnessResult = {
      integratedLufs: integrated === null || bad ? null : energyToLufs(integrated),
      loudnessRangeLu: lra !== null && Number.isFinite(lra) && !bad ? lra : null,
      momentaryMaxLufs: this.momentaryMax < 0 || bad ? null : energyToLufs(this.momentaryMax),
      shortTermMaxLufs: this.shortTermMax < 0 || bad ? null : energyToLufs(this.shortTermMax),
      truePeakDbtp: gainToDbOrNull(tpMax),
      samplePeakDbfs: gainToDbOrNull(spMax),
      channels,
      durationSeconds: this.frames / this.sampleRate,
    };
    if (this.series) {
      result.momentarySeries = Array.from(this.momentarySeries.view(), energyToLufs);
      result.shortTermSeries = Array.from(this.shortTermSeries.view(), energyToLufs);
    }
    return result;
  }

  /** Integrated loudness of the mono fold-down (L+R)/2 on both channels; null unless stereo. */
  monoFoldDownLufs(): Lufs | null {
    if (!this.pair || this.nonFinite) return null;
    const z = gatedMeanEnergy(this.monoBlocks.view(), RELATIVE_GATE_LU);
    return z === null ? null : energyToLufs(z);
  }

  /** Oversampled values above 0 dBTP, per channel (see TruePeakMeter). */
  interSampleOvers(): TruePeakOvers[] {
    return this.truePeak.oversPerChannel();
  }

  /** Frames processed so far. */
  get frameCount(): number {
    return this.frames;
  }

  reset(): void {
    this.filterState.fill(0);
    this.carry.fill(0);
    this.truePeak.reset();
    this.frames = 0;
    this.segments = 0;
    this.nextBoundary = this.boundary(1);
    this.ring.fill(0);
    this.monoRing.fill(0);
    this.momentarySum = 0;
    this.shortTermSum = 0;
    this.monoSum = 0;
    this.momentaryMax = -1;
    this.shortTermMax = -1;
    this.nonFinite = false;
    this.blocks.clear();
    this.monoBlocks.clear();
    this.shortTermBlocks.clear();
    this.momentarySeries.clear();
    this.shortTermSeries.clear();
  }
}
