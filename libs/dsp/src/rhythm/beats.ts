import { SlidingValues } from './sliding-values';

/**
 * Dynamic-programming beat tracker (D. P. W. Ellis, "Beat Tracking by Dynamic Programming",
 * J. New Music Research 36(1), 2007; the algorithm of librosa.beat.beat_track): the beat sequence
 * maximises the onset strength at the beats minus `tightness` times the squared log-deviation of
 * every inter-beat interval from the target period. The period may vary per frame (a tempo curve).
 */
export const BEAT_DEFAULTS = Object.freeze({
  tightness: 100,
  /** Beats at the edges whose onset strength is below this fraction of the RMS are trimmed. */
  trimRatio: 0.5,
  /** Frames between two attempts to settle the beats behind the frontier. */
  settleEvery: 256,
  /** Seconds of undecided frames after which the best path so far is settled anyway. */
  maxUndecidedSeconds: 60,
});

export interface BeatTrackerOptions {
  /** Target beat period in frames at a frame. */
  readonly periodAt: (frame: number) => number;
  /** Largest value `periodAt` takes (bounds how far back the recursion looks). */
  readonly maxPeriod: number;
  /** Period the smoothing kernel is sized for (1/32 of it wide, as librosa does). */
  readonly kernelPeriod: number;
  /** Frames per second (only to bound the undecided span). */
  readonly frameRate: number;
  readonly tightness?: number;
}

interface SettledBeat {
  readonly frame: number;
  /** Smoothed onset strength at the beat (for the trimming of weak edge beats). */
  readonly strength: number;
  /** Beat position refined to a fraction of a frame. */
  readonly position: number;
}

/**
 * Streaming form of the tracker: novelty frames go in one at a time, and the recursion's state is
 * kept only back to the point every path still open passes through. Every path a later frame can
 * end on runs through the last `2 * maxPeriod` frames (the frontier: no step is longer); once the
 * back-pointer chains of all frontier frames meet in one frame, the beats up to it are those of the
 * final answer whatever comes next, and are settled. The result is the batch algorithm's (the
 * specs check it) with memory bounded by the undecided span; should the chains not meet for
 * `maxUndecidedSeconds` (no onsets at all for that long), the best path so far is settled there.
 */
export class BeatTracker {
  private readonly tightness: number;
  private readonly half: number;
  private readonly kernel: Float64Array;
  private readonly frontier: number;
  private readonly maxUndecided: number;
  private readonly novelty = SlidingValues.float64();
  private readonly local = SlidingValues.float64();
  private readonly score = SlidingValues.float64();
  private readonly back = SlidingValues.int32();
  private pushed = 0;
  private settled: SettledBeat[] = [];
  /** Last settled frame (-1: none); the chain from the settle point continues from it. */
  private lastSettled = -1;
  /** Frame every open chain passes through (not settled itself: its refinement needs the next frame). */
  private anchor = -1;

  constructor(private readonly options: BeatTrackerOptions) {
    this.tightness = options.tightness ?? BEAT_DEFAULTS.tightness;
    const sigma = Math.max(0.5, options.kernelPeriod / 32);
    this.half = Math.ceil(3 * sigma);
    this.kernel = new Float64Array(2 * this.half + 1);
    for (let i = -this.half; i <= this.half; i++)
      this.kernel[i + this.half] = Math.exp(-0.5 * (i / sigma) * (i / sigma));
    this.frontier = Math.ceil(2 * options.maxPeriod) + 2;
    this.maxUndecided = Math.max(
      4 * this.frontier,
      Math.round(BEAT_DEFAULTS.maxUndecidedSeconds * options.frameRate),
    );
  }

  push(value: number): void {
    this.novelty.push(value);
    this.pushed++;
    // the smoothed strength of frame t needs the novelty up to t + half
    while (this.local.end + this.half < this.pushed) this.step(this.pushed);
    const t = this.local.end - 1;
    if (t > 0 && t % BEAT_DEFAULTS.settleEvery === 0) this.settle(t);
  }

  /** Beat positions (fractional frames) of everything pushed; the tracker is spent afterwards. */
  finish(): Float64Array {
    const n = this.pushed;
    while (this.local.end < n) this.step(n);
    if (n === 0) return new Float64Array(0);
    // Last beat: the highest-scoring local maximum in the final period.
    const lastPeriod = this.options.periodAt(n - 1);
    const first = Math.max(this.score.base, Math.floor(n - lastPeriod));
    let end = -1;
    let endScore = -Infinity;
    for (let t = Math.max(first, 1, this.score.base + 1); t < n - 1; t++) {
      const s = this.score.at(t);
      if (s >= this.score.at(t - 1) && s >= this.score.at(t + 1) && s > endScore) {
        endScore = s;
        end = t;
      }
    }
    if (end < 0) {
      for (let t = first; t < n; t++) {
        if (this.score.at(t) > endScore) {
          endScore = this.score.at(t);
          end = t;
        }
      }
    }
    const tail = this.chainFrom(end, n);
    const beats = [...this.settled, ...tail];
    // Trim weak beats at both ends (silence, fades).
    let sumSq = 0;
    for (const b of beats) sumSq += b.strength * b.strength;
    const thr = BEAT_DEFAULTS.trimRatio * Math.sqrt(sumSq / Math.max(1, beats.length));
    let lo = 0;
    let hi = beats.length - 1;
    while (lo <= hi && beats[lo].strength < thr) lo++;
    while (hi >= lo && beats[hi].strength < thr) hi--;
    return Float64Array.from(beats.slice(lo, hi + 1), (b) => b.position);
  }

  /** Smoothed strength and recursion for the next frame, `n` frames of novelty known. */
  private step(n: number): void {
    const t = this.local.end;
    const k = this.kernel;
    const h = this.half;
    let s = 0;
    const lo = Math.max(-h, -t);
    const hi = Math.min(h, n - 1 - t);
    const nd = this.novelty.data;
    const nb = this.novelty.base;
    for (let i = lo; i <= hi; i++) s += k[i + h] * nd[t + i - nb];
    this.local.push(s);
    const p = this.options.periodAt(t);
    const uLo = Math.max(0, Math.round(t - 2 * p));
    const uHi = Math.round(t - p / 2);
    let best = -Infinity;
    let arg = -1;
    const sd = this.score.data;
    const sb = this.score.base;
    for (let u = uLo; u <= uHi; u++) {
      const lr = Math.log((t - u) / p);
      const v = sd[u - sb] - this.tightness * lr * lr;
      if (v > best) {
        best = v;
        arg = u;
      }
    }
    if (arg >= 0 && best > 0) {
      this.score.push(s + best);
      this.back.push(arg);
    } else {
      this.score.push(s);
      this.back.push(-1);
    }
    this.novelty.dropBefore(t - h);
  }

  /** Settles the beats every open chain shares, and forgets the frames no recursion reads again. */
  private settle(t: number): void {
    const from = Math.max(this.score.base, t - this.frontier);
    const lo = Math.max(this.score.base, this.anchor >= 0 ? this.anchor : this.score.base);
    // Count the chains through each frame, newest first: the newest frame all of them reach.
    const width = t - lo + 1;
    const through = new Int32Array(width);
    const chains = t - from + 1;
    let meet = -1;
    for (let x = t; x >= lo; x--) {
      if (x >= from) through[x - lo]++;
      const c = through[x - lo];
      if (c === 0) continue;
      if (c === chains) {
        meet = x;
        break;
      }
      const b = this.back.at(x);
      if (b < lo) break; // a chain leaves the window (or starts here) before the others join it
      through[b - lo] += c;
    }
    if (meet < 0 && t - Math.max(this.anchor, this.lastSettled, this.score.base) > this.maxUndecided) {
      // No common point for too long: settle the best chain so far up to where it enters the frontier.
      let x = from;
      for (let y = from; y <= t; y++) if (this.score.at(y) > this.score.at(x)) x = y;
      while (x >= from) x = this.back.at(x);
      if (x > this.anchor) meet = x;
    }
    if (meet > this.anchor) {
      const chain = this.chainFrom(meet, t + 1);
      chain.pop(); // the meeting frame itself waits: its refinement needs the frame after it
      this.settled.push(...chain);
      if (chain.length > 0) this.lastSettled = chain[chain.length - 1].frame;
      this.anchor = meet;
    }
    const keep = Math.min(t - this.frontier - 1, this.anchor >= 0 ? this.anchor - 1 : this.score.base);
    this.local.dropBefore(keep);
    this.score.dropBefore(keep);
    this.back.dropBefore(keep);
  }

  /**
   * The chain ending at `end`, oldest first, down to (not including) the last settled beat. A chain
   * that starts after it (a path begun anew) replaces the settled beats, as the batch tracker's
   * single back-traced path would.
   */
  private chainFrom(end: number, n: number): SettledBeat[] {
    const frames: number[] = [];
    let x = end;
    // (after a forced settle a chain may pass the anchor by: it joins the settled beats there)
    while (x >= 0 && x > this.lastSettled && x >= this.anchor) {
      frames.push(x);
      x = this.back.at(x);
    }
    if (x < 0 && this.lastSettled >= 0) this.settled = [];
    frames.reverse();
    return frames.map((b) => {
      const c = this.local.at(b);
      // sub-frame refinement on the smoothed novelty
      let off = 0;
      if (b > 0 && b < n - 1) {
        const l = this.local.at(b - 1);
        const r = this.local.at(b + 1);
        const d = l - 2 * c + r;
        if (d < 0) off = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / d));
      }
      return { frame: b, strength: c, position: b + off };
    });
  }
}

/**
 * The tracker over a whole novelty curve.
 *
 * @param novelty onset strength per frame (normalised to unit RMS or similar)
 * @param period target beat period in frames, one per frame (a constant array for a steady tempo)
 * @returns beat positions as fractional frame indices (peak-interpolated)
 */
export function trackBeats(
  novelty: ArrayLike<number>,
  period: Float64Array,
  tightness: number = BEAT_DEFAULTS.tightness,
  frameRate = 86,
): Float64Array {
  if (novelty.length === 0) return new Float64Array(0);
  const sorted = Float64Array.from(period).sort();
  const tracker = new BeatTracker({
    periodAt: (t) => period[t],
    maxPeriod: sorted[sorted.length - 1],
    kernelPeriod: sorted[sorted.length >> 1],
    frameRate,
    tightness,
  });
  for (let i = 0; i < novelty.length; i++) tracker.push(novelty[i]);
  return tracker.finish();
}
