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
});

/**
 * @param novelty onset strength per frame (normalised to unit RMS or similar)
 * @param period target beat period in frames, one per frame (a constant array for a steady tempo)
 * @returns beat positions as fractional frame indices (peak-interpolated)
 */
export function trackBeats(
  novelty: Float32Array,
  period: Float64Array,
  tightness: number = BEAT_DEFAULTS.tightness,
): Float64Array {
  const n = novelty.length;
  if (n === 0) return new Float64Array(0);
  // Smooth the novelty with a Gaussian about 1/32 of the period wide (as librosa does) so the DP
  // prefers onset peaks but tolerates small timing deviations.
  const local = localScore(novelty, period);
  const score = new Float64Array(n);
  const back = new Int32Array(n).fill(-1);
  for (let t = 0; t < n; t++) {
    const p = period[t];
    const lo = Math.max(0, Math.round(t - 2 * p));
    const hi = Math.round(t - p / 2);
    let best = -Infinity;
    let arg = -1;
    for (let u = lo; u <= hi; u++) {
      const lr = Math.log((t - u) / p);
      const s = score[u] - tightness * lr * lr;
      if (s > best) {
        best = s;
        arg = u;
      }
    }
    if (arg >= 0 && best > 0) {
      score[t] = local[t] + best;
      back[t] = arg;
    } else {
      score[t] = local[t];
    }
  }
  // Last beat: the highest-scoring local maximum in the final period.
  const lastPeriod = period[n - 1];
  let end = -1;
  let endScore = -Infinity;
  for (let t = Math.max(1, Math.floor(n - lastPeriod)); t < n - 1; t++) {
    if (score[t] >= score[t - 1] && score[t] >= score[t + 1] && score[t] > endScore) {
      endScore = score[t];
      end = t;
    }
  }
  if (end < 0) {
    for (let t = Math.max(0, Math.floor(n - lastPeriod)); t < n; t++) {
      if (score[t] > endScore) {
        endScore = score[t];
        end = t;
      }
    }
  }
  const beats: number[] = [];
  for (let t = end; t >= 0; t = back[t]) beats.push(t);
  beats.reverse();
  // Trim weak beats at both ends (silence, fades).
  let sumSq = 0;
  for (const b of beats) sumSq += local[b] * local[b];
  const thr = BEAT_DEFAULTS.trimRatio * Math.sqrt(sumSq / Math.max(1, beats.length));
  let first = 0;
  let last = beats.length - 1;
  while (first <= last && local[beats[first]] < thr) first++;
  while (last >= first && local[beats[last]] < thr) last--;
  const out = new Float64Array(Math.max(0, last - first + 1));
  for (let i = first; i <= last; i++) {
    const b = beats[i];
    // sub-frame refinement on the smoothed novelty
    let off = 0;
    if (b > 0 && b < n - 1) {
      const l = local[b - 1];
      const c = local[b];
      const r = local[b + 1];
      const d = l - 2 * c + r;
      if (d < 0) off = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / d));
    }
    out[i - first] = b + off;
  }
  return out;
}

function localScore(novelty: Float32Array, period: Float64Array): Float64Array {
  const n = novelty.length;
  const out = new Float64Array(n);
  // one kernel width for the whole track (median period) keeps this O(n * w)
  const sorted = Float64Array.from(period).sort();
  const p = sorted[sorted.length >> 1];
  const sigma = Math.max(0.5, p / 32);
  const half = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * half + 1);
  for (let i = -half; i <= half; i++) k[i + half] = Math.exp(-0.5 * (i / sigma) * (i / sigma));
  for (let t = 0; t < n; t++) {
    let s = 0;
    const lo = Math.max(-half, -t);
    const hi = Math.min(half, n - 1 - t);
    for (let i = lo; i <= hi; i++) s += k[i + half] * novelty[t + i];
    out[t] = s;
  }
  return out;
}
