/**
 * The framing of a short-time analysis over a stream of blocks: frames of `window.length` samples
 * every `hop` samples, each multiplied by the window into `frame` and handed to `onFrame`. Only the
 * last frame's samples are kept, so blocks may have any length.
 */
export class SlidingFrames {
  /** The current windowed frame (valid during onFrame). */
  readonly frame: Float64Array;
  private readonly ring: Float32Array;
  private fill: number;

  /**
   * @param startFill zeros ahead of the first sample (half a frame centres frame 0 on sample 0).
   */
  constructor(
    private readonly window: Float64Array,
    private readonly hop: number,
    private readonly startFill = 0,
  ) {
    const size = window.length;
    if (!(Number.isInteger(hop) && hop >= 1 && hop <= size))
      throw new RangeError(`hop must be in [1, ${size}]`);
    if (!(Number.isInteger(startFill) && startFill >= 0 && startFill < size))
      throw new RangeError(`startFill must be in [0, ${size})`);
    this.ring = new Float32Array(size);
    this.frame = new Float64Array(size);
    this.fill = startFill;
  }

  push(x: Float32Array, onFrame: (frame: Float64Array) => void): void {
    const size = this.ring.length;
    const ring = this.ring;
    const n = x.length;
    let i = 0;
    while (i < n) {
      if (this.fill < size) {
        const take = Math.min(size - this.fill, n - i);
        ring.set(x.subarray(i, i + take), this.fill);
        this.fill += take;
        i += take;
        if (this.fill < size) break;
        const w = this.window;
        const frame = this.frame;
        for (let k = 0; k < size; k++) frame[k] = ring[k] * w[k];
        onFrame(frame);
        continue;
      }
      // ring full: shift by hop and refill
      ring.copyWithin(0, this.hop, size);
      this.fill = size - this.hop;
    }
  }

  reset(): void {
    this.ring.fill(0);
    this.fill = this.startFill;
  }
}
