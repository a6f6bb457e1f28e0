/**
 * Known-answer material for the mastering specs (not exported from the package): music-like
 * stereo noise scaled to an exact BS.1770 loudness by the project's meter, kick-like transients
 * of known peak, and an independent read-back of a written master.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeAll } from '@pressline/audio';
import { LoudnessMeter, type LoudnessResult } from '@pressline/dsp';
import { decodeWav, encodeWav } from '../../../testing/src/wav';

/** Deterministic uniform noise in [-1, 1) (LCG). */
export function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 4294967296 - 0.5) * 2;
  }
  return x;
}

/**
 * Stereo programme: two partly correlated noises through a one-pole tilt (`tilt` > 0 brighter,
 * < 0 darker), with a slow amplitude swell so the loudness range is not zero.
 */
export function programme(
  seconds: number,
  sampleRate: number,
  options: { seed?: number; tilt?: number; side?: number } = {},
): Float32Array[] {
  const n = Math.round(seconds * sampleRate);
  const seed = options.seed ?? 1;
  const a = noise(n, seed);
  const b = noise(n, seed + 101);
  const side = options.side ?? 0.4;
  const tilt = options.tilt ?? 0;
  const k = Math.exp((-2 * Math.PI * 800) / sampleRate);
  const out = [new Float32Array(n), new Float32Array(n)];
  let la = 0;
  let lb = 0;
  for (let i = 0; i < n; i++) {
    // low-passed part (dark) and the rest (bright), mixed by the tilt
    la = (1 - k) * a[i] + k * la;
    lb = (1 - k) * b[i] + k * lb;
    const ma = (1 - tilt) * la * 3 + tilt * (a[i] - la);
    const mb = (1 - tilt) * lb * 3 + tilt * (b[i] - lb);
    const swell = 0.6 + 0.4 * Math.sin((2 * Math.PI * i) / (sampleRate * 4));
    out[0][i] = swell * (ma + side * mb);
    out[1][i] = swell * (ma - side * mb);
  }
  return out;
}

export function measure(channels: readonly Float32Array[], sampleRate: number): LoudnessResult {
  const m = new LoudnessMeter({ sampleRate, channels: channels.length });
  m.process(channels);
  return m.result();
}

/** Scales in place to an exact integrated loudness (measured with the project's meter). */
export function scaleToLufs(channels: Float32Array[], sampleRate: number, lufs: number): Float32Array[] {
  const got = measure(channels, sampleRate).integratedLufs!;
  const g = Math.pow(10, (lufs - got) / 20);
  for (const c of channels) for (let i = 0; i < c.length; i++) c[i] *= g;
  return channels;
}

/** Adds a decaying 60 Hz "kick" of the given peak every `every` seconds (peaks far above the programme). */
export function addKicks(
  channels: Float32Array[],
  sampleRate: number,
  peak: number,
  every = 0.5,
): Float32Array[] {
  const n = channels[0].length;
  const step = Math.round(every * sampleRate);
  for (let at = Math.round(0.1 * sampleRate); at < n; at += step) {
    for (let i = 0; i < 4000 && at + i < n; i++) {
      const v = peak * Math.exp(-i / 900) * Math.sin((2 * Math.PI * 60 * i) / sampleRate);
      for (const c of channels) c[at + i] += v;
    }
  }
  return channels;
}

export async function writeWav(
  dir: string,
  name: string,
  channels: Float32Array[],
  sampleRate: number,
  format: 'int16' | 'int24' | 'float32' = 'int24',
): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, encodeWav({ sampleRate, channels }, { format }));
  return file;
}

/**
 * Reads a written master back (WAV with the test suite's own reader, FLAC with ffmpeg) and
 * measures it with the project's meter: independent of the report.
 */
export async function readBack(
  file: string,
): Promise<{ channels: Float32Array[]; sampleRate: number; loudness: LoudnessResult }> {
  if (file.endsWith('.wav')) {
    const w = decodeWav(await readFile(file));
    return { channels: w.channels, sampleRate: w.sampleRate, loudness: measure(w.channels, w.sampleRate) };
  }
  const d = await decodeAll(file);
  return {
    channels: d.channels,
    sampleRate: d.format.sampleRate,
    loudness: measure(d.channels, d.format.sampleRate),
  };
}

/** Largest |a[i] - b[i]| (Infinity when the lengths differ): jest's toEqual on long arrays is slow to diff. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
