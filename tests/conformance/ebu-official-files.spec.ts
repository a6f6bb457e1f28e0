/**
 * The official EBU loudness test set (Tech 3341 / Tech 3342), read from ../shared/data/ebu beside
 * the repository when that folder exists; the repository never copies the audio. Every row of
 * ebu_signals.tsv becomes one named test per expected value, with the tolerance the tsv gives.
 * WAV files are decoded with the test WAV reader, FLAC files with ffmpeg (argument array, no shell).
 * Without the folder the whole suite is skipped with a message; the synthesised cases in
 * libs/dsp/src/loudness/conformance.spec.ts always run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LoudnessMeter, type LoudnessResult } from '../../libs/dsp/src/loudness';
import { decodeWav } from '../../libs/testing/src/wav';

const repoRoot = path.resolve(__dirname, '../..');
const EBU_DIR = path.resolve(repoRoot, '../shared/data/ebu');
const TSV = path.join(EBU_DIR, 'ebu_signals.tsv');
const available = existsSync(TSV);

interface Row {
  file: string;
  sampleRate: number;
  channels: number;
  expectedLoudness: string;
  loudnessTolerance: string;
  expectedTruePeak: string;
  truePeakTolerance: string;
  expectedLra: string;
}

function readRows(): Row[] {
  const lines = readFileSync(TSV, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`ebu_signals.tsv has no column ${name}`);
    return i;
  };
  const c = {
    path: col('path'),
    rate: col('sample_rate'),
    channels: col('channels'),
    loudness: col('expected_loudness_LUFS'),
    loudnessTol: col('loudness_tol'),
    tp: col('expected_true_peak'),
    tpTol: col('tp_tol'),
    lra: col('expected_LRA'),
  };
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    return {
      file: f[c.path],
      sampleRate: Number(f[c.rate]),
      channels: Number(f[c.channels]),
      expectedLoudness: (f[c.loudness] ?? '').trim(),
      loudnessTolerance: (f[c.loudnessTol] ?? '').trim(),
      expectedTruePeak: (f[c.tp] ?? '').trim(),
      truePeakTolerance: (f[c.tpTol] ?? '').trim(),
      expectedLra: (f[c.lra] ?? '').trim(),
    };
  });
}

function hasFfmpeg(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function decode(row: Row): Float32Array[] {
  const file = path.join(EBU_DIR, row.file);
  if (file.endsWith('.wav')) return decodeWav(readFileSync(file)).channels;
  const raw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-f', 'f32le', '-acodec', 'pcm_f32le', '-'],
    {
      maxBuffer: 1 << 30,
    },
  );
  const interleaved = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const frames = interleaved.length / row.channels;
  const out = Array.from({ length: row.channels }, () => new Float32Array(frames));
  for (let i = 0, k = 0; i < frames; i++)
    for (let ch = 0; ch < row.channels; ch++) out[ch][i] = interleaved[k++];
  return out;
}

interface Measured {
  result: LoudnessResult;
}

/** Parses a "±0.1 LU" style tolerance. */
function symmetricTolerance(text: string): number {
  const m = /^±\s*([\d.]+)/.exec(text);
  if (!m) throw new Error(`unrecognised tolerance "${text}"`);
  return Number(m[1]);
}

/** Parses "+0.2/-0.4 dB". */
function asymmetricTolerance(text: string): [number, number] {
  const m = /^\+([\d.]+)\s*\/\s*-([\d.]+)/.exec(text);
  if (!m) throw new Error(`unrecognised tolerance "${text}"`);
  return [Number(m[1]), Number(m[2])];
}

interface Check {
  name: string;
  run: (m: Measured) => void;
}

function expectBetween(value: number | null | undefined, low: number, high: number): void {
  expect(value).not.toBeNull();
  expect(value).not.toBeUndefined();
  expect(value).toBeGreaterThanOrEqual(low - 1e-9);
  expect(value).toBeLessThanOrEqual(high + 1e-9);
}

/** Every expectation of a row as named checks; an expectation the parser does not know fails. */
function checksFor(row: Row): Check[] {
  const checks: Check[] = [];
  const e = row.expectedLoudness;
  if (e !== '') {
    const tol = symmetricTolerance(row.loudnessTolerance);
    let m: RegExpExecArray | null;
    if ((m = /^M=S=I=(-?[\d.]+)$/.exec(e))) {
      const v = Number(m[1]);
      checks.push(
        {
          name: `max M = ${m[1]} ±${tol} LUFS`,
          run: ({ result }) => expectBetween(result.momentaryMaxLufs, v - tol, v + tol),
        },
        {
          name: `max S = ${m[1]} ±${tol} LUFS`,
          run: ({ result }) => expectBetween(result.shortTermMaxLufs, v - tol, v + tol),
        },
        {
          name: `I = ${m[1]} ±${tol} LUFS`,
          run: ({ result }) => expectBetween(result.integratedLufs, v - tol, v + tol),
        },
      );
    } else if ((m = /^I=(-?[\d.]+)$/.exec(e))) {
      const v = Number(m[1]);
      checks.push({
        name: `I = ${m[1]} ±${tol} LUFS`,
        run: ({ result }) => expectBetween(result.integratedLufs, v - tol, v + tol),
      });
    } else if ((m = /^max S=(-?[\d.]+)$/.exec(e))) {
      const v = Number(m[1]);
      checks.push({
        name: `max S = ${m[1]} ±${tol} LUFS`,
        run: ({ result }) => expectBetween(result.shortTermMaxLufs, v - tol, v + tol),
      });
    } else if ((m = /^max M=(-?[\d.]+)$/.exec(e))) {
      const v = Number(m[1]);
      checks.push({
        name: `max M = ${m[1]} ±${tol} LUFS`,
        run: ({ result }) => expectBetween(result.momentaryMaxLufs, v - tol, v + tol),
      });
    } else if ((m = /^M=(-?[\d.]+) constant after ([\d.]+) s$/.exec(e))) {
      const v = Number(m[1]);
      const after = Number(m[2]);
      checks.push({
        name: `M = ${m[1]} ±${tol} LUFS at every 10 Hz reading after ${after} s`,
        run: ({ result }) => {
          // Element i of the series is the window ending at (i + 1) * 0.1 s.
          const readings = result.momentarySeries!.slice(Math.round(after * 10) - 1);
          expect(readings.length).toBeGreaterThan(10);
          for (const r of readings) expectBetween(r, v - tol, v + tol);
        },
      });
    } else {
      checks.push({
        name: `expected loudness "${e}" is understood`,
        run: () => expect(e).toBe('a known expectation'),
      });
    }
  }
  if (row.expectedTruePeak !== '') {
    const m = /^max TP=([+-]?[\d.]+) dBTP$/.exec(row.expectedTruePeak);
    if (m) {
      const v = Number(m[1]);
      const [up, down] = asymmetricTolerance(row.truePeakTolerance);
      checks.push({
        name: `max true peak = ${m[1]} +${up}/-${down} dBTP`,
        run: ({ result }) => expectBetween(result.truePeakDbtp, v - down, v + up),
      });
    } else {
      checks.push({
        name: `expected true peak "${row.expectedTruePeak}" is understood`,
        run: () => expect(row.expectedTruePeak).toBe('a known expectation'),
      });
    }
  }
  if (row.expectedLra !== '') {
    const m = /^LRA=([\d.]+)\s*±\s*([\d.]+) LU$/.exec(row.expectedLra);
    if (m) {
      const v = Number(m[1]);
      const tol = Number(m[2]);
      checks.push({
        name: `LRA = ${m[1]} ±${tol} LU`,
        run: ({ result }) => expectBetween(result.loudnessRangeLu, v - tol, v + tol),
      });
    } else {
      checks.push({
        name: `expected LRA "${row.expectedLra}" is understood`,
        run: () => expect(row.expectedLra).toBe('a known expectation'),
      });
    }
  }
  return checks;
}

if (!available) {
  describe.skip(`EBU official test files: skipped, ${EBU_DIR} not found (the synthesised cases still run)`, () => {
    it('needs ../shared/data/ebu/ebu_signals.tsv', () => undefined);
  });
} else {
  const ffmpeg = hasFfmpeg();
  describe(`EBU official test files (${EBU_DIR})`, () => {
    const rows = readRows();
    it('ebu_signals.tsv lists files', () => expect(rows.length).toBeGreaterThan(0));
    for (const row of rows) {
      const needsFfmpeg = !row.file.endsWith('.wav');
      const block = needsFfmpeg && !ffmpeg ? describe.skip : describe;
      block(`${row.file}${needsFfmpeg && !ffmpeg ? ' (skipped: ffmpeg not installed)' : ''}`, () => {
        let measured: Measured | undefined;
        const get = (): Measured => {
          if (!measured) {
            const signal = decode(row);
            expect(signal.length).toBe(row.channels);
            const meter = new LoudnessMeter({
              sampleRate: row.sampleRate,
              channels: row.channels,
              series: true,
            });
            const n = signal[0].length;
            for (let i = 0; i < n; i += 4096)
              meter.process(signal.map((c) => c.subarray(i, Math.min(n, i + 4096))));
            measured = { result: meter.result() };
          }
          return measured;
        };
        const checks = checksFor(row);
        if (checks.length === 0) it.skip('has no expected value in the tsv', () => undefined);
        for (const check of checks) it(check.name, () => check.run(get()));
      });
    }
  });
}
