/**
 * libs/audio decode benchmark, measured side by side in one run (the machines are noisy: compare
 * ratios, not absolute numbers):
 * 1. throughput on a 3.5-minute 44.1 kHz 24-bit stereo WAV: `ffmpeg -f null` (decode only),
 *    ffmpeg f32le into a Node pipe that discards it, and decode() into planar JS blocks (probe
 *    included), interleaved runs, medians, realtime factors;
 * 2. peak RSS (VmHWM) of a fresh process decoding a 1-minute and a 60-minute 96 kHz 24-bit
 *    stereo WAV through decode(): equal figures mean memory does not grow with duration.
 * Usage (no build): node bench/analysis/ts-runner.cjs libs/audio/bench/decode-bench.ts [--runs N]
 * Fixtures go to $TMPDIR/pressline-audio-bench (about 2.2 GB, kept between runs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, probe, type ProbeResult } from '../src';

const dir = join(tmpdir(), 'pressline-audio-bench');

function fixture(name: string, rate: number, seconds: number): string {
  const file = join(dir, name);
  const bytes = Math.round(rate * seconds) * 2 * 3;
  if (existsSync(file) && statSync(file).size >= bytes) return file;
  mkdirSync(dir, { recursive: true });
  // Pink noise (music-like, full 24-bit words) plus a tone; the content does not change PCM decode cost.
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=c=pink:r=${rate}:a=0.25:d=${seconds}:seed=7`,
    '-af',
    `aformat=channel_layouts=stereo`,
    '-c:a',
    'pcm_s24le',
    file,
  ]);
  return file;
}

function vmHwmKb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function timeProcess(args: string[], consume: boolean): Promise<number> {
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', consume ? 'pipe' : 'ignore', 'ignore'] });
    child.stdout?.on('data', () => undefined);
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}`))));
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function timeDecode(
  file: string,
  known?: ProbeResult,
): Promise<{ seconds: number; peak: number; frames: number }> {
  const start = process.hrtime.bigint();
  let peak = 0;
  let frames = 0;
  const stream = decode(file, { probe: known });
  for await (const block of stream) {
    // Touch every sample so the blocks are really produced and read.
    for (const ch of block.channels) {
      for (let i = 0; i < block.frames; i++) {
        const a = ch[i] < 0 ? -ch[i] : ch[i];
        if (a > peak) peak = a;
      }
    }
    frames += block.frames;
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, peak, frames };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function rssChild(file: string): Promise<void> {
  const baseline = vmHwmKb();
  let maxRss = 0;
  const timer = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 50);
  const result = await timeDecode(file);
  clearInterval(timer);
  process.stdout.write(
    JSON.stringify({
      frames: result.frames,
      seconds: result.seconds,
      vmHwmKb: vmHwmKb(),
      baselineVmHwmKb: baseline,
      sampledMaxRssKb: Math.round(maxRss / 1024),
    }),
  );
}

async function rssOf(file: string): Promise<{
  frames: number;
  seconds: number;
  vmHwmKb: number;
  baselineVmHwmKb: number;
  sampledMaxRssKb: number;
}> {
  // Re-run this script in a fresh process, through the same entry (the ts-runner or the built .js).
  const entry = require.main?.filename ?? process.argv[1];
  const script = entry === process.argv[1] ? [entry] : [entry, process.argv[1]];
  const out = execFileSync(process.execPath, [...process.execArgv, ...script, '--rss-child', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as {
    frames: number;
    seconds: number;
    vmHwmKb: number;
    baselineVmHwmKb: number;
    sampledMaxRssKb: number;
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--rss-child') return rssChild(argv[1]);
  const runs = argv[0] === '--runs' ? Number(argv[1]) : 5;
  const track = fixture('track-3m30-44k1-s24.wav', 44100, 210);
  const duration = 210;
  console.log(`# libs/audio decode bench (${runs} interleaved runs, median)`);
  const nullArgs = ['-hide_banner', '-nostdin', '-v', 'error', '-i', track, '-f', 'null', '-'];
  const pipeArgs = [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-i',
    track,
    '-c:a',
    'pcm_f32le',
    '-f',
    'f32le',
    'pipe:1',
  ];
  await timeDecode(track); // warm-up (JIT, page cache)
  const known = await probe(track);
  const t = {
    null: [] as number[],
    pipe: [] as number[],
    decode: [] as number[],
    decodeKnown: [] as number[],
  };
  for (let r = 0; r < runs; r++) {
    t.null.push(await timeProcess(nullArgs, false));
    t.pipe.push(await timeProcess(pipeArgs, true));
    t.decode.push((await timeDecode(track)).seconds);
    t.decodeKnown.push((await timeDecode(track, known)).seconds);
  }
  const row = (label: string, xs: number[]): string =>
    `| ${label} | ${median(xs).toFixed(3)} s | ${(duration / median(xs)).toFixed(0)}x | ${(median(xs) / median(t.null)).toFixed(2)} |`;
  console.log('\n3.5-min 44.1 kHz 24-bit stereo WAV (210 s of audio)\n');
  console.log('| path | wall | realtime factor | time vs ffmpeg -f null |');
  console.log('|---|---|---|---|');
  console.log(row('ffmpeg -f null (decode only)', t.null));
  console.log(row('ffmpeg -f f32le -> Node pipe, discarded', t.pipe));
  console.log(row('decode() -> planar JS blocks (incl. ffprobe)', t.decode));
  console.log(row('decode() with the probe given', t.decodeKnown));

  const short = fixture('1min-96k-s24.wav', 96000, 60);
  const long = fixture('60min-96k-s24.wav', 96000, 3600);
  const a = await rssOf(short);
  const b = await rssOf(long);
  console.log('\nPeak RSS of a fresh process decoding 96 kHz 24-bit stereo through decode()\n');
  console.log('| file | frames | wall | realtime factor | VmHWM | max sampled RSS |');
  console.log('|---|---|---|---|---|---|');
  for (const [label, m, secs] of [
    ['1 min', a, 60],
    ['60 min (2.07 GB)', b, 3600],
  ] as const) {
    console.log(
      `| ${label} | ${m.frames} | ${m.seconds.toFixed(1)} s | ${(secs / m.seconds).toFixed(0)}x | ${(m.vmHwmKb / 1024).toFixed(1)} MiB | ${(m.sampledMaxRssKb / 1024).toFixed(1)} MiB |`,
    );
  }
  console.log(
    `\nVmHWM ratio 60 min / 1 min: ${(b.vmHwmKb / a.vmHwmKb).toFixed(3)} (process baseline before decoding: ${(a.baselineVmHwmKb / 1024).toFixed(1)} MiB)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
