import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from './wav';

/** A stereo tone of known level: `seconds` long, at `db` dBFS peak, 16-bit WAV bytes. */
export function toneWav(
  seconds: number,
  options: { sampleRate?: number; hz?: number; db?: number; format?: 'int16' | 'int24' | 'float32' } = {},
): Buffer {
  const fs = options.sampleRate ?? 44100;
  const n = Math.round(seconds * fs);
  const amp = Math.pow(10, (options.db ?? -12) / 20);
  const f = options.hz ?? 997;
  const ch = new Float32Array(n);
  for (let i = 0; i < n; i++) ch[i] = amp * Math.sin((2 * Math.PI * f * i) / fs);
  return encodeWav(
    { sampleRate: fs, channels: [ch, Float32Array.from(ch)] },
    { format: options.format ?? 'int16' },
  );
}

/** Converts WAV bytes to another container with ffmpeg (e.g. 'flac'). */
export function convertWav(wav: Buffer, extension: string, extraArgs: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'fixture-'));
  const input = join(dir, 'in.wav');
  const output = join(dir, `out.${extension}`);
  writeFileSync(input, wav);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', input, ...extraArgs, output]);
  return readFileSync(output);
}

/** A FLAC whose middle is overwritten with noise: it starts like audio and breaks while decoding. */
export function corruptFlac(seconds = 4): Buffer {
  const flac = Buffer.from(convertWav(toneWav(seconds, { hz: 440 }), 'flac'));
  let x = 12345;
  for (let i = Math.floor(flac.length * 0.3); i < Math.floor(flac.length * 0.7); i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    flac[i] = x & 0xff;
  }
  return flac;
}
