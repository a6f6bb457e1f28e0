import type { Decibels, Hertz, Samples } from '../../units';
import { besselI0, kaiserBeta, kaiserLength } from './kaiser';

export interface ResamplerOptions {
  readonly inputRate: Hertz;
  readonly outputRate: Hertz;
  readonly channels: number;
  /** Passband edge as a fraction of the lower of the two rates (0.45 = 19.8 kHz at 44.1 kHz). */
  readonly passband?: number;
  /** Stopband edge as a fraction of the lower rate; 0.5 = nothing aliases into the output band. */
  readonly stopband?: number;
  /** Stopband attenuation the Kaiser window is designed for. */
  readonly attenuation?: Decibels;
}

export const RESAMPLER_DEFAULTS: Readonly<
  Required<Omit<ResamplerOptions, 'inputRate' | 'outputRate' | 'channels'>>
> = Object.freeze({
  passband: 0.45,
  stopband: 0.5,
  attenuation: 125,
});

/** Largest interpolation factor L (number of polyphase branches) accepted. */
const MAX_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The input frames a filter stage still needs, per channel: `buffers[c][0]` is input frame
 * `start` (negative while the leading zeros are in), `frames` are held. Grows by doubling;
 * frames the stage no longer reads are dropped from the front.
 */
class InputHistory {
  buffers: Float32Array[];
  frames: number;
  start: number;

  constructor(channels: number, capacity: number, leadingZeros: number) {
    this.buffers = Array.from({ length: channels }, () => new Float32Array(capacity));
    this.frames = leadingZeros;
    this.start = -leadingZeros;
  }

  append(block: readonly Float32Array[], frames: number): void {
    const need = this.frames + frames;
    if (need > this.buffers[0].length) {
      let cap = this.buffers[0].length;
      while (cap < need) cap *= 2;
      this.buffers = this.buffers.map((b) => {
        const nb = new Float32Array(cap);
        nb.set(b.subarray(0, this.frames));
        return nb;
      });
    }
    for (let c = 0; c < this.buffers.length; c++) this.buffers[c].set(block[c], this.frames);
    this.frames = need;
  }

  /** Forgets the frames before absolute input index `from`. */
  dropBefore(from: number): void {
    const keepFrom = from - this.start;
    if (keepFrom <= 0) return;
    const drop = Math.min(keepFrom, this.frames);
    for (const buf of this.buffers) buf.copyWithin(0, drop, this.frames);
    this.frames -= drop;
    this.start += drop;
  }
}

/**
 * One polyphase windowed-sinc stage (see Resampler). Output frame k is the signal at input time
 * k M / L; flush() ends the stream with exactly ceil(N L / M) frames.
 */
class PolyphaseStage {
  readonly inputRate: Hertz;
  readonly outputRate: Hertz;
  readonly channels: number;
  /** Interpolation factor L. */
  readonly upFactor: number;
  /** Decimation factor M. */
  readonly downFactor: number;
  /** FIR taps applied per output frame and channel (multiple of 4). */
  readonly tapsPerPhase: number;

  private readonly coefficients: Float32Array;
  private readonly half: number;
  private readonly stepWhole: number;
  private readonly stepFrac: number;
  private input: InputHistory;
  private inputFrames = 0;
  private outputIndex = 0;
  private base = 0;
  private phase = 0;
  private flushed = false;

  constructor(o: Required<ResamplerOptions>) {
    const g = gcd(o.inputRate, o.outputRate);
    const L = o.outputRate / g;
    const M = o.inputRate / g;
    if (L > MAX_PHASES) {
      throw new RangeError(`ratio ${o.outputRate}/${o.inputRate} needs ${L} phases (max ${MAX_PHASES})`);
    }
    this.inputRate = o.inputRate;
    this.outputRate = o.outputRate;
    this.channels = o.channels;
    this.upFactor = L;
    this.downFactor = M;
    this.stepWhole = Math.floor(M / L);
    this.stepFrac = M % L;

    // Everything in input samples: cut-off and transition in cycles per input sample.
    const lowRate = Math.min(o.inputRate, o.outputRate);
    const scale = lowRate / o.inputRate;
    const cutoff = ((o.passband + o.stopband) / 2) * scale;
    const transition = (o.stopband - o.passband) * scale;
    let taps = kaiserLength(o.attenuation, transition);
    taps = Math.ceil(taps / 4) * 4;
    const beta = kaiserBeta(o.attenuation);
    const i0b = besselI0(beta);
    const half = taps / 2;
    this.tapsPerPhase = taps;
    this.half = half;
    const coef = new Float64Array(L * taps);
    for (let p = 0; p < L; p++) {
      let sum = 0;
      for (let i = 0; i < taps; i++) {
        // tap i multiplies x[base - half + 1 + i]; tau = output time - input time
        const tau = p / L + half - 1 - i;
        const u = tau / half;
        let w = 0;
        if (u > -1 && u < 1) w = besselI0(beta * Math.sqrt(1 - u * u)) / i0b;
        const arg = 2 * cutoff * tau;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        const v = 2 * cutoff * sinc * w;
        coef[p * taps + i] = v;
        sum += v;
      }
      for (let i = 0; i < taps; i++) coef[p * taps + i] /= sum;
    }
    this.coefficients = Float32Array.from(coef);
    this.input = new InputHistory(0, 0, 0);
    this.resetState();
  }

  outputFramesFor(inputFrames: Samples): Samples {
    return Math.ceil((inputFrames * this.upFactor) / this.downFactor);
  }

  process(block: readonly Float32Array[]): Float32Array[] {
    const frames = block[0].length;
    this.input.append(block, frames);
    this.inputFrames += frames;
    return this.produce(Number.POSITIVE_INFINITY);
  }

  flush(): Float32Array[] {
    if (this.flushed) return Array.from({ length: this.channels }, () => new Float32Array(0));
    const zeros = new Float32Array(this.half);
    this.input.append(
      Array.from({ length: this.channels }, () => zeros),
      this.half,
    );
    const total = this.outputFramesFor(this.inputFrames);
    const out = this.produce(total);
    this.flushed = true;
    return out;
  }

  reset(): void {
    this.resetState();
  }

  private resetState(): void {
    const pre = this.half - 1;
    const cap = Math.max(1024, 2 * this.tapsPerPhase);
    this.input = new InputHistory(this.channels, cap, pre);
    this.inputFrames = 0;
    this.outputIndex = 0;
    this.base = 0;
    this.phase = 0;
    this.flushed = false;
  }

  /**
   * Integer decimation (L = 1): one linear-phase branch, symmetric about tap half - 1 (the last
   * tap is a zero of the window), so each pair of taps costs one multiply.
   */
  private produceDecimating(out: Float32Array[], count: number): void {
    const half = this.half;
    const coef = this.coefficients;
    const M = this.downFactor;
    const centreTap = half - 1;
    const c0 = coef[centreTap];
    for (let c = 0; c < this.channels; c++) {
      const x = this.input.buffers[c];
      const y = out[c];
      let centre = this.base - this.input.start;
      for (let k = 0; k < count; k++, centre += M) {
        let a0 = c0 * x[centre];
        let a1 = 0;
        let j = 1;
        for (; j + 1 < half; j += 2) {
          a0 += coef[centreTap + j] * (x[centre - j] + x[centre + j]);
          a1 += coef[centreTap + j + 1] * (x[centre - j - 1] + x[centre + j + 1]);
        }
        if (j < half) a0 += coef[centreTap + j] * (x[centre - j] + x[centre + j]);
        y[k] = a0 + a1;
      }
    }
    this.base += count * M;
    this.outputIndex += count;
  }

  /** Computes every output frame whose taps are available, up to output index `limit`. */
  private produce(limit: number): Float32Array[] {
    const L = this.upFactor;
    const M = this.downFactor;
    const half = this.half;
    const lastAvailable = this.input.start + this.input.frames - 1;
    // output k is computable when floor(k M / L) + half <= lastAvailable
    const b = lastAvailable - half;
    let end = b < 0 ? 0 : Math.floor(((b + 1) * L + M - 1) / M);
    if (end > limit) end = limit;
    const count = Math.max(0, end - this.outputIndex);
    const out = Array.from({ length: this.channels }, () => new Float32Array(count));
    if (count > 0 && L === 1) {
      this.produceDecimating(out, count);
    } else if (count > 0) {
      const taps = this.tapsPerPhase;
      const coef = this.coefficients;
      const stepWhole = this.stepWhole;
      const stepFrac = this.stepFrac;
      let base = this.base;
      let phase = this.phase;
      const offset0 = -this.input.start - half + 1;
      let c = 0;
      // channels in pairs: each coefficient load serves two channels
      for (; c + 1 < this.channels; c += 2) {
        const x = this.input.buffers[c];
        const z = this.input.buffers[c + 1];
        const y = out[c];
        const w = out[c + 1];
        base = this.base;
        phase = this.phase;
        for (let k = 0; k < count; k++) {
          const o = base + offset0;
          const co = phase * taps;
          let a0 = 0;
          let a1 = 0;
          let b0 = 0;
          let b1 = 0;
          for (let i = 0; i < taps; i += 2) {
            const c0 = coef[co + i];
            const c1 = coef[co + i + 1];
            a0 += c0 * x[o + i];
            a1 += c1 * x[o + i + 1];
            b0 += c0 * z[o + i];
            b1 += c1 * z[o + i + 1];
          }
          y[k] = a0 + a1;
          w[k] = b0 + b1;
          base += stepWhole;
          phase += stepFrac;
          if (phase >= L) {
            phase -= L;
            base++;
          }
        }
      }
      for (; c < this.channels; c++) {
        const x = this.input.buffers[c];
        const y = out[c];
        base = this.base;
        phase = this.phase;
        for (let k = 0; k < count; k++) {
          const o = base + offset0;
          const co = phase * taps;
          let acc0 = 0;
          let acc1 = 0;
          let acc2 = 0;
          let acc3 = 0;
          for (let i = 0; i < taps; i += 4) {
            acc0 += coef[co + i] * x[o + i];
            acc1 += coef[co + i + 1] * x[o + i + 1];
            acc2 += coef[co + i + 2] * x[o + i + 2];
            acc3 += coef[co + i + 3] * x[o + i + 3];
          }
          y[k] = acc0 + acc1 + acc2 + acc3;
          base += stepWhole;
          phase += stepFrac;
          if (phase >= L) {
            phase -= L;
            base++;
          }
        }
      }
      this.base = base;
      this.phase = phase;
      this.outputIndex += count;
    }
    // drop input no longer needed: the next output reads from base - half + 1
    this.input.dropBefore(this.base - half + 1);
    return out;
  }
}

/**
 * Half-band 2:1 decimator (Bellanger, Daguet & Lepagnol 1974; Crochiere & Rabiner ch. 5): a
 * Kaiser-windowed sinc cut at a quarter of the input rate, whose even taps (but the centre)
 * are zero and whose odd taps are symmetric, so one output costs (taps + 1) / 4 multiplies.
 * Used as a pre-stage when the input rate is more than twice the output rate: flat to
 * `passbandEdge` and rejecting from inputRate / 2 - passbandEdge, so nothing folds below
 * `passbandEdge`. Output frame k is the signal at input time 2k; flush() ends the stream with
 * exactly ceil(N / 2) frames.
 */
export class HalfBandDecimator {
  readonly channels: number;
  /** Non-zero taps on one side of the centre (odd offsets 1, 3, ..., 2 * sideTaps - 1). */
  readonly sideTaps: number;
  private readonly odd: Float64Array;
  private readonly reach: number;
  private input: InputHistory;
  private inputFrames = 0;
  private outputIndex = 0;
  private flushed = false;

  constructor(inputRate: Hertz, passbandEdge: Hertz, channels: number, attenuation: Decibels) {
    const transition = (inputRate / 2 - 2 * passbandEdge) / inputRate;
    if (!(transition > 0)) {
      throw new RangeError(
        `half-band needs passbandEdge < inputRate / 4, got ${passbandEdge} at ${inputRate} Hz`,
      );
    }
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${channels}`);
    }
    this.channels = channels;
    // total length 4 * sideTaps - 1: outermost taps at odd offsets +-(2 * sideTaps - 1)
    const sideTaps = Math.max(1, Math.ceil((kaiserLength(attenuation, transition) + 1) / 4));
    this.sideTaps = sideTaps;
    this.reach = 2 * sideTaps - 1;
    const beta = kaiserBeta(attenuation);
    const i0b = besselI0(beta);
    const odd = new Float64Array(sideTaps);
    let sum = 0;
    for (let k = 0; k < sideTaps; k++) {
      const n = 2 * k + 1;
      const u = n / (this.reach + 1);
      const w = besselI0(beta * Math.sqrt(1 - u * u)) / i0b;
      odd[k] = 0.5 * (Math.sin((Math.PI * n) / 2) / ((Math.PI * n) / 2)) * w;
      sum += 2 * odd[k];
    }
    // keep the half-band structure (centre 0.5) and unit DC gain
    for (let k = 0; k < sideTaps; k++) odd[k] *= 0.5 / sum;
    this.odd = odd;
    this.input = new InputHistory(0, 0, 0);
    this.reset();
  }

  process(block: readonly Float32Array[]): Float32Array[] {
    const frames = block[0].length;
    this.input.append(block, frames);
    this.inputFrames += frames;
    return this.produce(Number.POSITIVE_INFINITY);
  }

  flush(): Float32Array[] {
    if (this.flushed) return Array.from({ length: this.channels }, () => new Float32Array(0));
    const zeros = new Float32Array(this.reach);
    this.input.append(
      Array.from({ length: this.channels }, () => zeros),
      this.reach,
    );
    const out = this.produce(Math.ceil(this.inputFrames / 2));
    this.flushed = true;
    return out;
  }

  reset(): void {
    const pre = this.reach;
    this.input = new InputHistory(this.channels, Math.max(1024, 4 * pre), pre);
    this.inputFrames = 0;
    this.outputIndex = 0;
    this.flushed = false;
  }

  private produce(limit: number): Float32Array[] {
    const reach = this.reach;
    const last = this.input.start + this.input.frames - 1;
    // output k needs x[2k + reach]
    let end = last - reach < 0 ? 0 : Math.floor((last - reach) / 2) + 1;
    if (end > limit) end = limit;
    const count = Math.max(0, end - this.outputIndex);
    const out = Array.from({ length: this.channels }, () => new Float32Array(count));
    const odd = this.odd;
    const side = this.sideTaps;
    for (let c = 0; c < this.channels; c++) {
      const x = this.input.buffers[c];
      const y = out[c];
      let centre = 2 * this.outputIndex - this.input.start;
      for (let k = 0; k < count; k++, centre += 2) {
        let acc0 = 0.5 * x[centre];
        let acc1 = 0;
        let j = 0;
        for (; j + 1 < side; j += 2) {
          acc0 += odd[j] * (x[centre - 2 * j - 1] + x[centre + 2 * j + 1]);
          acc1 += odd[j + 1] * (x[centre - 2 * j - 3] + x[centre + 2 * j + 3]);
        }
        if (j < side) acc0 += odd[j] * (x[centre - 2 * j - 1] + x[centre + 2 * j + 1]);
        y[k] = acc0 + acc1;
      }
    }
    this.outputIndex += count;
    this.input.dropBefore(2 * this.outputIndex - reach);
    return out;
  }
}

interface Stage {
  process(block: readonly Float32Array[]): Float32Array[];
  flush(): Float32Array[];
  reset(): void;
}

function concat(a: Float32Array[], b: Float32Array[]): Float32Array[] {
  if (b[0].length === 0) return a;
  if (a[0].length === 0) return b;
  return a.map((x, c) => {
    const y = new Float32Array(x.length + b[c].length);
    y.set(x);
    y.set(b[c], x.length);
    return y;
  });
}

/**
 * Streaming sample-rate converter for rational ratios L/M = outputRate/inputRate, after the
 * classic polyphase windowed-sinc design (Crochiere & Rabiner, "Multirate Digital Signal
 * Processing", 1983; J. O. Smith, "Digital Audio Resampling", CCRMA): one Kaiser-windowed sinc
 * prototype (Kaiser 1974 for beta and length), cut off midway between passband and stopband
 * edges, split into L branches, each branch normalised to unity DC gain. When the input rate is
 * more than twice the output rate, half-band 2:1 stages (HalfBandDecimator) run first (96 ->
 * 48 -> 44.1 kHz; 192 -> 96 -> 48 -> 44.1 kHz), which keeps the cost per output near that of
 * 48 -> 44.1 kHz.
 *
 * Defaults: flat to 0.45 x the lower rate (ripple well under 0.01 dB), >= 120 dB rejection from
 * 0.5 x the lower rate, so no alias or image lands below the output Nyquist frequency.
 *
 * Output is time-aligned with the input (output frame k is the signal at input time k M / L;
 * the filter delays are absorbed internally) and, after `flush()`, exactly ceil(N L / M) frames
 * long for N input frames.
 */
export class Resampler {
  readonly inputRate: Hertz;
  readonly outputRate: Hertz;
  readonly channels: number;
  /** Overall interpolation factor L. */
  readonly upFactor: number;
  /** Overall decimation factor M. */
  readonly downFactor: number;
  /** Half-band 2:1 stages run before the polyphase stage. */
  readonly halfBandStages: number;
  /** FIR taps per output frame and channel of the polyphase stage (multiple of 4). */
  readonly tapsPerPhase: number;
  private readonly stages: Stage[];
  private inputFrames = 0;
  private emitted = 0;
  private flushed = false;

  constructor(options: ResamplerOptions) {
    const o = { ...RESAMPLER_DEFAULTS, ...options };
    for (const [name, rate] of [
      ['inputRate', o.inputRate],
      ['outputRate', o.outputRate],
    ] as const) {
      if (!(Number.isInteger(rate) && rate >= 1000 && rate <= 1536000)) {
        throw new RangeError(`${name} must be an integer in [1000, 1536000] Hz, got ${rate}`);
      }
    }
    if (!Number.isInteger(o.channels) || o.channels < 1) {
      throw new RangeError(`channels must be an integer >= 1, got ${o.channels}`);
    }
    if (!(o.passband > 0 && o.passband < o.stopband && o.stopband <= 0.6)) {
      throw new RangeError(`need 0 < passband < stopband <= 0.6, got ${o.passband} / ${o.stopband}`);
    }
    if (!(o.attenuation >= 40 && o.attenuation <= 180)) {
      throw new RangeError(`attenuation must be in [40, 180] dB, got ${o.attenuation}`);
    }
    const g = gcd(o.inputRate, o.outputRate);
    this.inputRate = o.inputRate;
    this.outputRate = o.outputRate;
    this.channels = o.channels;
    this.upFactor = o.outputRate / g;
    this.downFactor = o.inputRate / g;
    this.stages = [];
    let rate = o.inputRate;
    // keep everything up to the output's Nyquist frequency through the half-band stages
    while (rate % 2 === 0 && rate / 2 > o.outputRate) {
      // 10 dB over the target: Kaiser's length estimate is approximate, and two stages add up
      this.stages.push(new HalfBandDecimator(rate, o.outputRate / 2, o.channels, o.attenuation + 10));
      rate /= 2;
    }
    this.halfBandStages = this.stages.length;
    const last = new PolyphaseStage({ ...o, inputRate: rate });
    this.tapsPerPhase = last.tapsPerPhase;
    this.stages.push(last);
  }

  /** Output frames a whole stream of `inputFrames` frames yields (after flush). */
  outputFramesFor(inputFrames: Samples): Samples {
    return Math.ceil((inputFrames * this.upFactor) / this.downFactor);
  }

  /** Converts one planar block; returns the output frames that became available (maybe none). */
  process(block: readonly Float32Array[]): Float32Array[] {
    if (this.flushed) throw new RangeError('resampler was flushed: call reset() before a new stream');
    if (block.length !== this.channels) {
      throw new RangeError(`expected ${this.channels} channels, got ${block.length}`);
    }
    const frames = block[0].length;
    for (const ch of block) {
      if (ch.length !== frames) throw new RangeError('all channels of a block must have the same length');
    }
    this.inputFrames += frames;
    let x: readonly Float32Array[] = block;
    for (const s of this.stages) x = s.process(x);
    return this.count(x as Float32Array[]);
  }

  /** Ends the stream: returns the remaining output frames. Call reset() to start another. */
  flush(): Float32Array[] {
    if (this.flushed) return Array.from({ length: this.channels }, () => new Float32Array(0));
    let carry: Float32Array[] = Array.from({ length: this.channels }, () => new Float32Array(0));
    for (const s of this.stages)
      carry = concat(
        carry[0].length > 0 ? s.process(carry) : carry.map(() => new Float32Array(0)),
        s.flush(),
      );
    this.flushed = true;
    return this.count(carry);
  }

  reset(): void {
    for (const s of this.stages) s.reset();
    this.inputFrames = 0;
    this.emitted = 0;
    this.flushed = false;
  }

  /** Trims to the exact stream length (the half-band stages round their lengths up). */
  private count(out: Float32Array[]): Float32Array[] {
    const room = this.flushedLimit() - this.emitted;
    if (out[0].length > room) out = out.map((c) => c.subarray(0, Math.max(0, room)));
    this.emitted += out[0].length;
    return out;
  }

  private flushedLimit(): number {
    return this.flushed ? this.outputFramesFor(this.inputFrames) : Number.POSITIVE_INFINITY;
  }
}

/** Converts a whole planar signal (convenience over `Resampler`). */
export function resample(
  channels: readonly Float32Array[],
  inputRate: Hertz,
  outputRate: Hertz,
  options: Omit<ResamplerOptions, 'inputRate' | 'outputRate' | 'channels'> = {},
): Float32Array[] {
  if (inputRate === outputRate) return channels.map((c) => Float32Array.from(c));
  const r = new Resampler({ ...options, inputRate, outputRate, channels: channels.length });
  const a = r.process(channels);
  const b = r.flush();
  return a.map((x, c) => {
    const y = new Float32Array(x.length + b[c].length);
    y.set(x);
    y.set(b[c], x.length);
    return y;
  });
}
