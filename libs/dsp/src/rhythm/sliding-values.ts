/** Values at absolute frame indices [base, base + length); older ones are dropped on request. */
export class SlidingValues<T extends Float64Array | Int32Array = Float64Array> {
  base = 0;
  length = 0;

  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}

  static float64(capacity = 1024): SlidingValues<Float64Array> {
    return new SlidingValues(new Float64Array(capacity), (n) => new Float64Array(n));
  }

  static int32(capacity = 1024): SlidingValues<Int32Array> {
    return new SlidingValues(new Int32Array(capacity), (n) => new Int32Array(n));
  }

  /** Absolute index the next value gets. */
  get end(): number {
    return this.base + this.length;
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }

  at(abs: number): number {
    return this.data[abs - this.base];
  }

  /** Forgets values before absolute index `abs` (compacting once half the buffer is stale). */
  dropBefore(abs: number): void {
    const drop = Math.min(this.length, abs - this.base);
    if (drop <= 0 || drop < this.data.length / 2) return;
    this.data.copyWithin(0, drop, this.length);
    this.length -= drop;
    this.base += drop;
  }

  /** `count` values from absolute index `absStart`, viewing the buffer (valid until the next push). */
  view(absStart: number, count: number): T {
    return this.data.subarray(absStart - this.base, absStart - this.base + count) as T;
  }
}

/**
 * Onset novelty of a flux signal, streaming: the flux above its centred moving average
 * (`half` frames each side; at the ends, the part of the window that exists), half-wave
 * rectified, each value rounded to Float32 as the stored curves were. Frame i comes out once
 * frame i + half is in; `drain` gives the last `half` frames (windows truncated at the end)
 * without changing the state, so more flux can follow.
 */
export class FluxNovelty {
  private readonly flux = SlidingValues.float64(256);
  private pushed = 0;
  private done = 0;
  private readonly ma = { lo: 0, hi: -1, sum: 0 };

  constructor(private readonly half: number) {}

  push(value: number, emit: (novelty: number, frame: number) => void): void {
    this.flux.push(value);
    this.pushed++;
    while (this.done + this.half < this.pushed) {
      emit(this.at(this.done, this.pushed, this.ma), this.done);
      this.done++;
    }
    this.flux.dropBefore(this.ma.lo);
  }

  /** Novelty of the frames still held back, as if the input ended here. */
  drain(emit: (novelty: number, frame: number) => void): void {
    const ma = { ...this.ma };
    for (let i = this.done; i < this.pushed; i++) emit(this.at(i, this.pushed, ma), i);
  }

  private at(i: number, n: number, s: { lo: number; hi: number; sum: number }): number {
    const wantHi = Math.min(n - 1, i + this.half);
    const wantLo = Math.max(0, i - this.half);
    while (s.hi < wantHi) s.sum += this.flux.at(++s.hi);
    while (s.lo < wantLo) s.sum -= this.flux.at(s.lo++);
    const v = this.flux.at(i) - Math.fround(s.sum / (s.hi - s.lo + 1));
    return v > 0 ? Math.fround(v) : 0;
  }
}
