import { BEAT_DEFAULTS, trackBeats } from './beats';

/** The tracker as one batch over the whole curve (the published algorithm, line by line). */
function referenceTrackBeats(novelty: Float32Array, period: Float64Array): Float64Array {
  const tightness = BEAT_DEFAULTS.tightness;
  const n = novelty.length;
  const sorted = Float64Array.from(period).sort();
  const sigma = Math.max(0.5, sorted[sorted.length >> 1] / 32);
  const half = Math.ceil(3 * sigma);
  const local = new Float64Array(n);
  for (let t = 0; t < n; t++)
    for (let i = Math.max(-half, -t); i <= Math.min(half, n - 1 - t); i++)
      local[t] += Math.exp(-0.5 * (i / sigma) * (i / sigma)) * novelty[t + i];
  const score = new Float64Array(n);
  const back = new Int32Array(n).fill(-1);
  for (let t = 0; t < n; t++) {
    const p = period[t];
    let best = -Infinity;
    let arg = -1;
    for (let u = Math.max(0, Math.round(t - 2 * p)); u <= Math.round(t - p / 2); u++) {
      const lr = Math.log((t - u) / p);
      const s = score[u] - tightness * lr * lr;
      if (s > best) [best, arg] = [s, u];
    }
    score[t] = local[t] + (arg >= 0 && best > 0 ? best : 0);
    if (arg >= 0 && best > 0) back[t] = arg;
  }
  let end = -1;
  for (let t = Math.max(1, Math.floor(n - period[n - 1])); t < n - 1; t++)
    if (score[t] >= score[t - 1] && score[t] >= score[t + 1] && (end < 0 || score[t] > score[end])) end = t;
  if (end < 0)
    for (let t = Math.max(0, Math.floor(n - period[n - 1])); t < n; t++)
      if (end < 0 || score[t] > score[end]) end = t;
  const beats: number[] = [];
  for (let t = end; t >= 0; t = back[t]) beats.unshift(t);
  const thr =
    BEAT_DEFAULTS.trimRatio * Math.sqrt(beats.reduce((a, b) => a + local[b] * local[b], 0) / beats.length);
  while (beats.length && local[beats[0]] < thr) beats.shift();
  while (beats.length && local[beats[beats.length - 1]] < thr) beats.pop();
  return Float64Array.from(beats, (b) => {
    if (b <= 0 || b >= n - 1) return b;
    const d = local[b - 1] - 2 * local[b] + local[b + 1];
    return d < 0 ? b + Math.max(-0.5, Math.min(0.5, (0.5 * (local[b - 1] - local[b + 1])) / d)) : b;
  });
}

const FRAME_RATE = 86;

/** Onset curve with clicks at `beatFrames`, off-beat ghosts and noise, silent where `silent(frame)`. */
function novelty(
  frames: number,
  beatFrames: number[],
  silent: (f: number) => boolean = () => false,
): Float32Array {
  let seed = 5;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = rnd() < 0.08 ? rnd() * 1.5 : rnd() * 0.2;
  for (const b of beatFrames) {
    const at = Math.round(b + (rnd() - 0.5) * 2);
    if (at >= 0 && at < frames) x[at] += 2 + rnd();
  }
  for (let i = 0; i < frames; i++) if (silent(i)) x[i] = 0;
  return x;
}

describe('trackBeats (streaming, settling behind the frontier)', () => {
  it('gives the batch answer on six minutes at a steady 123 BPM', () => {
    const period = (60 / 123) * FRAME_RATE;
    const frames = 360 * FRAME_RATE;
    const beats = Array.from({ length: Math.floor(frames / period) }, (_, i) => 40 + i * period);
    const nov = novelty(frames, beats);
    const p = new Float64Array(frames).fill(period);
    const ours = trackBeats(nov, p, undefined, FRAME_RATE);
    expect(ours.length).toBeGreaterThan(700);
    expect(Array.from(ours)).toEqual(Array.from(referenceTrackBeats(nov, p)));
  });

  it('gives the batch answer along a tempo ramp from 96 to 132 BPM', () => {
    const frames = 200 * FRAME_RATE;
    const p = Float64Array.from({ length: frames }, (_, i) => (60 / (96 + (36 * i) / frames)) * FRAME_RATE);
    const beats: number[] = [];
    for (let b = 10; b < frames; b += p[Math.floor(b)]) beats.push(b);
    const nov = novelty(frames, beats);
    expect(Array.from(trackBeats(nov, p, undefined, FRAME_RATE))).toEqual(
      Array.from(referenceTrackBeats(nov, p)),
    );
  });

  it('gives the batch answer across a 30 s silent break', () => {
    const period = (60 / 140) * FRAME_RATE;
    const frames = 150 * FRAME_RATE;
    const beats = Array.from({ length: Math.floor(frames / period) }, (_, i) => 3 + i * period);
    const nov = novelty(frames, beats, (f) => f > 50 * FRAME_RATE && f < 80 * FRAME_RATE);
    const p = new Float64Array(frames).fill(period);
    expect(Array.from(trackBeats(nov, p, undefined, FRAME_RATE))).toEqual(
      Array.from(referenceTrackBeats(nov, p)),
    );
  });

  it('still tracks both sides of a 100 s silence (settled by force, beats on the clicks)', () => {
    const period = (60 / 100) * FRAME_RATE;
    const frames = 200 * FRAME_RATE;
    const beats = Array.from({ length: Math.floor(frames / period) }, (_, i) => 20 + i * period);
    const silent = (f: number): boolean => f > 40 * FRAME_RATE && f < 140 * FRAME_RATE;
    const nov = novelty(frames, beats, silent);
    const ours = Array.from(trackBeats(nov, new Float64Array(frames).fill(period), undefined, FRAME_RATE));
    const audible = beats.filter((b) => !silent(b) && b > 2 * period && b < frames - 2 * period);
    const hit = audible.filter((b) => ours.some((o) => Math.abs(o - b) < 3));
    expect(hit.length / audible.length).toBeGreaterThan(0.95);
  });
});
