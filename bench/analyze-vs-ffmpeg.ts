/**
 * `analyze` (decode + loudness + true peak + QC, one pass) against ffmpeg's `ebur128=peak=true`
 * on the same 3.5-minute stereo file, interleaved runs, whole processes: realtime factors and
 * their ratio. Then peak RSS of analyze on a 3.5-minute and a 60-minute 96 kHz file.
 */
import { join } from 'node:path';
import { repoRoot } from '@pressline/config';
import { median, programme, round, timeProcess } from './bench-utils';

const SECONDS = 210;

async function peakRss(file: string): Promise<{ maxRssMb: number; seconds: number }> {
  // A fresh process measuring the file, reporting its own peak resident set (getrusage).
  const script = `require(${JSON.stringify(join(repoRoot(), 'dist/libs/measurement/src/index.js'))}).measureFile(process.argv[1]).then(() => console.log(process.resourceUsage().maxRSS))`;
  const r = await timeProcess(process.execPath, ['-e', script, file]);
  return { maxRssMb: round(Number(r.stdout.trim()) / 1024, 1), seconds: round(r.seconds, 2) };
}

export async function analyzeVsFfmpeg(options: {
  runs: number;
  longMinutes: number;
}): Promise<Record<string, unknown>> {
  const pressline = join(repoRoot(), 'bin', 'pressline');
  const out: Record<string, unknown> = {};
  for (const loud of [false, true]) {
    const file = programme(SECONDS, 44100, loud);
    const ours: number[] = [];
    const theirs: number[] = [];
    await timeProcess(pressline, ['analyze', '--json', '--only', 'loudness', file]); // warm the page cache
    for (let i = 0; i < options.runs; i++) {
      ours.push((await timeProcess(pressline, ['analyze', '--json', '--only', 'loudness', file])).seconds);
      theirs.push(
        (
          await timeProcess('ffmpeg', [
            '-nostats',
            '-hide_banner',
            '-i',
            file,
            '-filter_complex',
            'ebur128=peak=true',
            '-f',
            'null',
            '-',
          ])
        ).seconds,
      );
    }
    const a = median(ours);
    const f = median(theirs);
    out[loud ? 'loudMaster' : 'preMaster'] = {
      file: `${SECONDS} s stereo 44.1 kHz 24-bit, ${loud ? 'limited master' : 'pre-master'}`,
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
  out.peakRss = {
    [`${SECONDS}s-96k`]: await peakRss(short),
    [`${options.longMinutes}min-96k`]: await peakRss(long),
  };
  return out;
}
