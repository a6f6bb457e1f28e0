/**
 * What the mastering bench compares with and checks against: ffmpeg's two-pass loudnorm
 * (linear=true) + alimiter at the same targets (what ffmpeg-normalize does), ffmpeg's
 * `ebur128=peak=true` as a second meter, and a streaming read-back with the project's meter.
 */
import { spawn } from 'node:child_process';
import { decode } from '@pressline/audio';
import { LoudnessMeter } from '@pressline/dsp';

export interface ProcessRun {
  readonly seconds: number;
  readonly stderr: string;
}

export function run(command: string, args: string[]): Promise<ProcessRun> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve({ seconds: (performance.now() - t0) / 1000, stderr: err })
        : reject(new Error(`${command} exited ${code}: ${err.slice(-400)}`)),
    );
  });
}

/** ffmpeg's EBU R128 meter with true peak: integrated loudness and true peak of the summary (0.1 resolution). */
export async function ebur128(
  file: string,
): Promise<{ integratedLufs: number | null; truePeakDbtp: number | null }> {
  const r = await run('ffmpeg', [
    '-hide_banner',
    '-nostats',
    '-i',
    file,
    '-filter_complex',
    'ebur128=peak=true:framelog=verbose',
    '-f',
    'null',
    '-',
  ]);
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const p = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  const num = (m: RegExpExecArray | null) => (m && m[1] !== '-inf' ? Number(m[1]) : null);
  return { integratedLufs: num(i), truePeakDbtp: num(p) };
}

export interface ReadBack {
  readonly integratedLufs: number | null;
  readonly truePeakDbtp: number | null;
  readonly loudnessRangeLu: number | null;
  /** Sample peak over RMS of all channels, dB. */
  readonly crestFactorDb: number;
  readonly sampleRate: number;
  readonly channels: number;
}

/** Streams a file through the project's meter and a crest-factor accumulator (bounded memory). */
export async function readBack(file: string): Promise<ReadBack> {
  const stream = decode(file);
  const format = await stream.open();
  const meter = new LoudnessMeter({ sampleRate: format.sampleRate, channels: format.channels });
  let peak = 0;
  let sum = 0;
  let n = 0;
  for await (const b of stream) {
    meter.process(b.channels);
    for (const c of b.channels) {
      for (let i = 0; i < c.length; i++) {
        const v = c[i];
        const a = v < 0 ? -v : v;
        if (a > peak) peak = a;
        sum += v * v;
      }
      n += c.length;
    }
  }
  const r = meter.result();
  return {
    integratedLufs: r.integratedLufs,
    truePeakDbtp: r.truePeakDbtp,
    loudnessRangeLu: r.loudnessRangeLu,
    crestFactorDb: n > 0 && sum > 0 ? 20 * Math.log10(peak / Math.sqrt(sum / n)) : 0,
    sampleRate: format.sampleRate,
    channels: format.channels,
  };
}

export interface LoudnormResult {
  readonly seconds: number;
  /** What loudnorm's second pass says it did: 'linear', or 'dynamic' when it could not stay linear. */
  readonly normalizationType: string | null;
}

function lastJson(stderr: string): Record<string, string> {
  const end = stderr.lastIndexOf('}');
  const start = stderr.lastIndexOf('{', end);
  return JSON.parse(stderr.slice(start, end + 1)) as Record<string, string>;
}

/**
 * ffmpeg two-pass loudnorm with linear=true, then alimiter at the ceiling (sample peak), written at
 * `sampleRate` as 24-bit WAV (stereo: multichannel inputs are down-mixed by ffmpeg's matrix).
 */
export async function loudnormTwoPass(
  input: string,
  output: string,
  target: { lufs: number; ceilingDbtp: number; sampleRate: number },
): Promise<LoudnormResult> {
  const base = `I=${target.lufs}:TP=${target.ceilingDbtp}:LRA=20`;
  // stereo by aformat inside the graph (an output -ac 2 makes ffmpeg re-initialise the graph, which fails)
  const stereo = 'aformat=channel_layouts=stereo';
  const p1 = await run('ffmpeg', [
    '-hide_banner',
    '-nostats',
    '-i',
    input,
    '-af',
    `${stereo},loudnorm=${base}:print_format=json`,
    '-f',
    'null',
    '-',
  ]);
  const m = lastJson(p1.stderr);
  const measured = `measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}`;
  const limit = Math.pow(10, target.ceilingDbtp / 20).toFixed(4);
  const p2 = await run('ffmpeg', [
    '-hide_banner',
    '-nostats',
    '-y',
    '-i',
    input,
    '-af',
    `${stereo},loudnorm=${base}:${measured}:linear=true:print_format=json,aresample=${target.sampleRate}:resampler=soxr,${stereo},alimiter=limit=${limit}:level=false`,
    '-ar',
    String(target.sampleRate),
    '-c:a',
    'pcm_s24le',
    output,
  ]);
  let type: string | null = null;
  try {
    type = lastJson(p2.stderr).normalization_type ?? null;
  } catch {
    type = null;
  }
  return { seconds: p1.seconds + p2.seconds, normalizationType: type };
}
