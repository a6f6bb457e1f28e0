/**
 * `analyze` (decode + loudness + true peak + QC, one pass) against ffmpeg's `ebur128=peak=true`
 * on the same 3.5-minute stereo file, interleaved runs, whole processes: realtime factors and
 * their ratio. Then peak RSS of analyze on a 3.5-minute and a 60-minute 96 kHz file.
 */
import { join } from 'node:path';
import { repoRoot } from '@pressline/config';
import { existsSync } from 'node:fs';
import { benchDir, median, programme, round, timeProcess } from './bench-utils';

const SECONDS = 210;

async function peakRss(file: string, measures: string[]): Promise<{ maxRssMb: number; seconds: number }> {
  // A fresh process measuring the file, reporting its own peak resident set (getrusage).
  const script = `require(${JSON.stringify(join(repoRoot(), 'dist/libs/measurement/src/index.js'))}).measureFile(process.argv[1], { measures: ${JSON.stringify(measures)} }).then(() => console.log(process.resourceUsage().maxRSS))`;
  const r = await timeProcess(process.execPath, ['-e', script, file]);
  return { maxRssMb: round(Number(r.stdout.trim()) / 1024, 1), seconds: round(r.seconds, 2) };
}

/** A music-like pre-master (drums, bass, chords; about -20 LUFS, -5.5 dBTP) from `pressline example`. */
async function musicPreMaster(pressline: string): Promise<string> {
  const dir = join(benchDir(), `example-${SECONDS}s`);
  const file = join(dir, '01-first-light.wav');
  if (!existsSync(file)) await timeProcess(pressline, ['example', dir, '--seconds', String(SECONDS)]);
  return file;
}

export async function analyzeVsFfmpeg(options: {
  runs: number;
  longMinutes: number;
}): Promise<Record<string, unknown>> {
  const pressline = join(repoRoot(), 'bin', 'pressline');
  const out: Record<string, unknown> = {};
  const materials: Array<[string, string, string]> = [
    [
      'musicPreMaster',
      await musicPreMaster(pressline),
      'music-like pre-master (pressline example), about -20 LUFS / -5.5 dBTP',
    ],
    [
      'noisePreMaster',
      programme(SECONDS, 44100, false),
      'pink-noise programme, about -20 LUFS (worst case for peak skipping)',
    ],
    ['noiseLoudMaster', programme(SECONDS, 44100, true), 'pink-noise programme limited to about -7 LUFS'],
  ];
  const ffmpegArgs = (file: string): string[] => [
    '-nostats',
    '-hide_banner',
    '-i',
    file,
    '-filter_complex',
    'ebur128=peak=true',
    '-f',
    'null',
    '-',
  ];
  for (const [name, file, description] of materials) {
    const ours: number[] = [];
    const theirs: number[] = [];
    await timeProcess(pressline, ['analyze', '--json', '--only', 'loudness', file]); // warm the page cache
    for (let i = 0; i < options.runs; i++) {
      ours.push((await timeProcess(pressline, ['analyze', '--json', '--only', 'loudness', file])).seconds);
      theirs.push((await timeProcess('ffmpeg', ffmpegArgs(file))).seconds);
    }
    const a = median(ours);
    const f = median(theirs);
    out[name] = {
      file: `${SECONDS} s stereo 44.1 kHz 24-bit: ${description}`,
      analyzeSeconds: round(a),
      ffmpegEbur128Seconds: round(f),
      analyzeRealtime: round(SECONDS / a, 0),
      ffmpegRealtime: round(SECONDS / f, 0),
      speedupOverFfmpeg: round(f / a, 2),
      runs: options.runs,
    };
  }
  const short = programme(SECONDS, 96000, false);
  const long = programme(options.longMinutes * 60, 96000, false);
  // analyze's own pass (loudness, true peak, QC), then the whole measurement (with tempo and key).
  out.peakRss = {
    loudnessAndQc: {
      [`${SECONDS}s-96k`]: await peakRss(short, ['loudness']),
      [`${options.longMinutes}min-96k`]: await peakRss(long, ['loudness']),
    },
    withRhythmAndKey: {
      [`${SECONDS}s-96k`]: await peakRss(short, ['loudness', 'rhythm', 'key']),
      [`${options.longMinutes}min-96k`]: await peakRss(long, ['loudness', 'rhythm', 'key']),
    },
  };
  return out;
}
