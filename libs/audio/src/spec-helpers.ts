/**
 * Test support for the libs/audio specs (not exported from the library): fixtures generated with
 * ffmpeg from a known signal, and measurement of that signal in decoded audio.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioError } from './errors';

/** -6 dBFS, the reference tone's amplitude. */
export const TONE_AMPLITUDE = 10 ** (-6 / 20);
export const TONE_HZ = 997;

export function makeTmpDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `pressline-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs ffmpeg synchronously with an argument array (no shell) and a time limit. */
export function ffmpegSync(args: readonly string[], timeoutMs = 20_000): void {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], {
    timeout: timeoutMs,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * lavfi input of the reference tone (997 Hz at -6 dBFS, the same on every channel, except that
 * channel c is scaled by (1 - 0.1 c) so that a channel swap shows).
 */
export function toneInput(sampleRate: number, seconds: number, channels: number): string[] {
  const exprs = Array.from(
    { length: channels },
    (_, c) => `${(TONE_AMPLITUDE * (1 - 0.1 * c)).toFixed(9)}*sin(2*PI*${TONE_HZ}*t)`,
  );
  return ['-f', 'lavfi', '-i', `aevalsrc=${exprs.join('|')}:s=${sampleRate}:d=${seconds}`];
}

/** The reference tone as planar float, same definition as toneInput. */
export function toneChannels(
  sampleRate: number,
  frames: number,
  channels: number,
  startFrame = 0,
): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const a = TONE_AMPLITUDE * (1 - 0.1 * c);
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++)
      x[i] = a * Math.sin((2 * Math.PI * TONE_HZ * (i + startFrame)) / sampleRate);
    return x;
  });
}

/**
 * Amplitude of the frequency component `hz` in x[from, to), by projection on sin and cos (a single
 * DFT bin; the window spans many periods so leakage from the rest of the tone is small).
 */
export function toneAmplitude(
  x: Float32Array,
  sampleRate: number,
  hz = TONE_HZ,
  from = 0,
  to = x.length,
): number {
  let s = 0;
  let c = 0;
  const w = (2 * Math.PI * hz) / sampleRate;
  for (let i = from; i < to; i++) {
    s += x[i] * Math.sin(w * i);
    c += x[i] * Math.cos(w * i);
  }
  const n = to - from;
  return (2 / n) * Math.hypot(s, c);
}

export function amplitudeErrorDb(measured: number, expected: number): number {
  return Math.abs(20 * Math.log10(measured / expected));
}

/** The AudioError a promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function audioErrorOf(promise: Promise<unknown>): Promise<AudioError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AudioError) return error;
    throw error;
  }
  throw new Error('expected an AudioError, the call succeeded');
}
