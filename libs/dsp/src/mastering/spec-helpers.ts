/**
 * Known-answer signals and a slow reference true-peak meter for the mastering specs.
 * Not exported from the package.
 */
import type { Hertz, Seconds } from '../units';
import { besselI0 } from './resample/kaiser';

/** Sine of amplitude `amplitude`, optional linear fade in/out of `fade` seconds. */
export function sine(
  sampleRate: Hertz,
  frequency: Hertz,
  amplitude: number,
  duration: Seconds,
  options: { phase?: number; fade?: Seconds } = {},
): Float32Array {
  const n = Math.round(sampleRate * duration);
  const x = new Float32Array(n);
  const phase = options.phase ?? 0;
  const fade = Math.round((options.fade ?? 0) * sampleRate);
  for (let i = 0; i < n; i++) {
    let g = amplitude;
    if (fade > 0) g *= Math.min(1, i / fade, (n - 1 - i) / fade);
    x[i] = g * Math.sin((2 * Math.PI * frequency * i) / sampleRate + phase);
  }
  return x;
}

/** Deterministic uniform noise in [-amplitude, amplitude) (LCG; tests only). */
export function noise(n: number, amplitude: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 4294967296 - 0.5) * 2 * amplitude;
  }
  return x;
}

/** Runs a latency-compensated processor over a signal and returns the aligned output. */
export function runAligned(
  input: readonly Float32Array[],
  processor: { process(b: Float32Array[]): void; flush(): Float32Array[]; readonly latencyFrames: number },
  blockFrames = 4096,
): Float32Array[] {
  const work = input.map((c) => Float32Array.from(c));
  const n = work[0].length;
  for (let s = 0; s < n; s += blockFrames)
    processor.process(work.map((c) => c.subarray(s, Math.min(n, s + blockFrames))));
  const tail = processor.flush();
  const d = processor.latencyFrames;
  return work.map((c, ch) => {
    const out = new Float32Array(n);
    out.set(c.subarray(d));
    out.set(tail[ch].subarray(0, Math.min(d, n)), n - d);
    return out;
  });
}

/**
 * Reference true peak, dBTP: band-limited interpolation with a long Kaiser-windowed sinc
 * (64 taps each side, beta 12) at 16 points per sample, the signal taken as zero outside.
 * Slow: only samples near the largest ones are examined (the peak lies there).
 */
export function referenceTruePeakDb(channels: readonly Float32Array[]): number {
  const half = 64;
  const factor = 16;
  const beta = 12;
  const i0 = besselI0(beta);
  const kernel = (tau: number): number => {
    const u = tau / half;
    if (u <= -1 || u >= 1) return 0;
    const w = besselI0(beta * Math.sqrt(1 - u * u)) / i0;
    return tau === 0 ? w : (Math.sin(Math.PI * tau) / (Math.PI * tau)) * w;
  };
  const table: Float64Array[] = [];
  for (let p = 0; p < factor; p++) {
    const t = new Float64Array(2 * half);
    for (let j = 0; j < 2 * half; j++) t[j] = kernel(p / factor - (j - half + 1));
    table.push(t);
  }
  let best = 0;
  for (const x of channels) {
    let max = 0;
    for (const v of x) max = Math.max(max, Math.abs(v));
    for (let n = -1; n < x.length; n++) {
      const a = n >= 0 ? Math.abs(x[n]) : 0;
      const b = n + 1 < x.length ? Math.abs(x[n + 1]) : 0;
      if (a < 0.5 * max && b < 0.5 * max) continue;
      for (let p = 0; p < factor; p++) {
        const t = table[p];
        let s = 0;
        for (let j = 0; j < 2 * half; j++) {
          const k = n - half + 1 + j;
          if (k >= 0 && k < x.length) s += t[j] * x[k];
        }
        best = Math.max(best, Math.abs(s));
      }
    }
  }
  return 20 * Math.log10(best);
}
