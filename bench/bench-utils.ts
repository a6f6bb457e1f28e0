import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Wall time of a whole process (seconds) and, when it reports it, its peak RSS. */
export async function timeProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ seconds: number; stdout: string }> {
  const t0 = performance.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.slice(-500)}`)),
    );
  });
  return { seconds: (performance.now() - t0) / 1000, stdout };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A folder for generated bench material, reused between runs. */
export function benchDir(): string {
  const dir = join(tmpdir(), 'pressline-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Programme-like test material made with ffmpeg: two decorrelated pink noises with a slow
 * tremolo (a dynamic, full-band stereo signal), 24-bit. `loud` limits it hard to about -8 LUFS,
 * -0.5 dBFS, like a modern master; otherwise it sits near -20 LUFS like a pre-master.
 */
export function programme(seconds: number, sampleRate: number, loud: boolean): string {
  const file = join(benchDir(), `programme-${seconds}s-${sampleRate}-${loud ? 'loud' : 'premaster'}.wav`);
  if (existsSync(file)) return file;
  const amp = loud ? 0.9 : 0.25;
  const chain = loud
    ? 'tremolo=f=1.3:d=0.5,volume=12dB,alimiter=limit=0.94:level=false'
    : 'tremolo=f=1.3:d=0.5';
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=d=${seconds}:c=pink:r=${sampleRate}:a=${amp}:seed=1`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=d=${seconds}:c=pink:r=${sampleRate}:a=${amp}:seed=2`,
    '-filter_complex',
    `[0][1]amerge=inputs=2,${chain}`,
    '-c:a',
    'pcm_s24le',
    file,
  ]);
  return file;
}
