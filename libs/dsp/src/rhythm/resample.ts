import type { Hertz, Seconds } from '../units';

/**
 * Kaiser-windowed half-band low-pass (every other tap zero except the centre), for decimation by
 * two. `halfLength` is the number of non-zero taps on each side of the centre; `beta` the Kaiser
 * window parameter (Kaiser & Schafer 1980; windowed-sinc design as in Oppenheim & Schafer 7.5).
 */
export function designHalfband(halfLength: number, beta: number): Float64Array {
  if (!Number.isInteger(halfLength) || halfLength < 1)
    throw new RangeError(`halfLength must be >= 1, got ${halfLength}`);
  const m = 2 * halfLength - 1; // outermost non-zero tap index
  const side = new Float64Array(halfLength);
  const i0b = besselI0(beta);
  let sum = 0;
  for (let k = 0; k < halfLength; k++) {
    const n = 2 * k + 1;
    const x = n / (m + 1);
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - x * x))) / i0b;
    side[k] = (Math.sin((Math.PI * n) / 2) / (Math.PI * n)) * w;
    sum += 2 * side[k];
  }
  // normalise DC gain to exactly 1 (centre tap 0.5)
  const scale = 0.5 / sum;
  for (let k = 0; k < halfLength; k++) side[k] *= scale;
  return side;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

/**
 * Streaming decimation by two with a half-band FIR: only the output samples are computed and the
 * symmetric non-zero taps are folded, so the cost is `halfLength` multiplies per output sample.
 */
export class HalfbandDecimator {
  /** Group delay in input samples (linear phase). */
  readonly delaySamples: number;
  private readonly side: Float64Array;
  private readonly span: number;
  private history: Float32Array;
  /** Samples in `history` (the last `span - 1` inputs are kept between blocks). */
  private filled = 0;
  /** Parity of the next input sample relative to the output grid. */
  private phase = 0;
  private out = new Float32Array(0);

  constructor(side: Float64Array) {
    this.side = side;
    this.span = 4 * side.length - 1;
    this.delaySamples = (this.span - 1) / 2;
    this.history = new Float32Array(this.span - 1);
    this.reset();
  }

  reset(): void {
    this.history.fill(0);
    this.filled = this.span - 1;
    this.phase = 0;
  }

  /** Decimates `input[0..length)`; returns a view of the output (valid until the next call). */
  process(input: Float32Array, length: number = input.length): Float32Array {
    const need = this.filled + length;
    if (this.history.length < need) {
      const grown = new Float32Array(Math.max(need, this.history.length * 2));
      grown.set(this.history.subarray(0, this.filled));
      this.history = grown;
    }
    const buf = this.history;
    buf.set(input.subarray(0, length), this.filled);
    const total = this.filled + length;
    const half = (this.span - 1) / 2;
    // Output k is centred on buffer index c; the first centre is `half` past the oldest sample.
    let c = half + this.phase;
    const count = c + half < total ? Math.floor((total - half - 1 - c) / 2) + 1 : 0;
    if (this.out.length < count) this.out = new Float32Array(Math.max(count, 1024));
    const out = this.out;
    const side = this.side;
    const taps = side.length;
    for (let k = 0; k < count; k++, c += 2) {
      let acc = 0.5 * buf[c];
      for (let j = 0; j < taps; j++) {
        const d = 2 * j + 1;
        acc += side[j] * (buf[c - d] + buf[c + d]);
      }
      out[k] = acc;
    }
    // keep the last span-1 samples; the next centre sits at c - (total - (span - 1))
    const keep = this.span - 1;
    buf.copyWithin(0, total - keep, total);
    this.filled = keep;
    this.phase = c - (total - keep) - half;
    return out.subarray(0, count);
  }
}

/** Half-band stages used by the analysers: a short one at high rates, longer ones near the target. */
const STAGE_COARSE = designHalfband(4, 5.5);
const STAGE_FINE = designHalfband(8, 5.0);

/**
 * Downmix to mono (channel average) and decimate by a power of two to about `targetRate`, so
 * onset and chroma analysis run on a few thousand samples per second. `minOutputRate`: the
 * decimation stops an octave early rather than go below it (an analysis that needs content up to
 * some frequency: 32 kHz to 5.5 kHz would otherwise become 4 kHz).
 */
export class MonoDownsampler {
  readonly inputRate: Hertz;
  readonly outputRate: Hertz;
  readonly factor: number;
  /** Delay of the output relative to the input, from the linear-phase filters. */
  readonly delaySeconds: Seconds;
  private readonly stages: HalfbandDecimator[];
  private mono = new Float32Array(0);

  constructor(sampleRate: Hertz, targetRate: Hertz, minOutputRate: Hertz = 0) {
    if (!(sampleRate >= 4000 && sampleRate <= 768000))
      throw new RangeError(`sample rate out of range: ${sampleRate}`);
    if (!(targetRate > 0)) throw new RangeError(`target rate must be > 0, got ${targetRate}`);
    let octaves = Math.max(0, Math.round(Math.log2(sampleRate / targetRate)));
    while (octaves > 0 && sampleRate / (1 << octaves) < minOutputRate) octaves--;
    this.factor = 1 << octaves;
    this.inputRate = sampleRate;
    this.outputRate = sampleRate / this.factor;
    this.stages = [];
    let delay = 0;
    for (let s = 0; s < octaves; s++) {
      const stage = new HalfbandDecimator(s === octaves - 1 ? STAGE_FINE : STAGE_COARSE);
      delay += stage.delaySamples / (sampleRate / (1 << s));
      this.stages.push(stage);
    }
    this.delaySeconds = delay;
  }

  reset(): void {
    for (const s of this.stages) s.reset();
  }

  /** Downmixes and decimates one planar block; returns a view valid until the next call. */
  process(block: readonly Float32Array[]): Float32Array {
    const nch = block.length;
    if (nch === 0) return new Float32Array(0);
    const n = block[0].length;
    if (this.mono.length < n) this.mono = new Float32Array(n);
    const mono = this.mono;
    if (nch === 1) mono.set(block[0]);
    else if (nch === 2) {
      const l = block[0];
      const r = block[1];
      for (let i = 0; i < n; i++) mono[i] = 0.5 * (l[i] + r[i]);
    } else {
      const g = 1 / nch;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < nch; c++) s += block[c][i];
        mono[i] = s * g;
      }
    }
    let x: Float32Array = mono.subarray(0, n);
    for (const stage of this.stages) x = stage.process(x, x.length);
    return x;
  }
}

/** Growable Float32 buffer for per-frame features (amortised doubling). */
/** Longest input a feature buffer is sized for up front (a header may declare absurd durations). */
export const MAX_RESERVE_SECONDS = 3 * 3600;

export class FeatureBuffer {
  private data: Float32Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.data = new Float32Array(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /**
   * Makes room for `capacity` values in one allocation (no-op when there is room): a buffer sized
   * up front for a whole track skips the doublings, their copies and up to half a buffer of slack.
   */
  reserve(capacity: number): void {
    if (!(capacity > this.data.length)) return;
    const grown = new Float32Array(Math.ceil(capacity));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  /** Copy of the filled part. */
  toArray(): Float32Array {
    return this.data.slice(0, this.length);
  }

  /** View of the filled part (valid until the next push). */
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}
